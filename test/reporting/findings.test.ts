import fc from 'fast-check';
import {
  incidentFinding,
  incidents,
  increaseOf,
  latencyFinding,
  nodesFinding,
  remediationFinding,
  scalingFinding,
  sloFinding,
  trafficFinding,
} from '../../reporting/findings';

const O = { availability: 0.999, latencyQuantile: 0.95, latencyThresholdS: 0.2 };
const T0 = Date.parse('2026-12-01T00:00:00Z');
const grid = (values: number[], stepMs = 60_000): [number, number][] => values.map((v, i) => [T0 + i * stepMs, v]);

describe('sloFinding', () => {
  it('says the objective was met and how much of the error budget is left', () => {
    const f = sloFinding('api-gateway', O, grid([100, 100, 100, 100]), grid([0.0004, 0.0004, 0.0004, 0.0004]));
    expect(f.sentence).toBe(
      'api-gateway met its 99.9% availability objective (99.96% of requests succeeded); 60% of the error budget is left.',
    );
    expect(f.budgetLeft).toBeCloseTo(0.6, 10);
    expect(f.budgetCurve[f.budgetCurve.length - 1][1]).toBeCloseTo(60, 8);
  });

  it('says by how much the budget is overspent when the objective was missed', () => {
    const f = sloFinding('web', O, grid([10, 10]), grid([0.002, 0.002]));
    expect(f.sentence).toBe(
      'web missed its 99.9% availability objective (99.8% of requests succeeded); the error budget is overspent by 100%.',
    );
  });

  it('weighs errors by traffic: a bad minute at night costs less than one at the peak', () => {
    const night = sloFinding('s', O, grid([1, 100]), grid([0.01, 0]));
    const peak = sloFinding('s', O, grid([1, 100]), grid([0, 0.01]));
    expect(night.budgetLeft).toBeGreaterThan(peak.budgetLeft);
  });

  it('keeps budget left = 1 - bad / allowed, and attainment = 1 - bad / total, for any series', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1000, noNaN: true }), fc.double({ min: 0, max: 0.01, noNaN: true })), {
          minLength: 2,
          maxLength: 50,
        }),
        (xs) => {
          const f = sloFinding('s', O, grid(xs.map((x) => x[0])), grid(xs.map((x) => x[1])));
          const total = xs.reduce((s, [r]) => s + r * 60, 0);
          const bad = xs.reduce((s, [r, e]) => s + r * 60 * e, 0);
          if (total === 0) return f.attainment === 1;
          return Math.abs(f.attainment - (1 - bad / total)) < 1e-9 && Math.abs(f.budgetLeft - (1 - bad / (total * 0.001))) < 1e-6;
        },
      ),
    );
  });
});

describe('the other findings', () => {
  it('gives the share of time latency met its objective and the worst moment', () => {
    expect(latencyFinding('api', O, grid([0.1, 0.15, 0.3, 0.1]))).toBe(
      "api's p95 latency was under its 200 ms objective 75% of the time; worst 300 ms at 2026-12-01 00:02 UTC.",
    );
    expect(latencyFinding('api', O, grid([0.1, 0.12]))).toBe(
      "api's p95 latency stayed under its 200 ms objective all period (worst 120 ms, 2026-12-01 00:01 UTC).",
    );
  });

  it('gives traffic average, peak and trend', () => {
    expect(trafficFinding('api', grid([10, 10, 20, 20]))).toBe(
      'api served 15 requests per second on average, peaking at 20 on 2026-12-01 00:02 UTC; the second half of the period was up 100% on the first.',
    );
  });

  it('counts scaling decisions by direction, cause and limit', () => {
    const d = (from: number, to: number, cause: 'metric' | 'floor' | 'outside-hpa', limit?: 'rate-policy') => ({
      t: T0,
      service: 'api',
      from,
      to,
      cause,
      limit,
    });
    expect(scalingFinding('api', [d(2, 4, 'metric'), d(4, 6, 'floor', 'rate-policy'), d(6, 3, 'outside-hpa')], grid([2, 4, 6, 3]))).toBe(
      'api changed its replica count 3 times (2 up, 1 down) between 2 and 6 replicas: 1 on its load metrics, 1 on cron or forecast floors, 1 outside the HPA (remediation or by hand); 1 were held back by a bound, rate policy or stabilization window.',
    );
    expect(scalingFinding('api', [], grid([2, 2]))).toBe('api did not change its replica count (2 replicas all period).');
  });

  it('finds stretches burning the budget at the paging rate as incidents', () => {
    const ratios = grid([0, 0.02, 0.03, 0, 0, 0.05, 0], 300_000);
    const found = incidents(O, ratios);
    expect(found).toEqual([
      { from: T0 + 300_000, to: T0 + 600_000, worstRatio: 0.03 },
      { from: T0 + 1_500_000, to: T0 + 1_500_000, worstRatio: 0.05 },
    ]);
    expect(incidentFinding('api', found, 0)).toBe(
      'api had 2 incidents (about 15 minutes in all) burning the error budget at 14.4x or faster; the worst reached 5% errors at 2026-12-01 00:25 UTC.',
    );
    expect(incidentFinding('api', [], 2)).toBe(
      'api had no incident: the error rate never burned the budget at the paging rate (14.4x). 2 replica changes came from outside the HPA (remediation or by hand).',
    );
  });
});

describe('remediation', () => {
  it('counts the increase of a cumulative record, a fall being a restart of the runner', () => {
    // There at the start (2 before the period), +1, restart to 0, then 2 more.
    expect(increaseOf(grid([2, 3, 3, 0, 1, 2]), T0, 60_000)).toBe(3);
    // First seen inside the period: its first value counts.
    expect(
      increaseOf(
        grid([1, 1, 2]).map(([t, v]) => [t + 600_000, v] as [number, number]),
        T0,
        60_000,
      ),
    ).toBe(2);
    expect(increaseOf([], T0, 60_000)).toBe(0);
    // First seen at the grid's second point (it appeared in the period's first minute): counted.
    expect(increaseOf([[T0 + 60_000, 1]], T0, 60_000)).toBe(1);
  });

  it('never counts less than the rises of the series, nor more than its rises and restarts', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 40 }), (values) => {
        const n = increaseOf(grid(values), T0, 60_000);
        const rises = values.slice(1).reduce((s, v, i) => s + Math.max(0, v - values[i]), 0);
        expect(n).toBeGreaterThanOrEqual(rises);
        expect(n).toBeLessThanOrEqual(rises + values.slice(1).reduce((s, v, i) => s + (v < values[i] ? v : 0), 0));
      }),
    );
  });

  it('says what the runner did and whether the share resolved without a person met the 80% target', () => {
    expect(remediationFinding('api', { actions: { restart: 3, scale: 1 }, dryRunActions: {}, resolved: 3, escalated: 1 })).toBe(
      'The remediation runner acted on api 4 times (restart 3 times, scale once). Of the 4 alerts it answered that ended, 3 ended without paging anyone (75%; the target is 80%, not met).',
    );
    expect(remediationFinding('api', { actions: { rollback: 2 }, dryRunActions: {}, resolved: 2, escalated: 0 })).toContain(
      '2 ended without paging anyone (100%; the target is 80%, met)',
    );
  });

  it('says a dry run changed nothing, that the runner stayed idle, and nothing without its records', () => {
    expect(remediationFinding('nlp', { actions: {}, dryRunActions: { scale: 2 }, resolved: 0, escalated: 0 })).toBe(
      'In dry run, the remediation runner would have acted on nlp twice (scale twice); it changed nothing.',
    );
    expect(remediationFinding('nlp', { actions: {}, dryRunActions: {}, resolved: 0, escalated: 0 })).toBe(
      'The remediation runner did not act on nlp.',
    );
    expect(remediationFinding('nlp', undefined)).toBe('');
  });
});

describe('nodesFinding', () => {
  const change = (change: 'added' | 'removed', reason: string, count: number) => ({
    t: T0,
    autoscaler: 'karpenter',
    change,
    reason,
    count,
  });
  it("gives the node count's range and the autoscaler's changes by reason, the most frequent first", () => {
    expect(
      nodesFinding('prod', grid([3, 5, 4]), [
        change('added', 'provisioned', 2),
        change('added', 'drifted', 1),
        change('removed', 'underutilized', 1),
        change('removed', 'drifted', 1),
        change('added', 'provisioned', 1),
      ]),
    ).toBe(
      "prod's cluster ran between 3 and 5 nodes; karpenter added 4 nodes (provisioned 3, drifted 1) and removed 2 (drifted 1, underutilized 1).",
    );
  });

  it('says so when the count never moved, or when only the changes are recorded', () => {
    expect(nodesFinding('dev', grid([2, 2]), [])).toBe("dev's cluster ran 2 nodes all period; its autoscaler added and removed no node.");
    expect(nodesFinding('dev', [], [change('added', 'provisioned', 1)])).toBe(
      'In dev, karpenter added 1 node (provisioned 1) and removed 0.',
    );
  });
});
