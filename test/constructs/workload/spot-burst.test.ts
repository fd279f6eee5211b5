import { Testing } from 'cdk8s';
import { buildPlatform } from '../../../stacks/platform';
import { dev } from '../../../stacks/dev';
import { prod } from '../../../stacks/prod';
import { excessCpuQuery, spotBurstBounds } from '../../../constructs/workload/spot-burst';
import { CapacityClass } from '../../../constructs/workload/capacity-class';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

function objectsOf(env: typeof prod, service: string): Obj[] {
  const { serviceCharts } = buildPlatform(env, Testing.app());
  return Testing.synth(serviceCharts[service]);
}

const find = (objs: Obj[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);

describe('spot burst (prod api-gateway: critical, floors up to 11 from business hours and the forecast, max 20)', () => {
  const objs = objectsOf(prod, 'api-gateway');
  const base = find(objs, 'Deployment', 'api-gateway');
  const burst = find(objs, 'Deployment', 'api-gateway-burst');

  it('keeps the base on on-demand nodes, scaled from its minimum to its highest floor', () => {
    expect(
      base.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions,
    ).toEqual([{ key: 'perfstack.io/capacity-type', operator: 'NotIn', values: ['spot'] }]);
    const so = find(objs, 'ScaledObject', 'api-gateway');
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([2, 11]);
  });

  it('runs the same pods on spot above it, from zero to the rest of the max, on the excess CPU over the base', () => {
    const t = burst.spec.template;
    expect(t.spec.containers).toEqual(base.spec.template.spec.containers);
    expect(t.spec.tolerations).toContainEqual({
      key: 'perfstack.io/capacity-type',
      operator: 'Equal',
      value: 'spot',
      effect: 'NoSchedule',
    });
    expect(t.spec.priorityClassName).toBe('perfstack-spot-tolerant');
    expect(burst.spec.replicas).toBeUndefined();
    const so = find(objs, 'ScaledObject', 'api-gateway-burst');
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([0, 9]);
    expect(so.spec.triggers).toEqual([
      {
        type: 'prometheus',
        name: 'excess-cpu',
        metricType: 'AverageValue',
        metadata: {
          serverAddress: prod.monitoring.prometheusUrl,
          query: excessCpuQuery('web', 'api-gateway', 0.35),
          threshold: '0.35',
          activationThreshold: '0',
        },
      },
    ]);
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior).toEqual(
      find(objs, 'ScaledObject', 'api-gateway').spec.advanced.horizontalPodAutoscalerConfig.behavior,
    );
  });

  it('keeps the two Deployments apart while the Service and its ingress rules reach both', () => {
    const burstSelector = burst.spec.selector.matchLabels;
    expect(burstSelector).toEqual({ 'app.kubernetes.io/name': 'api-gateway', 'app.kubernetes.io/instance': 'api-gateway-prod-burst' });
    // Neither Deployment selects the other's pods.
    const selects = (sel: Record<string, string>, labels: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);
    expect(selects(base.spec.selector.matchLabels, burst.spec.template.metadata.labels)).toBe(false);
    expect(selects(burstSelector, base.spec.template.metadata.labels)).toBe(false);
    const service = find(objs, 'Service', 'api-gateway');
    expect(
      selects(service.spec.selector, base.spec.template.metadata.labels) &&
        selects(service.spec.selector, burst.spec.template.metadata.labels),
    ).toBe(true);
    const np = find(objs, 'NetworkPolicy', 'api-gateway-burst');
    expect(np.spec.podSelector.matchLabels).toEqual(burstSelector);
    expect(np.spec.ingress).toEqual(find(objs, 'NetworkPolicy', 'api-gateway').spec.ingress);
  });

  it('spreads and protects the burst pods by their own labels', () => {
    const tsc = burst.spec.template.spec.topologySpreadConstraints;
    expect(tsc.map((c: Obj) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    for (const c of tsc) expect(c.labelSelector.matchLabels).toEqual(burst.spec.selector.matchLabels);
    expect(find(objs, 'PodDisruptionBudget', 'api-gateway-burst').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: burst.spec.selector.matchLabels },
    });
  });
});

describe('spotBurstBounds', () => {
  const api = prod.services.find((s) => s.name === 'api-gateway')!;

  it('splits the max between base (up to the highest floor) and burst', () => {
    expect(spotBurstBounds({ ...api, spotCapacity: true })).toEqual({ baseMax: 11, burstMax: 9 });
    expect(spotBurstBounds({ ...api, spotCapacity: true, forecastFloors: undefined })).toEqual({ baseMax: 6, burstMax: 14 });
    // Floors that reach the max leave nothing to burst.
    expect(spotBurstBounds({ ...api, spotCapacity: true, replicas: { min: 2, max: 11 } })).toBeUndefined();
  });

  it('changes nothing where the environment has no spot capacity or the class has no burst', () => {
    expect(spotBurstBounds({ ...api, spotCapacity: false })).toBeUndefined();
    expect(spotBurstBounds({ ...api, spotCapacity: true, capacity: CapacityClass.critical() })).toBeUndefined();
    expect(objectsOf(dev, 'api-gateway').some((o) => o.metadata.name === 'api-gateway-burst')).toBe(false);
  });

  it('leaves spot-tolerant classes as they are', () => {
    expect(CapacityClass.spotTolerant().withSpotBurst().spotBurst).toBe(false);
  });
});
