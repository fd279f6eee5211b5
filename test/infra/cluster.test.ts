import { POOL_NAME_PATTERNS } from '../../constructs/platform/autoscaler-priorities';
import { CONTROL_PLANE_LOG_TYPES, eksVersionWarning } from '../../infra/cluster';
import { eksSupportWarning } from '../../stacks/kubernetes-versions';
import { ENVIRONMENTS } from '../../stacks/environments';
import { CloudStackSettings } from '../../stacks/stack-config';
import { ofType, one, recordStacks, settingsOf, stacks, warnings, zonesOf } from './support/stacks';
import { CLOUD_STACKS } from '../support/environments';

// The EKS cluster component (infra/cluster.ts) and what it grants: the cluster autoscaler's role, admin access entries.
recordStacks(CLOUD_STACKS, { cloudOnly: true });

describe.each(CLOUD_STACKS)('the EKS cluster of the %s stack', (stack) => {
  const env = ENVIRONMENTS[stack];

  it('warns at preview exactly when the environment Kubernetes version is past EKS standard support', () => {
    const today = new Date();
    const expected =
      eksVersionWarning(env.kubernetesVersion, today) ?? eksSupportWarning(`perfstack-${stack}`, env.kubernetesVersion, today);
    expect(warnings.filter((w) => w.includes('EKS') && w.includes(env.kubernetesVersion))).toEqual(expected ? [expected] : []);
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
