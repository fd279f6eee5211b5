import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  MAX_AVAILABILITY_PERCENT,
  SLO_DEFAULTS,
  Slo,
  budgetOf,
  resolveSlo,
  shareOf,
  sloModel,
} from '../../../constructs/observability/slo';
import { thresholds } from '../../../loadtests/plan';
import { BURN_RATE_TOLERANCE, sloRuleGroups } from '../../../constructs/observability/slo-rules';

const slo: Slo = { availabilityPercent: 99.9, latencyThreshold: Duration.millis(200) };

describe('resolveSlo', () => {
  it('applies every default once: 30-day window, p95, the standard series', () => {
    const r = resolveSlo(slo);
    expect(r.window.toSeconds()).toBe(30 * 86400);
    expect(r.latencyPercentile).toBe(95);
    expect(r.metrics).toEqual(SLO_DEFAULTS.metrics);
  });

  it('keeps what the Slo states, including a histogram of its own', () => {
    const r = resolveSlo({ ...slo, latencyPercentile: 99, metrics: { latencyHistogram: 'grpc_duration_seconds' } });
    expect(r.latencyPercentile).toBe(99);
    expect(r.metrics.latencyHistogram).toBe('grpc_duration_seconds');
    expect(r.metrics.requests).toBe('http_requests_total');
  });
});

describe('sloModel', () => {
  it('exposes the resolved objectives and both budgets without float noise', () => {
    const m = sloModel({ service: 'api', namespace: 'web', slo: { ...slo, availabilityPercent: 99.95 } });
    expect([m.availability.budget, m.latency.budget]).toEqual([0.0005, 0.05]);
    expect(m.objectives).toEqual([m.availability, m.latency]);
    expect(m.histogram).toBe('http_request_duration_seconds');
    expect(m.period.toSeconds()).toBe(30 * 86400);
  });
});

describe('objectives in numbers', () => {
  /** A percentage as a user writes it: 50 to 99.9999, at most four decimals. */
  const percent = fc.integer({ min: 500000, max: 999999 }).map((n) => n / 10000);

  it('writes every target and budget as the plain decimal the percentage implies, without float noise', () => {
    fc.assert(
      fc.property(percent, (p) => {
        const budget = budgetOf(p);
        const exact = ((1000000 - Math.round(p * 10000)) / 1000000).toFixed(6).replace(/0+$/, '');
        return String(budget) === exact && String(shareOf(p)) === String(Number((p / 100).toFixed(6))) && !/e/.test(String(budget));
      }),
    );
    expect([budgetOf(99.9), budgetOf(99.9999), shareOf(99.9)]).toEqual([0.001, 0.000001, 0.999]);
  });

  it('puts the same plain budget in the burn-rate rules and the k6 threshold', () => {
    const model = sloModel({ service: 'api', namespace: 'web', slo: { ...slo, availabilityPercent: MAX_AVAILABILITY_PERCENT } });
    const rules = JSON.stringify(sloRuleGroups(model));
    expect(rules).toContain('* 0.000001 *');
    // The only exponent left is the comparison's fixed relative tolerance.
    expect(rules.replaceAll(`(1 - ${BURN_RATE_TOLERANCE})`, '')).not.toMatch(/\de-\d/);
    const t = thresholds({ percentile: 95, thresholdMs: 200, p99Ms: 500, maxErrorRate: model.availability.budget }, 'baseline');
    expect(t.http_req_failed).toEqual(['rate<0.000001']);
  });
});
