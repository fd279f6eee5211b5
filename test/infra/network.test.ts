import fc from 'fast-check';
import { networkZones, subnetPlan } from '../../infra/network';
import { ENVIRONMENTS } from '../../stacks/environments';
import { ofType, one, recordStacks, subnets } from './support/stacks';
import { CLOUD_STACKS } from '../support/environments';

const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const range = (cidr: string) => {
  const [ip, prefix] = cidr.split('/');
  const start = toInt(ip);
  return { start, end: start + 2 ** (32 - Number(prefix)) - 1 };
};

describe('subnetPlan', () => {
  it('gives each of three zones a /18 private and a /20 public subnet of a /16', () => {
    expect(subnetPlan('10.30.0.0/16', ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'])).toEqual([
      { zone: 'eu-west-1a', privateCidr: '10.30.0.0/18', publicCidr: '10.30.192.0/20' },
      { zone: 'eu-west-1b', privateCidr: '10.30.64.0/18', publicCidr: '10.30.208.0/20' },
      { zone: 'eu-west-1c', privateCidr: '10.30.128.0/18', publicCidr: '10.30.224.0/20' },
    ]);
  });

  it('keeps every subnet inside the VPC, aligned, and apart from every other', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 20 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 255 }),
        (prefix, zones, octet) => {
          const vpc = `10.${octet}.0.0/${prefix}`;
          const plan = subnetPlan(
            vpc,
            Array.from({ length: zones }, (_, i) => `z${i}`),
          );
          const all = plan.flatMap((z) => [z.privateCidr, z.publicCidr]).map(range);
          const outer = range(vpc);
          for (const [i, r] of all.entries()) {
            expect(r.start).toBeGreaterThanOrEqual(outer.start);
            expect(r.end).toBeLessThanOrEqual(outer.end);
            expect(r.start % (r.end - r.start + 1)).toBe(0);
            for (const other of all.slice(i + 1)) expect(r.end < other.start || other.end < r.start).toBe(true);
          }
        },
      ),
    );
  });
});

describe('networkZones', () => {
  it('adds the next zone of the region when the environment has one, because EKS needs two', () => {
    expect(networkZones(['eu-west-1a'])).toEqual(['eu-west-1a', 'eu-west-1b']);
  });

  it('keeps environments with several zones as they are', () => {
    expect(networkZones(['us-east-1b', 'us-east-1d'])).toEqual(['us-east-1b', 'us-east-1d']);
  });
});

recordStacks(CLOUD_STACKS, { cloudOnly: true });

describe.each(CLOUD_STACKS)('the network of the %s stack', (stack) => {
  const env = ENVIRONMENTS[stack];
  const cloud = env.cloud as Extract<typeof env.cloud, { kind: 'aws' }>;

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
});
