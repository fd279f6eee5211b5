import { StackValidationArgs } from '@pulumi/policy';
import { cloudfrontViolations, s3OriginViolations, spotNodeGroupViolations, StackResource } from '../../../policies/crossguard/aws';
import { kubeObjectOf, packContext } from '../../../policies/crossguard/kubernetes';
import { ENVIRONMENTS } from '../../../stacks/environments';
import { POLICIES } from '../../../policies/crossguard/policies';
import { chartsOf } from '../../support/environments';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const subnet = (id: string, az: string): StackResource => ({
  type: 'aws:ec2/subnet:Subnet',
  urn: `urn:${id}`,
  props: { id, availabilityZone: az, mapPublicIpOnLaunch: false },
});
const subnets = [subnet('a', 'eu-west-1a'), subnet('b', 'eu-west-1b'), subnet('c', 'eu-west-1c')];
const spot = (props: Json): StackResource => ({
  type: 'aws:eks/nodeGroup:NodeGroup',
  urn: 'urn:spot',
  props: { capacityType: 'SPOT', instanceTypes: ['m6i.large', 'm6a.large', 'm5.large'], subnetIds: ['a', 'b', 'c'], ...props },
});
const distribution = (props: Json): StackResource => ({
  type: 'aws:cloudfront/distribution:Distribution',
  urn: 'urn:cdn',
  props: {
    defaultCacheBehavior: { viewerProtocolPolicy: 'redirect-to-https' },
    orderedCacheBehaviors: [{ pathPattern: '/api/*', viewerProtocolPolicy: 'https-only' }],
    viewerCertificate: { minimumProtocolVersion: 'TLSv1.2_2021' },
    origins: [{ originId: 'assets', domainName: 'assets.s3.eu-west-1.amazonaws.com', originAccessControlId: 'oac-1' }],
    ...props,
  },
});
const block: StackResource = {
  type: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  urn: 'urn:block',
  props: { bucket: 'assets', blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
};

/** prod's objects as the pack sees them: Pulumi resources typed `kubernetes:<group>/<version>:<Kind>`. */
function prodResources(): { type: string; urn: string; props: Json }[] {
  return chartsOf('prod')
    .flatMap((c) => c.objects)
    .map((o: Json, i) => ({
      type: `kubernetes:${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`,
      urn: `urn:${i}`,
      props: o,
    }));
}

/** Calls a pack policy's validator directly, as the CrossGuard engine would, and collects its violations. */
function violations(policy: string, resources: readonly { type: string; urn: string; props: Json }[], config: Json = {}): string[] {
  const found: string[] = [];
  const p = POLICIES.find((x) => x.name === policy)!;
  const args = { resources, stackTags: new Map(), getConfig: () => config } as unknown as StackValidationArgs;
  (p.validateStack as (a: StackValidationArgs, r: (m: string) => void) => void)(args, (m) => found.push(m));
  return found;
}

describe('CrossGuard pack', () => {
  it('accepts a compliant spot pool, CDN and bucket', () => {
    const resources = [...subnets, spot({}), distribution({}), block];
    for (const p of POLICIES.filter((x) => x.name !== 'perfstack-kubernetes')) expect(violations(p.name, resources)).toEqual([]);
  });

  it('requires 3 instance types and every zone in spot node groups', () => {
    expect(
      spotNodeGroupViolations([...subnets, spot({ instanceTypes: ['m6i.large'], subnetIds: ['a', 'b'] })]).map((v) => v.message),
    ).toEqual([
      'spot node group uses 1 instance type(s); use at least 3 of one size class so one shortage does not empty it',
      'spot node group has no subnet in eu-west-1c; spot capacity must span every zone',
    ]);
  });

  it('finds a subnet by the id in its ARN when its outputs carry no id', () => {
    const byArn = subnets.map((s) => ({ ...s, props: { ...s.props, id: undefined, arn: `arn:aws:ec2:eu-west-1:1:subnet/${s.props.id}` } }));
    expect(spotNodeGroupViolations([...byArn, spot({})])).toEqual([]);
    expect(spotNodeGroupViolations([...byArn, spot({ subnetIds: ['a'] })]).map((v) => v.message)).toEqual([
      'spot node group has no subnet in eu-west-1b, eu-west-1c; spot capacity must span every zone',
    ]);
  });

  it('requires HTTPS only and TLS 1.2 on CloudFront', () => {
    const v = cloudfrontViolations([
      distribution({
        defaultCacheBehavior: { viewerProtocolPolicy: 'allow-all' },
        viewerCertificate: { cloudfrontDefaultCertificate: true },
      }),
    ]);
    expect(v.map((x) => x.message)).toEqual([
      "cache behavior 'default' allows HTTP (viewerProtocolPolicy allow-all); use redirect-to-https",
      'minimumProtocolVersion is unset (TLSv1 with the default certificate); use TLSv1.2_2021',
    ]);
  });

  it('requires S3 origins behind Origin Access Control with public access blocked', () => {
    const v = s3OriginViolations([distribution({ origins: [{ originId: 'assets', domainName: 'assets.s3.eu-west-1.amazonaws.com' }] })]);
    expect(v.map((x) => x.message)).toEqual([
      "S3 origin 'assets' has no Origin Access Control",
      "bucket 'assets' behind origin 'assets' does not block all public access",
    ]);
  });

  it('applies the policy CLI rules to Kubernetes resources: prod passes, a planted defect is reported', () => {
    const resources = prodResources();
    const config = { zones: 3, production: true };
    expect(violations('perfstack-kubernetes', resources, config)).toEqual([]);
    const broken = resources.map((r) =>
      r.props.kind === 'Deployment' && r.props.metadata.name === 'web'
        ? { ...r, props: { ...r.props, spec: { ...r.props.spec, replicas: 2 } } }
        : r,
    );
    expect(violations('perfstack-kubernetes', broken, config)).toEqual([
      '[autoscaled-replicas] Deployment/web: sets replicas: 2 although an autoscaler owns the count',
    ]);
  });

  it("takes zones, production and registry from the Namespace's perfstack.io annotations, unless configured", () => {
    const resources = prodResources();
    const objects = resources.map((r) => kubeObjectOf(r.type, r.props));
    expect(packContext(objects, {})).toEqual({ zones: 3, production: true, registry: undefined });
    expect(packContext(objects, { production: false })).toMatchObject({ production: false });
    // A production rule fires with no pack configuration at all: an HPA floor of 1 for web in prod.
    const floorOfOne = resources.map((r) =>
      r.props.kind === 'HorizontalPodAutoscaler' && r.props.metadata.name === 'web'
        ? { ...r, props: { ...r.props, spec: { ...r.props.spec, minReplicas: 1 } } }
        : r,
    );
    expect(violations('perfstack-kubernetes', floorOfOne, {}).join('\n')).toContain('[production-replicas]');
    expect(violations('perfstack-kubernetes', floorOfOne, { production: false }).join('\n')).not.toContain('[production-replicas]');
    const airgap = chartsOf('airgap').flatMap((c) => c.objects) as Json[];
    expect(packContext(airgap, {})).toEqual({ zones: 3, production: true, registry: ENVIRONMENTS.airgap.imageRegistry });
    const bare = objects.map((o) => (o?.kind === 'Namespace' ? { ...o, metadata: { ...o.metadata, annotations: {} } } : o));
    expect(packContext(bare, {})).toEqual({ zones: 3, production: false, registry: undefined });
  });

  it('maps Pulumi type tokens to apiVersion and kind', () => {
    expect(kubeObjectOf('kubernetes:apps/v1:Deployment', { metadata: { name: 'a' } })).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
    });
    expect(kubeObjectOf('kubernetes:core/v1:Service', { metadata: { name: 'a' } })).toMatchObject({ apiVersion: 'v1', kind: 'Service' });
    expect(kubeObjectOf('kubernetes:yaml/v2:ConfigGroup', {})).toBeUndefined();
  });
});
