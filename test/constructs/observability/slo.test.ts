import { Duration } from 'cdk8s';
import { Problems } from '../../../constructs/core/errors';
import { SLO_DEFAULTS, Slo, checkSlo, resolveSlo, sloModel } from '../../../constructs/observability/slo';

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

describe('checkSlo', () => {
  it('reports every problem at once, with the resolved percentile', () => {
    const p = new Problems('prod/api');
    checkSlo(p, 'slo', { availabilityPercent: 100, latencyThreshold: Duration.millis(0), latencyPercentile: 100 });
    expect(() => p.throwIfAny()).toThrow(
      /'slo.availabilityPercent' \(100\)[\s\S]*'slo.latencyPercentile' \(100\)[\s\S]*'slo.latencyThreshold'/,
    );
  });
});
