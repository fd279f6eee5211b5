import { SCALING_RECORDS } from '../../constructs/observability/performance-record-names';
import { MatrixSeries } from '../../planning/shared/prometheus-export';
import { describeDecision, isFloorMetric, scalingDecisions } from '../../reporting/scaling-decisions';

const STEP = 15_000;
const FLOOR = 's1-cron-Etc-UTC-00xx08xx1-5-00xx20xx1-5';

interface Tick {
  readonly current: number;
  readonly desired: number;
  /** Requests per second per pod, target 10. */
  readonly rps: number;
  /** The cron floor in force. */
  readonly floor?: number;
}

/** The recorded series of one service, a sample per tick (15 s apart), bounds 2-10. */
function recorded(ticks: readonly Tick[], bounds = { min: 2, max: 10 }): MatrixSeries[] {
  const series = (name: string, value: (t: Tick) => number, labels: Record<string, string> = {}): MatrixSeries => ({
    metric: { __name__: name, service: 'api', ...labels },
    samples: ticks.map((t, i) => [i * STEP, value(t)] as const),
  });
  const load = { metric: 'http_requests_per_second', type: 'average' };
  const floor = { metric: FLOOR, type: 'average' };
  return [
    series(SCALING_RECORDS.current, (t) => t.current),
    series(SCALING_RECORDS.desired, (t) => t.desired),
    series(SCALING_RECORDS.min, () => bounds.min),
    series(SCALING_RECORDS.max, () => bounds.max),
    series(SCALING_RECORDS.metricValue, (t) => t.rps, load),
    series(SCALING_RECORDS.metricTarget, () => 10, load),
    series(SCALING_RECORDS.metricValue, (t) => (t.floor ? t.floor / t.current : 0), floor),
    series(SCALING_RECORDS.metricTarget, () => 1, floor),
  ];
}

const audit = (ticks: readonly Tick[], bounds?: { min: number; max: number }) =>
  scalingDecisions('api', recorded(ticks, bounds), { scaleDownWindowS: 60 });

describe('scalingDecisions', () => {
  it('names the metric, its value against its target and the replicas it asked for when it scales up', () => {
    const [d, ...rest] = audit([
      { current: 4, desired: 4, rps: 10 },
      { current: 4, desired: 6, rps: 15 },
      { current: 6, desired: 6, rps: 10 },
    ]);
    expect(rest).toEqual([]);
    expect(d).toEqual({
      t: STEP,
      service: 'api',
      from: 4,
      to: 6,
      cause: 'metric',
      metric: 'http_requests_per_second',
      value: 15,
      target: 10,
      proposed: 6,
      limit: undefined,
    });
    expect(describeDecision(d)).toBe('scaled up 4 -> 6: metric http_requests_per_second 15 vs target 10 asked for 6');
  });

  it('records a decision once however many samples show it before the next sync', () => {
    const ticks = [
      { current: 4, desired: 6, rps: 15 },
      { current: 4, desired: 6, rps: 15 },
      { current: 6, desired: 6, rps: 10 },
    ];
    expect(audit(ticks)).toHaveLength(1);
  });

  it('gives the change to the floor when the floor asks for more than the load, and on a tie', () => {
    const [more] = audit([{ current: 4, desired: 8, rps: 10, floor: 8 }]);
    expect(more).toMatchObject({ cause: 'floor', metric: FLOOR, proposed: 8 });
    expect(describeDecision(more)).toMatch(/^scaled up 4 -> 8: cron\/forecast floor s1-cron/);
    const [tie] = audit([{ current: 4, desired: 8, rps: 20, floor: 8 }]);
    expect(tie).toMatchObject({ cause: 'floor', proposed: 8 });
  });

  it('says the rate policy held a scale-up that stopped short of the recommendation', () => {
    const [d] = audit([{ current: 2, desired: 6, rps: 40 }]);
    expect(d).toMatchObject({ proposed: 8, limit: 'rate-policy' });
    expect(describeDecision(d)).toMatch(/held back by the rate policy$/);
  });

  it('says max or min held the count when the recommendation was beyond the bounds', () => {
    expect(audit([{ current: 8, desired: 10, rps: 20 }])[0]).toMatchObject({ proposed: 16, limit: 'max' });
    expect(audit([{ current: 4, desired: 2, rps: 2 }])[0]).toMatchObject({ proposed: 1, limit: 'min' });
  });

  it('says the stabilization window held a scale-down to the highest recommendation of the window', () => {
    const ds = audit([
      { current: 8, desired: 8, rps: 10 },
      { current: 8, desired: 6, rps: 5 },
    ]);
    // The window (60 s) still holds the first sync's recommendation of 8... and the scale-down went to 6: not it.
    expect(ds[0].limit).toBe('rate-policy');
    const held = audit([
      { current: 8, desired: 8, rps: 7.5 },
      { current: 8, desired: 6, rps: 5 },
    ]);
    // 8 x 7.5 / 10 = 6 a sync ago, 4 now: the window keeps 6.
    expect(held[0]).toMatchObject({ from: 8, to: 6, proposed: 4, limit: 'stabilization' });
  });

  it('lists a change nobody in the HPA asked for as outside the HPA', () => {
    const ds = audit([
      { current: 4, desired: 4, rps: 10 },
      { current: 7, desired: 7, rps: 10 },
    ]);
    expect(ds).toEqual([{ t: STEP, service: 'api', from: 4, to: 7, cause: 'outside-hpa' }]);
    expect(describeDecision(ds[0])).toBe('scaled up 4 -> 7 outside the HPA (a remediation action or a person)');
  });

  it('keeps the count within the tolerance: no decision without a change', () => {
    expect(audit([{ current: 4, desired: 4, rps: 10.5 }])).toEqual([]);
  });

  it("recognises KEDA's cron metrics as floors and nothing else", () => {
    expect(isFloorMetric(FLOOR)).toBe(true);
    expect(isFloorMetric('s0-cron-Europe-Dublin-00xx08xx1-5-00xx20xx1-5')).toBe(true);
    expect(isFloorMetric('http_requests_per_second')).toBe(false);
    expect(isFloorMetric('nlp_queue_depth')).toBe(false);
  });
});
