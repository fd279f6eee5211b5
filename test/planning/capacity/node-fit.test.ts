import fc from 'fast-check';
import { PodDemand } from '../../../sizing/node-sizing';
import { fit, nodesNeeded, parseNodes } from '../../../planning/capacity/node-fit';

const demand = (workload: string, cpuMillis: number, memoryMiB: number, min: number, max = min): PodDemand => ({
  workload,
  cpuMillis,
  memoryMiB,
  minReplicas: min,
  maxReplicas: max,
  spotTolerant: false,
  costCenter: 'cc',
});
const NO_OVERHEAD = { cpuMillis: 0, memoryMiB: 0 };

describe('parseNodes', () => {
  it('reads counts, cores or millicores, and memory with binary or decimal units', () => {
    expect(parseNodes('3x8/32Gi, 1x500m/1024Mi,2x4/8G')).toEqual({
      groups: [
        { count: 3, cpuMillis: 8000, memoryMiB: 32768 },
        { count: 1, cpuMillis: 500, memoryMiB: 1024 },
        { count: 2, cpuMillis: 4000, memoryMiB: 8e9 / 2 ** 20 },
      ],
      problems: [],
    });
  });

  it.each(['3x8/32', '8/32Gi', 'x8/32Gi', '0x8/32Gi', '3x0/32Gi', '3x8/32GB'])('refuses %j naming the input', (text) => {
    expect(parseNodes(text).problems).toEqual([expect.stringMatching(/^'--nodes' \(".*"\) (must be|needs)/)]);
  });
});

describe('fit', () => {
  it('spreads the pods of a workload over nodes and names what does not fit', () => {
    const r = fit(
      [demand('db', 3000, 3000, 3), demand('api', 500, 500, 2)],
      [{ count: 2, cpuMillis: 4000, memoryMiB: 4000 }],
      'min',
      NO_OVERHEAD,
    );
    expect(r.fits).toBe(false);
    expect(r.unplaced).toEqual([{ workload: 'db', count: 1, cpuMillis: 3000, memoryMiB: 3000 }]);
    expect(r.nodes.map((n) => n.pods.filter((p) => p === 'db').length)).toEqual([1, 1]);
  });

  it('takes the node overhead off every node', () => {
    const pods = [demand('a', 1000, 1000, 1)];
    expect(fit(pods, [{ count: 1, cpuMillis: 1000, memoryMiB: 2000 }], 'min', NO_OVERHEAD).fits).toBe(true);
    expect(fit(pods, [{ count: 1, cpuMillis: 1000, memoryMiB: 2000 }], 'min', { cpuMillis: 100, memoryMiB: 0 }).fits).toBe(false);
  });

  it('never places more on a node than it can hold, and places every pod when it says it fits', () => {
    const arbPod = fc.record({
      cpu: fc.integer({ min: 10, max: 3000 }),
      mem: fc.integer({ min: 10, max: 6000 }),
      n: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(arbPod, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 6 }), (pods, count) => {
        const demands = pods.map((p, i) => demand(`w${i}`, p.cpu, p.mem, p.n));
        const r = fit(demands, [{ count, cpuMillis: 4000, memoryMiB: 8000 }], 'min', NO_OVERHEAD);
        for (const n of r.nodes)
          expect(n.requested.cpuMillis <= n.allocatable.cpuMillis && n.requested.memoryMiB <= n.allocatable.memoryMiB).toBe(true);
        const placed = r.nodes.reduce((a, n) => a + n.pods.length, 0);
        const total = pods.reduce((a, p) => a + p.n, 0);
        expect(placed + r.unplaced.reduce((a, u) => a + u.count, 0)).toBe(total);
        expect(r.fits).toBe(placed === total);
      }),
    );
  });

  it('counts the nodes a level needs, and none when a pod is larger than a node', () => {
    const pods = [demand('a', 1000, 1000, 5)];
    expect(nodesNeeded(pods, { cpuMillis: 2000, memoryMiB: 2000 }, 'min', NO_OVERHEAD)).toBe(3);
    expect(nodesNeeded([demand('big', 5000, 10, 1)], { cpuMillis: 4000, memoryMiB: 8000 }, 'min', NO_OVERHEAD)).toBeUndefined();
  });
});
