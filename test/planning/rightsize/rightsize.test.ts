import fc from 'fast-check';
import {
  CurrentSizing,
  check,
  cpuOverShare,
  hpaReplicas,
  monthlyCost,
  pricesFromNode,
  recommend,
  vpaTarget,
} from '../../../planning/rightsize/rightsize';
import { ContainerUsage } from '../../../planning/rightsize/usage';

const STEP = 60_000;

function usage(cpuCores: number[], pods: number[], memoryPeakMiB: number[], oomKills: number[] = []): ContainerUsage {
  return {
    container: 'svc',
    start: Date.UTC(2026, 0, 1),
    stepMs: STEP,
    cpuCores: Float64Array.from(cpuCores),
    pods: Float64Array.from(pods),
    memoryPeakMiB: Float64Array.from(memoryPeakMiB),
    oomKills: Float64Array.from(cpuCores.map((_, i) => oomKills[i] ?? 0)),
  };
}

const fixed: CurrentSizing = { cpuMillis: 500, memoryMiB: 512, minReplicas: 2, maxReplicas: 2 };
const scaled: CurrentSizing = { cpuMillis: 500, memoryMiB: 512, minReplicas: 2, maxReplicas: 20, cpuTarget: 0.7 };

describe('recommend', () => {
  it('sizes a fixed-size service at a high percentile of per-pod CPU and the memory peak plus 15%', () => {
    // 2 pods sharing 0.2-0.6 cores: per pod 100m-300m, one spike minute in 200.
    const cpu = Array.from({ length: 2000 }, (_, i) => (i % 200 === 0 ? 2 : 0.2 + 0.4 * ((i % 50) / 50)));
    const r = recommend(
      usage(
        cpu,
        cpu.map(() => 2),
        cpu.map((_, i) => 300 + (i % 10)),
      ),
      fixed,
    );
    expect(
      cpuOverShare(
        usage(
          cpu,
          cpu.map(() => 2),
          [],
        ),
        fixed,
        r.recommended.cpuMillis,
        0,
      ),
    ).toBeLessThanOrEqual(0.025);
    expect(r.recommended.cpuMillis).toBeLessThan(310);
    expect(r.recommended.memoryMiB).toBe(368); // peak 309 * 1.15 = 355.4, rounded up to a multiple of 16Mi
  });

  it('finds the smallest CPU request with which the HPA keeps pods within it, counting the max-replicas ceiling', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.05, max: 12, noNaN: true }), { minLength: 50, maxLength: 300 }), (load) => {
        const u = usage(
          load,
          load.map(() => 2),
          load.map(() => 100),
        );
        const r = recommend(u, scaled, { hpaLagMinutes: 1 });
        const c = r.recommended.cpuMillis;
        expect(cpuOverShare(u, scaled, c, 1)).toBeLessThanOrEqual(0.025);
        // Minimal: one step smaller would break the budget.
        expect(c === 5 || cpuOverShare(u, scaled, c - 5, 1) > 0.025).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('never recommends less memory than the peak, and at least 1.5x the limit after an OOM kill', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 10, max: 4000, noNaN: true }), { minLength: 5, maxLength: 100 }), fc.boolean(), (mem, oom) => {
        const u = usage(
          mem.map(() => 0.1),
          mem.map(() => 1),
          mem,
          oom ? [0, 1] : [],
        );
        const r = recommend(u, fixed);
        expect(r.recommended.memoryMiB).toBeGreaterThanOrEqual(Math.max(...mem) * 1.15);
        expect(r.recommended.memoryMiB).toBeGreaterThanOrEqual(oom ? 768 : 0);
        expect(r.recommended.memoryMiB % 16).toBe(0);
      }),
    );
  });
});

describe('the HPA replay', () => {
  it('runs the replicas the lagged load needs at the target, within the bounds', () => {
    const n = hpaReplicas(usage([0.1, 3.5, 3.5, 100], [], []), scaled, 500, 1);
    expect(Array.from(n)).toEqual([2, 2, 10, 10]);
  });
});

describe('check', () => {
  it('counts steps over the memory limit, and OOM-killed steps unless the new limit is above today’s', () => {
    const u = usage([0.1, 0.1, 0.1], [1, 1, 1], [100, 600, 512], [0, 0, 1]);
    expect(check(u, fixed, { cpuMillis: 100, memoryMiB: 512 }).oomSteps).toBe(2);
    expect(check(u, fixed, { cpuMillis: 100, memoryMiB: 640 }).oomSteps).toBe(0);
  });
});

describe('vpaTarget', () => {
  it('applies the recommender’s floors, p90 and 15% margin', () => {
    const flat = usage(Array(100).fill(0.01), Array(100).fill(1), Array(100).fill(50));
    expect(vpaTarget(flat, fixed)).toEqual({ cpuMillis: 25, memoryMiB: 256 });
    const busy = usage(Array(100).fill(1), Array(100).fill(2), Array(100).fill(1000));
    expect(vpaTarget(busy, fixed)).toEqual({ cpuMillis: 575, memoryMiB: 1152 });
  });
});

describe('prices', () => {
  it('splits a node price so its vCPUs and GiBs add up to it', () => {
    const p = pricesFromNode(8, 32, 0.428);
    expect(8 * p.vcpuHourly + 32 * p.gibHourly).toBeCloseTo(0.428, 10);
    expect(monthlyCost({ cpuMillis: 8000, memoryMiB: 32 * 1024 }, 1, p)).toBeCloseTo(0.428 * 730, 6);
  });
});
