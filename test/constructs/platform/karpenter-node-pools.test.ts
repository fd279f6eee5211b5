import { KarpenterNodePools, KarpenterNodePoolsProps } from '../../../constructs/platform/karpenter-node-pools';
import { CapacityClass } from '../../../constructs/workload/capacity-class';
import { schemaValidator } from '../../support/k8s-schema';
import { freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const props: KarpenterNodePoolsProps = {
  clusterName: 'perfstack-prod',
  nodeRole: 'perfstack-prod-node',
  zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  spotPercent: 60,
  cpuLimit: 200,
};

function synth(overrides: Partial<KarpenterNodePoolsProps> = {}): Json[] {
  const chart = freshChart();
  new KarpenterNodePools(chart, 'karpenter', { ...props, ...overrides });
  return objectsOf(chart) as Json[];
}

const pool = (objects: Json[], name: string) => objects.find((o) => o.kind === 'NodePool' && o.metadata.name === name);

describe('KarpenterNodePools', () => {
  const objects = synth();
  const spot = pool(objects, 'perfstack-spot');
  const onDemand = pool(objects, 'perfstack-on-demand');

  it('validates against the Karpenter NodePool and EC2NodeClass CRDs', () => {
    const v = schemaValidator();
    expect(objects.map((o) => o.kind).sort()).toEqual(['EC2NodeClass', 'NodePool', 'NodePool']);
    expect(objects.flatMap((o) => v.validate(o))).toEqual([]);
  });

  it('tries spot first and falls back to on-demand', () => {
    expect(spot.spec.weight).toBeGreaterThan(onDemand.spec.weight);
    expect(spot.spec.template.spec.requirements).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] });
    expect(onDemand.spec.template.spec.requirements).toContainEqual({
      key: 'karpenter.sh/capacity-type',
      operator: 'In',
      values: ['on-demand'],
    });
  });

  it('limits spot to the spot share of the vCPU limit and lets on-demand take all of it', () => {
    expect(spot.spec.limits).toEqual({ cpu: 120 });
    expect(onDemand.spec.limits).toEqual({ cpu: 200 });
  });

  it('labels and taints spot nodes so that only spot-tolerant pods land there', () => {
    expect(spot.spec.template.metadata.labels).toEqual({ 'perfstack.io/capacity-type': 'spot' });
    const [taint] = spot.spec.template.spec.taints;
    const tolerates = (c: CapacityClass) =>
      c.tolerations.some((t) => t.key === taint.key && t.value === taint.value && t.effect === taint.effect);
    expect(tolerates(CapacityClass.spotTolerant())).toBe(true);
    expect(tolerates(CapacityClass.standard())).toBe(false);
    expect(onDemand.spec.template.spec.taints).toEqual([]);
    expect(onDemand.spec.template.metadata.labels).toEqual({ 'perfstack.io/capacity-type': 'on-demand' });
  });

  it('needs at least three instance families for a spot launch, in the environment zones only', () => {
    expect(spot.spec.template.spec.requirements).toContainEqual({
      key: 'karpenter.k8s.aws/instance-family',
      operator: 'Exists',
      minValues: 3,
    });
    for (const p of [spot, onDemand])
      expect(p.spec.template.spec.requirements).toContainEqual({ key: 'topology.kubernetes.io/zone', operator: 'In', values: props.zones });
  });

  it('launches hardened nodes in the cluster subnets with the node role', () => {
    const nodeClass = objects.find((o) => o.kind === 'EC2NodeClass').spec;
    expect(nodeClass.role).toBe('perfstack-prod-node');
    expect(nodeClass.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'perfstack-prod' } }]);
    expect(nodeClass.metadataOptions).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
    expect(nodeClass.blockDeviceMappings[0].ebs).toMatchObject({ encrypted: true, volumeType: 'gp3' });
  });

  it('consolidates under-used nodes, a tenth at a time, and replaces nodes monthly', () => {
    for (const p of [spot, onDemand]) {
      expect(p.spec.disruption).toEqual({
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: '1m',
        budgets: [{ nodes: '10%' }],
      });
      expect(p.spec.template.spec.expireAfter).toBe('720h');
    }
  });

  it('makes no spot pool without spot', () => {
    expect(pool(synth({ spotPercent: 0 }), 'perfstack-spot')).toBeUndefined();
  });

  it.each<[Partial<KarpenterNodePoolsProps>, string]>([
    [{ spotWeight: 5 }, "test/karpenter: 'spotWeight' (5) must be above onDemandWeight (10) so that spot is tried first"],
    [{ cpuLimit: 0 }, "test/karpenter: 'cpuLimit' (0) must be >= 1 vCPU"],
    [{ cpuLimit: 2.5 }, "test/karpenter: 'cpuLimit' (2.5) must be a whole number"],
    [{ spotPercent: 95 }, "test/karpenter: 'spotPercent' (95) must be a whole-number percentage between 0 and 90"],
    [{ spotPercent: 0.6 }, "test/karpenter: 'spotPercent' (0.6) must be a whole-number percentage between 0 and 90; did you mean 60?"],
  ])('rejects %j', (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });
});
