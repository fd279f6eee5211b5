import * as pulumi from '@pulumi/pulumi';
import { parseAllDocuments } from 'yaml';
import { CapacityClass, CAPACITY_TYPE_KEY, ON_DEMAND, SPOT } from '../../constructs/workload/capacity-class';
import { POOL_NAME_PATTERNS } from '../../constructs/platform/autoscaler-priorities';
import { MANAGED_POLICIES } from '../../infra/cdn';
import { podDemands } from '../../planning/capacity';
import { CONTROL_PLANE_LOG_TYPES, eksVersionWarning } from '../../infra/cluster';
import { eksSupportWarning } from '../../stacks/kubernetes-versions';
import { buildStack } from '../../infra/program';
import { stackPoolBounds } from '../../planning/pool-bounds';
import { CloudStackSettings, readStackSettings } from '../../stacks/stack-settings';
import { cloudfrontViolations, s3OriginViolations, spotNodeGroupViolations } from '../../policies/crossguard/aws';
import { kubernetesViolations, packContext } from '../../policies/crossguard/kubernetes';
import { ENVIRONMENTS } from '../../stacks/environments';
import { renderEnvironment, synthesizeCharts } from '../../stacks/synth';
import { CLOUD_STACKS, PULUMI_STACKS } from '../support/environments';
import { Recorded, recordStack, stackConfigValues } from '../support/pulumi-mocks';

const settingsOf = (stack: string) => readStackSettings(stackConfigValues(stack), stack);
const stacks: Record<string, Recorded[]> = {};
const warnings: string[] = [];

beforeAll(async () => {
  jest.spyOn(pulumi.log, 'warn').mockImplementation(async (message: string) => void warnings.push(message));
  for (const stack of PULUMI_STACKS) stacks[stack] = await recordStack(stack, () => buildStack(settingsOf(stack)));
  // staging with Karpenter instead of the cluster autoscaler and a spot node group.
  const staging = settingsOf('staging') as CloudStackSettings;
  const karpenter = {
    ...staging,
    environment: { ...staging.environment, cloud: { ...staging.environment.cloud, karpenter: { cpuLimit: 160 } } },
  };
  stacks.karpenter = await recordStack('karpenter', () => buildStack(karpenter));
  stacks.bootstrap = await recordStack('bootstrap', () =>
    buildStack({ ...(settingsOf('prod') as CloudStackSettings), deployWorkloads: false }),
  );
  // prod's App on a cluster someone else runs (on-prem): only the workloads, to a named context.
  stacks.onprem = await recordStack('onprem', () =>
    buildStack(readStackSettings({ environment: 'prod', mode: 'existing-cluster', kubeContext: 'onprem-prod' }, 'onprem')),
  );
});

const ofType = (stack: string, type: string) => stacks[stack].filter((r) => r.type === type);
const one = (stack: string, type: string) => {
  const found = ofType(stack, type);
  expect(found).toHaveLength(1);
  return found[0];
};
const subnets = (stack: string, kind: 'public' | 'private') =>
  ofType(stack, 'aws:ec2/subnet:Subnet').filter((s) => s.inputs.mapPublicIpOnLaunch === (kind === 'public'));
const nodeGroup = (stack: string, capacityType: 'SPOT' | 'ON_DEMAND') =>
  ofType(stack, 'aws:eks/nodeGroup:NodeGroup').filter((g) => g.inputs.capacityType === capacityType);
const zonesOf = (stack: string, subnetIds: string[]) =>
  subnetIds.map((id) => ofType(stack, 'aws:ec2/subnet:Subnet').find((s) => s.id === id)!.inputs.availabilityZone).sort();
/** What the CrossGuard pack sees at `pulumi preview`: each resource's type, URN and properties (with its id). */
const asStackResources = (stack: string) => stacks[stack].map((r) => ({ type: r.type, urn: r.urn, props: { ...r.inputs, id: r.id } }));

describe.each(CLOUD_STACKS)('the %s stack', (stack) => {
  const env = ENVIRONMENTS[stack];
  const cloud = env.cloud as Extract<typeof env.cloud, { kind: 'aws' }>;

  it('only touches its own account, in its own region', () => {
    const provider = one(stack, 'pulumi:providers:aws');
    expect(provider.inputs.region).toBe(cloud.region);
    expect(JSON.parse(provider.inputs.allowedAccountIds)).toEqual([cloud.accountId]);
  });

  it('warns at preview exactly when the environment Kubernetes version is past EKS standard support', () => {
    const today = new Date();
    const expected =
      eksVersionWarning(env.kubernetesVersion, today) ?? eksSupportWarning(`perfstack-${stack}`, env.kubernetesVersion, today);
    expect(warnings.filter((w) => w.includes('EKS') && w.includes(env.kubernetesVersion))).toEqual(expected ? [expected] : []);
  });

  it('has a private and a public subnet in every zone, inside the VPC range, tagged for EKS and load balancers', () => {
    expect(one(stack, 'aws:ec2/vpc:Vpc').inputs.cidrBlock).toBe(cloud.vpcCidr);
    for (const kind of ['public', 'private'] as const) {
      const zones = subnets(stack, kind).map((s) => s.inputs.availabilityZone);
      expect(zones).toEqual(expect.arrayContaining([...env.zones]));
      expect(new Set(zones).size).toBe(zones.length);
    }
    for (const s of subnets(stack, 'public'))
      expect(s.inputs.tags).toMatchObject({ 'kubernetes.io/role/elb': '1', [`kubernetes.io/cluster/perfstack-${stack}`]: 'shared' });
    for (const s of subnets(stack, 'private'))
      expect(s.inputs.tags).toMatchObject({ 'kubernetes.io/role/internal-elb': '1', 'karpenter.sh/discovery': `perfstack-${stack}` });
  });

  it('puts a NAT gateway in every zone in production and one elsewhere', () => {
    expect(ofType(stack, 'aws:ec2/natGateway:NatGateway')).toHaveLength(env.production ? env.zones.length : 1);
  });

  it('runs EKS at the environment Kubernetes version with a private endpoint, every control-plane log, encrypted Secrets and an OIDC provider', () => {
    const eks = one(stack, 'aws:eks/cluster:Cluster').inputs;
    expect(eks.version).toBe(env.kubernetesVersion);
    expect(eks.vpcConfig.endpointPrivateAccess).toBe(true);
    expect(eks.vpcConfig.endpointPublicAccess).toBe(true);
    expect(eks.vpcConfig.publicAccessCidrs).toEqual((settingsOf(stack) as CloudStackSettings).cluster.publicAccessCidrs);
    expect(eks.enabledClusterLogTypes).toEqual([...CONTROL_PLANE_LOG_TYPES]);
    expect(eks.encryptionConfig.resources).toEqual(['secrets']);
    expect(eks.accessConfig.authenticationMode).toBe('API');
    expect(eks.deletionProtection).toBe(env.production);
    // The control plane needs two zones even where nodes use one.
    expect(new Set(zonesOf(stack, eks.vpcConfig.subnetIds)).size).toBeGreaterThanOrEqual(2);
    expect(one(stack, 'aws:iam/openIdConnectProvider:OpenIdConnectProvider').inputs).toMatchObject({
      url: `https://oidc.eks.eu-west-1.amazonaws.com/id/PERFSTACK-${stack.toUpperCase()}`,
      clientIdLists: ['sts.amazonaws.com'],
    });
  });

  it('labels on-demand nodes, spreads them over exactly the environment zones, and sizes them from the workloads', () => {
    const [group] = nodeGroup(stack, 'ON_DEMAND');
    const settings = settingsOf(stack) as CloudStackSettings;
    const bounds = stackPoolBounds(settings, podDemands(synthesizeCharts(env).flatMap((c) => c.objects)));
    expect(group.inputs.labels).toEqual({ [CAPACITY_TYPE_KEY]: ON_DEMAND });
    expect(group.inputs.taints).toEqual([]);
    expect(zonesOf(stack, group.inputs.subnetIds)).toEqual([...env.zones].sort());
    expect(group.inputs.instanceTypes).toEqual(settings.nodePools.onDemand.instanceTypes);
    expect(group.inputs.scalingConfig).toMatchObject({ minSize: bounds.onDemand.min, maxSize: bounds.onDemand.max });
    expect(group.inputs.scalingConfig.minSize).toBeGreaterThanOrEqual(env.zones.length);
  });

  it('keeps EKS and load balancers in the zones the policies expect: no CrossGuard AWS violations', () => {
    const resources = asStackResources(stack);
    expect(spotNodeGroupViolations(resources)).toEqual([]);
    expect(cloudfrontViolations(resources)).toEqual([]);
    expect(s3OriginViolations(resources)).toEqual([]);
  });

  it('passes the pack Kubernetes policy too, CRDs read to order the deployment included', () => {
    const resources = asStackResources(stack);
    expect(resources.some((r) => r.type === 'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition')).toBe(true);
    expect(kubernetesViolations(resources, packContext([], {}))).toEqual([]);
  });

  it('hands the kubernetes provider of the new cluster exactly the objects written to dist/', () => {
    const provider = one(stack, 'pulumi:providers:kubernetes');
    const kubeconfig = JSON.parse(provider.inputs.kubeconfig);
    expect(kubeconfig.users[0].user.exec.args).toEqual(expect.arrayContaining(['get-token', '--cluster-name', `perfstack-${stack}`]));
    expect(deployedObjects(stack)).toEqual(distObjects(stack));
  });

  it('creates the PostgreSQL backup bucket and the IRSA role the environment names', () => {
    const backup = env.dataTier.postgres.backup;
    if (backup.kind !== 's3') throw new Error('expected S3 backups');
    const role = stacks[stack].find((r) => r.type === 'aws:iam/role:Role' && r.name.endsWith('postgres-backup-writer'))!;
    expect(role.inputs.name).toBe(backup.iamRoleArn.split('/').pop());
    const trust = JSON.parse(role.inputs.assumeRolePolicy);
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain('system:serviceaccount:web:postgres');
    const bucket = backup.destinationPath.split('/')[2];
    expect(ofType(stack, 'aws:s3/bucket:Bucket').map((b) => b.inputs.bucket)).toContain(bucket);
    expect(
      ofType(stack, 'aws:s3/bucketVersioning:BucketVersioning').find((v) => v.inputs.bucket === bucket)?.inputs.versioningConfiguration,
    ).toEqual({
      status: 'Enabled',
    });
    expect(ofType(stack, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').map((b) => b.inputs.bucket)).toContain(bucket);
  });
});

describe.each(['staging', 'prod'])('spot in the %s stack', (stack) => {
  const env = ENVIRONMENTS[stack];
  const settings = settingsOf(stack) as CloudStackSettings;

  it('has one spot pool over at least 3 instance types of one size class, in every zone', () => {
    const [spot] = nodeGroup(stack, 'SPOT');
    expect(spot.inputs.instanceTypes.length).toBeGreaterThanOrEqual(3);
    const shapes = new Set(
      spot.inputs.instanceTypes.map((t: string) => `${settings.instanceTypes[t].vcpu}/${settings.instanceTypes[t].memoryGiB}`),
    );
    expect(shapes.size).toBe(1);
    expect(zonesOf(stack, spot.inputs.subnetIds)).toEqual([...env.zones].sort());
  });

  it('labels and taints spot nodes so that exactly the spot-tolerant capacity class lands there', () => {
    const [spot] = nodeGroup(stack, 'SPOT');
    expect(spot.inputs.labels).toEqual({ [CAPACITY_TYPE_KEY]: SPOT });
    const taints = spot.inputs.taints as { key: string; value: string; effect: string }[];
    expect(taints).toEqual([{ key: CAPACITY_TYPE_KEY, value: SPOT, effect: 'NO_SCHEDULE' }]);
    // Kubernetes spells the effect NoSchedule where EKS spells it NO_SCHEDULE.
    const tolerated = (c: CapacityClass) =>
      taints.every((t) => c.tolerations.some((tol) => tol.key === t.key && tol.value === t.value && tol.effect === 'NoSchedule'));
    expect(tolerated(CapacityClass.spotTolerant())).toBe(true);
    expect(tolerated(CapacityClass.standard())).toBe(false);
    expect(tolerated(CapacityClass.critical())).toBe(false);
  });

  it('lets the spot pool grow to about the environment spot share of the node budget, and scale to zero', () => {
    const [spot] = nodeGroup(stack, 'SPOT');
    const bounds = stackPoolBounds(settings, podDemands(synthesizeCharts(env).flatMap((c) => c.objects)));
    expect(spot.inputs.scalingConfig).toMatchObject({ minSize: 0, maxSize: bounds.spot!.max });
    expect(spot.inputs.scalingConfig.maxSize).toBeGreaterThan(0);
  });
});

describe.each(CLOUD_STACKS)('the cluster autoscaler of the %s stack', (stack) => {
  it('gets a role its service account assumes, allowed to resize only this cluster node groups', () => {
    const role = stacks[stack].find((r) => r.type === 'aws:iam/role:Role' && r.name === `${stack}-cluster-autoscaler`)!;
    const trust = JSON.parse(role.inputs.assumeRolePolicy);
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain('system:serviceaccount:kube-system:cluster-autoscaler');
    const policy = JSON.parse(
      stacks[stack].find((r) => r.type === 'aws:iam/rolePolicy:RolePolicy' && r.name === `${stack}-cluster-autoscaler`)!.inputs.policy,
    );
    const resize = policy.Statement.find((st: { Action: string[] }) => st.Action.includes('autoscaling:SetDesiredCapacity'));
    expect(resize.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/perfstack-${stack}`]: 'owned' } });
  });

  it('finds each node group by the pool name its priority expander ranks', () => {
    for (const group of ofType(stack, 'aws:eks/nodeGroup:NodeGroup')) {
      const pattern = group.inputs.capacityType === 'SPOT' ? POOL_NAME_PATTERNS.spot : POOL_NAME_PATTERNS.onDemand;
      // EKS names the Auto Scaling group eks-<node group name>-<uuid>; Pulumi names the node group <resource name>-<suffix>.
      expect(new RegExp(`^${pattern}$`).test(`eks-${group.name}-1a2b3c4-00000000-0000-0000-0000-000000000000`)).toBe(true);
    }
  });
});

describe.each(['staging', 'prod'])('administrators of the %s cluster', (stack) => {
  it('get cluster-admin through an access entry each, and nothing more', () => {
    const admins = (settingsOf(stack) as CloudStackSettings).cluster.adminRoleArns!;
    expect(admins.length).toBeGreaterThan(0);
    expect(ofType(stack, 'aws:eks/accessEntry:AccessEntry').map((e) => e.inputs.principalArn)).toEqual(admins);
    for (const a of ofType(stack, 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation')) {
      expect(a.inputs).toMatchObject({
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        accessScope: { type: 'cluster' },
      });
    }
    expect(ofType(stack, 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation').map((a) => a.inputs.principalArn)).toEqual(admins);
  });
});

describe('the dev stack', () => {
  it('has no spot pool and no CDN, and keeps nodes in its one zone while EKS gets a second', () => {
    expect(nodeGroup('dev', 'SPOT')).toEqual([]);
    expect(ofType('dev', 'aws:cloudfront/distribution:Distribution')).toEqual([]);
    expect(subnets('dev', 'private').map((s) => s.inputs.availabilityZone)).toEqual(['eu-west-1a', 'eu-west-1b']);
  });
});

describe.each(['staging', 'prod'])('the %s CDN', (stack) => {
  const distribution = () => one(stack, 'aws:cloudfront/distribution:Distribution').inputs;
  const behaviors = () => [distribution().defaultCacheBehavior, ...distribution().orderedCacheBehaviors];

  it('serves HTTP/2 and HTTP/3, redirects HTTP to HTTPS everywhere and needs TLS 1.2', () => {
    expect(distribution().httpVersion).toBe('http2and3');
    for (const b of behaviors()) expect(b.viewerProtocolPolicy).toBe('redirect-to-https');
    expect(distribution().viewerCertificate.minimumProtocolVersion).toBe('TLSv1.2_2021');
  });

  it('reads static assets from a private bucket through Origin Access Control', () => {
    const origin = distribution().origins.find((o: { originId: string }) => o.originId === 'static');
    const oac = one(stack, 'aws:cloudfront/originAccessControl:OriginAccessControl');
    expect(origin.originAccessControlId).toBe(oac.id);
    expect(oac.inputs).toMatchObject({ originAccessControlOriginType: 's3', signingBehavior: 'always', signingProtocol: 'sigv4' });
    expect(origin.domainName).toBe(
      `perfstack-${stack}-static-${(ENVIRONMENTS[stack].cloud as { accountId: string }).accountId}.s3.eu-west-1.amazonaws.com`,
    );
    const policy = ofType(stack, 'aws:s3/bucketPolicy:BucketPolicy').map((p) => JSON.parse(p.inputs.policy))[0];
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Condition: { StringEquals: { 'AWS:SourceArn': `arn:aws:cloudfront::000000000000:distribution/${stack}` } },
    });
  });

  it('caches static paths with the managed caching-optimized policy, compressed, and never caches the API', () => {
    const byPath = Object.fromEntries(behaviors().map((b) => [b.pathPattern ?? 'default', b]));
    for (const path of ['default', '/assets/*', '/static/*']) {
      expect(byPath[path]).toMatchObject({ targetOriginId: 'static', cachePolicyId: MANAGED_POLICIES.cachingOptimized, compress: true });
    }
    expect(byPath['/api/*']).toMatchObject({
      targetOriginId: 'api',
      cachePolicyId: MANAGED_POLICIES.cachingDisabled,
      // With aliases the viewer's Host reaches the load balancer, whose certificate covers them.
      originRequestPolicyId: (settingsOf(stack) as CloudStackSettings).cdn?.aliases?.length
        ? MANAGED_POLICIES.allViewer
        : MANAGED_POLICIES.allViewerExceptHostHeader,
    });
    expect(byPath['/api/*'].allowedMethods).toContain('POST');
    // The API paths come first: CloudFront takes the first pattern that matches.
    expect(distribution().orderedCacheBehaviors[0].pathPattern).toBe('/api/*');
  });

  it('reaches the API origin over HTTPS with TLS 1.2 only', () => {
    const origin = distribution().origins.find((o: { originId: string }) => o.originId === 'api');
    expect(origin.customOriginConfig).toMatchObject({ originProtocolPolicy: 'https-only', originSslProtocols: ['TLSv1.2'] });
  });
});

describe('CDN settings from stack config', () => {
  it('gives prod its aliases, its certificate, PriceClass_100 and an Origin Shield in its region', () => {
    const d = one('prod', 'aws:cloudfront/distribution:Distribution').inputs;
    expect(d.aliases).toEqual(['www.perfstack.dev']);
    expect(d.priceClass).toBe('PriceClass_100');
    expect(d.viewerCertificate).toMatchObject({
      sslSupportMethod: 'sni-only',
      acmCertificateArn: expect.stringMatching(/^arn:aws:acm:us-east-1:/),
    });
    for (const o of d.origins) expect(o.originShield).toEqual({ enabled: true, originShieldRegion: 'eu-west-1' });
  });

  it('leaves Origin Shield off in staging and serves its alias with its own certificate', () => {
    const d = one('staging', 'aws:cloudfront/distribution:Distribution').inputs;
    expect(d.aliases).toEqual(['staging.perfstack.dev']);
    expect(d.viewerCertificate.acmCertificateArn).toMatch(/^arn:aws:acm:us-east-1:222222222222:/);
    for (const o of d.origins) expect(o.originShield).toBeUndefined();
  });
});

describe('the airgap stack (existing cluster)', () => {
  it('creates no cloud resources and deploys the objects of dist/airgap to the current kubeconfig context', () => {
    expect(stacks.airgap.filter((r) => r.type.startsWith('aws:') || r.type.startsWith('perfstack:aws:'))).toEqual([]);
    expect(one('airgap', 'pulumi:providers:kubernetes').inputs.context).toBeUndefined();
    expect(deployedObjects('airgap')).toEqual(distObjects('airgap'));
  });
});

describe('an existing-cluster stack of an AWS environment', () => {
  it('builds nothing in AWS and deploys the environment objects to the named kubeconfig context', () => {
    expect(stacks.onprem.filter((r) => r.type.startsWith('aws:') || r.type.startsWith('perfstack:aws:'))).toEqual([]);
    expect(one('onprem', 'pulumi:providers:kubernetes').inputs.context).toBe('onprem-prod');
    const groups = ofType('onprem', 'kubernetes:yaml/v2:ConfigGroup').map((g) => g.name);
    expect(groups.sort()).toEqual(
      synthesizeCharts(ENVIRONMENTS.prod)
        .map((c) => `prod-${c.chart}`)
        .sort(),
    );
  });
});

describe('mistakes found while building a stack', () => {
  it('names the pool whose instance type cannot hold a pod', () => {
    const settings = settingsOf('prod') as CloudStackSettings;
    const small = { ...settings, nodePools: { ...settings.nodePools, onDemand: { instanceTypes: ['m6i.xlarge'] } } };
    const demands = podDemands(synthesizeCharts(ENVIRONMENTS.prod).flatMap((c) => c.objects));
    expect(() => stackPoolBounds(small, demands)).toThrow(
      expect.objectContaining({
        propertyPath: 'perfstack:nodePools.onDemand.instanceTypes',
        reason:
          'a pod requesting 4000m CPU and 16384Mi memory does not fit a node with 3600m and 14848Mi allocatable; choose a larger instance type',
      }),
    );
  });

  it('reports a broken environment as the synth report, without a stack trace', () => {
    const settings = settingsOf('prod') as CloudStackSettings;
    const broken = { ...settings, environment: { ...settings.environment, zones: [] } };
    let thrown: unknown;
    try {
      buildStack(broken);
    } catch (e) {
      thrown = e;
    }
    expect(pulumi.RunError.isInstance(thrown)).toBe(true);
    expect((thrown as Error).message).toBe("prod: 'zones' ([]) must list at least one zone");
  });
});

describe('the deployWorkloads false escape hatch', () => {
  it('builds the cloud side and the operators but applies none of the App, and so no CDN', () => {
    expect(ofType('bootstrap', 'aws:eks/cluster:Cluster')).toHaveLength(1);
    expect(ofType('bootstrap', 'aws:eks/nodeGroup:NodeGroup')).toHaveLength(2);
    expect(ofType('bootstrap', 'kubernetes:helm.sh/v3:Release').length).toBeGreaterThan(0);
    expect(ofType('bootstrap', 'kubernetes:yaml/v2:ConfigGroup')).toEqual([]);
    expect(ofType('bootstrap', 'aws:cloudfront/distribution:Distribution')).toEqual([]);
  });
});

describe('a stack that provisions nodes with Karpenter', () => {
  it('keeps only the on-demand node group, with the role name the EC2NodeClass refers to', () => {
    expect(nodeGroup('karpenter', 'SPOT')).toEqual([]);
    // Karpenter's controller, role and queue are the platform team's; the stack installs no cluster autoscaler either.
    const releases = ofType('karpenter', 'kubernetes:helm.sh/v3:Release').map((r) => r.inputs.name);
    expect(releases).not.toContain('karpenter');
    expect(releases).not.toContain('cluster-autoscaler');
    expect(nodeGroup('karpenter', 'ON_DEMAND')).toHaveLength(1);
    const role = stacks.karpenter.find((r) => r.type === 'aws:iam/role:Role' && r.name === 'staging-node')!;
    const platform = stacks.karpenter.find((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name === 'staging-platform')!;
    const nodeClass = platform.inputs.objs.find((o: { kind: string }) => o.kind === 'EC2NodeClass');
    expect(nodeClass.spec.role).toBe(role.inputs.name);
  });

  it('tags the cluster security group so Karpenter finds it, and ships NodePools instead of autoscaler priorities', () => {
    expect(one('karpenter', 'aws:ec2/tag:Tag').inputs).toMatchObject({ key: 'karpenter.sh/discovery', value: 'perfstack-staging' });
    const platform = stacks.karpenter.find((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name === 'staging-platform')!;
    const kinds = platform.inputs.objs.map((o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['NodePool/perfstack-spot', 'NodePool/perfstack-on-demand', 'EC2NodeClass/perfstack']));
    expect(kinds).not.toContain('ConfigMap/cluster-autoscaler-priority-expander');
  });
});

/** The objects of every ConfigGroup of a stack, by chart file name. */
function deployedObjects(stack: string): Record<string, unknown[]> {
  return Object.fromEntries(
    synthesizeCharts(ENVIRONMENTS[stack]).map((c) => {
      const group = stacks[stack].find((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name === `${stack}-${c.chart}`)!;
      // Ingresses are typed resources (their status is the load balancer's name), the rest go through the group.
      const ingresses = stacks[stack]
        .filter((r) => r.type === 'kubernetes:networking.k8s.io/v1:Ingress' && r.name.startsWith(`${stack}-${c.chart}-`))
        .map((r) => Object.fromEntries(Object.entries(r.inputs).filter(([k]) => k !== 'status')));
      return [c.file, [...group.inputs.objs, ...ingresses]];
    }),
  );
}

/** The objects `npm run synth` writes to dist/<env>/, parsed back from the files' text. */
function distObjects(stack: string): Record<string, unknown[]> {
  return Object.fromEntries(
    renderEnvironment(ENVIRONMENTS[stack])
      .filter((f) => f.path.endsWith('.k8s.yaml'))
      .map((f) => [f.path.split('/').pop()!, parseAllDocuments(f.content).map((d) => d.toJSON())]),
  );
}
