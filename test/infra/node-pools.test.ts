import { CAPACITY_TYPE_KEY, CapacityClass, ON_DEMAND, SPOT } from '../../constructs/workload/capacity-class';
import { podDemands } from '../../sizing/node-sizing';
import { stackPoolBounds } from '../../sizing/pool-bounds';
import { ENVIRONMENTS } from '../../stacks/environments';
import { CloudStackSettings } from '../../stacks/stack-config';
import { nodeGroup, ofType, one, recordStacks, settingsOf, stacks, subnets, zonesOf } from './support/stacks';
import { CLOUD_STACKS, chartsOf } from '../support/environments';

// The NodePools component (infra/node-pools.ts): on-demand and spot node groups, or Karpenter's one on-demand group.
recordStacks([...CLOUD_STACKS, 'karpenter'], { cloudOnly: true });

describe.each(CLOUD_STACKS)('on-demand nodes of the %s stack', (stack) => {
  const env = ENVIRONMENTS[stack];

  it('labels on-demand nodes, spreads them over exactly the environment zones, and sizes them from the workloads', () => {
    const [group] = nodeGroup(stack, 'ON_DEMAND');
    const settings = settingsOf(stack) as CloudStackSettings;
    const bounds = stackPoolBounds(settings, podDemands(chartsOf(stack).flatMap((c) => c.objects)));
    expect(group.inputs.labels).toEqual({ [CAPACITY_TYPE_KEY]: ON_DEMAND });
    expect(group.inputs.taints).toEqual([]);
    expect(zonesOf(stack, group.inputs.subnetIds)).toEqual([...env.zones].sort());
    expect(group.inputs.instanceTypes).toEqual(settings.nodePools.onDemand.instanceTypes);
    expect(group.inputs.scalingConfig).toMatchObject({ minSize: bounds.onDemand.min, maxSize: bounds.onDemand.max });
    expect(group.inputs.scalingConfig.minSize).toBeGreaterThanOrEqual(env.zones.length);
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
    const bounds = stackPoolBounds(settings, podDemands(chartsOf(stack).flatMap((c) => c.objects)));
    expect(spot.inputs.scalingConfig).toMatchObject({ minSize: 0, maxSize: bounds.spot!.max });
    expect(spot.inputs.scalingConfig.maxSize).toBeGreaterThan(0);
  });
});

describe('the dev stack', () => {
  it('has no spot pool and no CDN, and keeps nodes in its one zone while EKS gets a second', () => {
    expect(nodeGroup('dev', 'SPOT')).toEqual([]);
    expect(ofType('dev', 'aws:cloudfront/distribution:Distribution')).toEqual([]);
    expect(subnets('dev', 'private').map((s) => s.inputs.availabilityZone)).toEqual(['eu-west-1a', 'eu-west-1b']);
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
