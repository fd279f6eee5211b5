import { History, MINUTE_MS } from '../../../planning/shared/history';
import { PLATFORM_BEHAVIOR, SimSync, simulateHpa } from '../../../planning/forecast/hpa-sim';

const START = Date.UTC(2026, 0, 1);
const HOUR = 60 * MINUTE_MS;

/** Per-minute load: `before` until minute `at`, `after` from then on, for `minutes`. */
function step(before: number, after: number, at: number, minutes = 180): History {
  return { start: START, stepMs: MINUTE_MS, perMinute: Float64Array.from({ length: minutes }, (_, i) => (i < at ? before : after)) };
}

const service = { perReplica: 10, target: 0.7, min: 2, max: 50 };

describe('the HPA simulator', () => {
  it('takes the platform behaviour from scaling-behavior.ts', () => {
    expect(PLATFORM_BEHAVIOR).toEqual({
      scaleUp: { windowS: 0, percent: 100, pods: 4, periodS: 15 },
      scaleDown: { windowS: 300, percent: 50, pods: 2, periodS: 60 },
    });
  });

  it('holds a steady load at the target utilization with no time under capacity', () => {
    // 140 req/min at 10 per replica and 70%: 20 replicas.
    const r = simulateHpa(step(140, 140, 0), START + HOUR, START + 2 * HOUR, service);
    expect(r.underProvisionedMinutes).toBe(0);
    expect(r.replicaHours).toBeCloseTo(20, 9);
    expect(r.peakReplicas).toBe(20);
  });

  it('is under capacity after a surge for the metric lag and the pod start-up', () => {
    // 70 -> 200 req/min: 10 replicas serve 100; 29 are wanted, reachable in two 15 s syncs (+100%/+4 a sync).
    const r = simulateHpa(step(70, 200, 90), START + HOUR, START + 3 * HOUR, service);
    // The surge falls on a sync: 60 s until the metric shows it, then 120 s until the first 10 new pods are ready
    // (the 9 more of the next sync are ready 15 s later, when the 20 already serve the 200).
    expect(r.underProvisionedMinutes).toBe(3);
    expect(r.peakReplicas).toBe(29);
  });

  it('ignores a change within the 0.1 tolerance', () => {
    // 10 replicas at 70 req/min; 75 req/min is 1.07x the target: no scaling.
    const r = simulateHpa(step(70, 75, 90), START + HOUR, START + 3 * HOUR, service);
    expect(r.peakReplicas).toBe(10);
    expect(r.replicaHours).toBeCloseTo(20, 9);
  });

  it('waits out the 300 s stabilization window before scaling down, then halves at most per minute', () => {
    // 280 -> 14 req/min at minute 90: 40 replicas wanted down to 2.
    const r = simulateHpa(step(280, 14, 90), START + HOUR, START + 3 * HOUR, service);
    // 30 min at 40, then 1 min lag + 5 min window at 40, then 40 -> 20 -> 10 -> 5 -> 3 -> 2 a minute apart.
    const expected = ((30 + 6) / 60) * 40 + (20 + 10 + 5 + 3) / 60 + ((120 - 36 - 4) / 60) * 2;
    expect(r.replicaHours).toBeGreaterThan(expected - 0.1);
    expect(r.replicaHours).toBeLessThan(expected + 0.15);
  });

  it('has no time under capacity when a floor brings the pods up before the surge', () => {
    const history = step(70, 200, 90);
    const floors = [{ from: START + 85 * MINUTE_MS, to: START + 3 * HOUR, minReplicas: 20 }];
    const reactive = simulateHpa(history, START + HOUR, START + 3 * HOUR, service);
    const floored = simulateHpa(history, START + HOUR, START + 3 * HOUR, { ...service, floors });
    expect(reactive.underProvisionedMinutes).toBe(3);
    expect(floored.underProvisionedMinutes).toBe(0);
    // The HPA still scales above the floor to the 29 the load needs.
    expect(floored.peakReplicas).toBe(29);
  });

  describe('reports every sync for the scaling audit', () => {
    const syncsOf = (h: History, o: Partial<Parameters<typeof simulateHpa>[3]> = {}) => {
      const syncs: SimSync[] = [];
      const r = simulateHpa(h, START + HOUR, START + 3 * HOUR, { ...service, ...o, onSync: (x) => syncs.push(x) });
      return { r, syncs, changes: syncs.filter((x) => x.desired !== x.current) };
    };

    it('one per 15 s sync of the period, whose counts add up to the replica-hours', () => {
      const { r, syncs } = syncsOf(step(70, 200, 90));
      expect(syncs).toHaveLength(480);
      expect(syncs.reduce((acc, x) => acc + x.desired * 15_000, 0) / HOUR).toBeCloseTo(r.replicaHours, 9);
      for (let i = 1; i < syncs.length; i++) expect(syncs[i].current).toBe(syncs[i - 1].desired);
    });

    it('names the rate policy when a surge needs more than +100% or +4 pods in a sync', () => {
      const { changes } = syncsOf(step(70, 200, 90));
      // 10 -> 20 (+100%), then 20 -> 29 with nothing holding it.
      expect(changes.map((c) => [c.current, c.desired, c.driver, c.limit])).toEqual([
        [10, 20, 'load', 'rate-policy'],
        [20, 29, 'load', undefined],
      ]);
      expect(changes[0].loadPerPod * changes[0].current * 60).toBeCloseTo(200, 9);
      expect(changes[0].loadTarget).toBeCloseTo(7 / 60, 12);
    });

    it('names the stabilization window when a scale-down stops at the highest recommendation of the last 300 s', () => {
      // 200 req/min (29 pods), 150 from minute 90 (22 wanted), 70 from minute 93 (10 wanted).
      const ramp: History = {
        start: START,
        stepMs: MINUTE_MS,
        perMinute: Float64Array.from({ length: 180 }, (_, i) => (i < 90 ? 200 : i < 93 ? 150 : 70)),
      };
      const { changes } = syncsOf(ramp);
      expect(changes[0]).toMatchObject({ current: 29, desired: 22, driver: 'load', limit: 'stabilization' });
    });

    it('names the rate policy when a drop is more than -50% or -2 pods a minute', () => {
      const { changes } = syncsOf(step(200, 70, 90));
      expect(changes[0]).toMatchObject({ current: 29, desired: 15, driver: 'load', limit: 'rate-policy' });
    });

    it('names the floor, and max when the load asks for more than the bounds allow', () => {
      const floors = [{ from: START + HOUR + 30 * MINUTE_MS, to: START + 3 * HOUR, minReplicas: 16 }];
      const { changes } = syncsOf(step(70, 70, 0), { floors });
      expect(changes[0]).toMatchObject({ current: 10, desired: 16, driver: 'floor', floor: 16, limit: undefined });
      const capped = syncsOf(step(70, 200, 90), { max: 15 }).changes;
      expect(capped.map((c) => [c.current, c.desired, c.limit])).toEqual([[10, 15, 'max']]);
    });
  });
});
