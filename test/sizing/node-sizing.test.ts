import fc from 'fast-check';
import { cpuMillis, memoryMiB, nodesFor, podDemands, podRequests, poolNodes } from '../../sizing/node-sizing';

describe('quantities', () => {
  it.each([
    ['500m', 500],
    ['2', 2000],
    ['0.5', 500],
    [1, 1000],
  ])('reads CPU %p as %p millicores', (q, m) => expect(cpuMillis(q)).toBe(m));

  it.each([
    ['512Mi', 512],
    ['2Gi', 2048],
    ['1048576', 1],
    ['1G', 1e9 / 2 ** 20],
  ])('reads memory %p as %p MiB', (q, m) => expect(memoryMiB(q)).toBeCloseTo(m, 9));

  it('names a quantity it cannot read', () => expect(() => cpuMillis('lots')).toThrow("'lots' is not a CPU quantity"));
});

describe('podRequests', () => {
  it('sums the containers and takes an init container when it asks for more', () => {
    expect(
      podRequests({
        containers: [
          { resources: { requests: { cpu: '250m', memory: '256Mi' } } },
          { resources: { requests: { cpu: '50m', memory: '64Mi' } } },
        ],
        initContainers: [{ resources: { requests: { cpu: '1', memory: '32Mi' } } }],
      }),
    ).toEqual({ cpuMillis: 1000, memoryMiB: 320 });
  });
});

const deployment = (name: string, tolerations: unknown[] = []) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'web' },
  spec: {
    replicas: 3,
    template: {
      metadata: { labels: { 'cost-center': 'cc-9' } },
      spec: { tolerations, containers: [{ resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
    },
  },
});

describe('podDemands', () => {
  it('takes replica bounds from the HPA or ScaledObject, else spec.replicas', () => {
    const objects = [
      deployment('a'),
      deployment('b'),
      deployment('c'),
      {
        kind: 'HorizontalPodAutoscaler',
        metadata: { namespace: 'web' },
        spec: { scaleTargetRef: { kind: 'Deployment', name: 'a' }, minReplicas: 2, maxReplicas: 9 },
      },
      {
        kind: 'ScaledObject',
        metadata: { namespace: 'web' },
        spec: { scaleTargetRef: { name: 'b' }, minReplicaCount: 1, maxReplicaCount: 4 },
      },
    ];
    expect(podDemands(objects).map((d) => [d.workload, d.minReplicas, d.maxReplicas, d.costCenter])).toEqual([
      ['Deployment/web/a', 2, 9, 'cc-9'],
      ['Deployment/web/b', 1, 4, 'cc-9'],
      ['Deployment/web/c', 3, 3, 'cc-9'],
    ]);
  });

  it('counts pods as spot-tolerant only when they tolerate the spot taint', () => {
    const [plain, spot, other] = podDemands([
      deployment('plain'),
      deployment('spot', [{ key: 'perfstack.io/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }]),
      deployment('other', [{ key: 'dedicated', operator: 'Exists' }]),
    ]);
    expect([plain.spotTolerant, spot.spotTolerant, other.spotTolerant]).toEqual([false, true, false]);
  });

  it('reads CloudNativePG instances and pooler templates, and leaves Jobs out', () => {
    const demands = podDemands([
      {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: { name: 'pg', namespace: 'web' },
        spec: { instances: 3, resources: { requests: { cpu: '2', memory: '8Gi' } } },
      },
      {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Pooler',
        metadata: { name: 'pool', namespace: 'web' },
        spec: {
          instances: 2,
          template: { spec: { containers: [{ name: 'pgbouncer', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } },
        },
      },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'web' }, spec: {} },
    ]);
    expect(demands.map((d) => [d.workload, d.cpuMillis, d.memoryMiB, d.maxReplicas])).toEqual([
      ['Cluster/web/pg', 2000, 8192, 3],
      ['Pooler/web/pool', 100, 64, 2],
    ]);
  });
});

describe('nodesFor', () => {
  const node = { cpuMillis: 4000, memoryMiB: 16384 };

  it('packs by the larger of the CPU and memory shares', () => {
    // Three 1-CPU/10Gi pods: CPU would fit four per node, memory only one.
    expect(nodesFor(Array(3).fill({ cpuMillis: 1000, memoryMiB: 10240 }), node)).toBe(3);
    expect(nodesFor(Array(8).fill({ cpuMillis: 1000, memoryMiB: 1024 }), node)).toBe(2);
  });

  it('refuses a pod no node of the pool can hold, naming the fix', () => {
    expect(() => nodesFor([{ cpuMillis: 6000, memoryMiB: 1024 }], node)).toThrow('choose a larger instance type');
  });

  it('never uses fewer nodes than the requests need nor more than one per pod', () => {
    const pod = fc.record({ cpuMillis: fc.integer({ min: 1, max: 4000 }), memoryMiB: fc.integer({ min: 1, max: 16384 }) });
    fc.assert(
      fc.property(fc.array(pod, { maxLength: 60 }), (pods) => {
        const n = nodesFor(pods, node);
        const cpu = pods.reduce((a, p) => a + p.cpuMillis, 0);
        const mem = pods.reduce((a, p) => a + p.memoryMiB, 0);
        expect(n).toBeGreaterThanOrEqual(Math.max(Math.ceil(cpu / node.cpuMillis), Math.ceil(mem / node.memoryMiB)));
        expect(n).toBeLessThanOrEqual(pods.length);
      }),
    );
  });
});

describe('poolNodes', () => {
  it('puts spot-tolerant pods on the spot shape and the rest on on-demand', () => {
    const demands = podDemands([
      deployment('on-demand'),
      deployment('spot', [{ key: 'perfstack.io/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }]),
    ]);
    const tiny = { cpuMillis: 100, memoryMiB: 128 };
    expect(poolNodes(demands, 'max', tiny, tiny)).toEqual({ onDemand: 3, spot: 3 });
    expect(poolNodes(demands, 'max', tiny)).toEqual({ onDemand: 6, spot: 0 });
  });
});
