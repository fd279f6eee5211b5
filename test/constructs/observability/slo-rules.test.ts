import { Duration } from 'cdk8s';
import { Problems } from '../../../constructs/core/errors';
import { BURN_RATE_WINDOWS, SLI_WINDOWS, SloRules, sloRuleGroups, validateSloSpec } from '../../../constructs/observability/slo-rules';
import { Slo, sloModel } from '../../../constructs/observability/slo';
import { schemaValidator } from '../../support/k8s-schema';
import { freshChart, objectsOf } from '../../support/synth';

const slo: Slo = { availabilityPercent: 99.9, latencyThreshold: Duration.millis(200) };
const spec = { service: 'api', namespace: 'web', slo };

describe('SLO pipeline', () => {
  it('models the budgets and the error ratios from the Slo alone', () => {
    const model = sloModel(spec);
    expect(model.objectives.map((o) => [o.name, o.target, o.budget])).toEqual([
      ['availability', 0.999, 0.001],
      ['latency', 0.95, 0.05],
    ]);
    expect(model.objectives[0].errorRatio('5m')).toBe(
      'sum(rate(http_requests_total{namespace="web",service="api",code=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="web",service="api"}[5m]))',
    );
    expect(model.objectives[1].errorRatio('1h')).toContain(
      'http_request_duration_seconds_bucket{namespace="web",service="api",le="0.2"}[1h]',
    );
  });

  it('records every window once per objective and alerts on the four burn-rate pairs', () => {
    const [recordings, alerts] = sloRuleGroups(sloModel(spec));
    expect(SLI_WINDOWS.sort()).toEqual(['1d', '1h', '2h', '30m', '3d', '5m', '6h']);
    expect(recordings.rules).toHaveLength(2 * SLI_WINDOWS.length);
    const burn = alerts.rules.filter((r) => r.alert === 'SloErrorBudgetBurn');
    expect(burn.map((r) => `${r.labels!.slo}:${r.labels!.severity}:${r.labels!.burn_rate}:${r.labels!.window}`)).toEqual([
      'availability:page:14.4x:1h/5m',
      'availability:page:6x:6h/30m',
      'availability:ticket:3x:1d/2h',
      'availability:ticket:1x:3d/6h',
      'latency:page:14.4x:1h/5m',
      'latency:page:6x:6h/30m',
      'latency:ticket:3x:1d/2h',
      'latency:ticket:1x:3d/6h',
    ]);
    for (const r of alerts.rules) expect(Object.keys(r.annotations!)).toEqual(['summary', 'description', 'runbook_url']);
    expect(BURN_RATE_WINDOWS).toHaveLength(4);
  });

  it('moves every threshold when the Slo changes: no objective is typed twice', () => {
    const tight = sloRuleGroups(sloModel({ ...spec, slo: { ...slo, availabilityPercent: 99.99 } }))[1].rules[0].expr;
    const loose = sloRuleGroups(sloModel(spec))[1].rules[0].expr;
    expect(loose).toContain('>= (14.4 * 0.001 * (1 - 1e-9)) and ');
    expect(tight).toContain('>= (14.4 * 0.0001 * (1 - 1e-9)) and ');
  });

  it('refuses windows the burn-rate factors are not calibrated for', () => {
    const p = new Problems('prod/api/Slo');
    validateSloSpec({ ...spec, slo: { ...slo, window: Duration.days(7) } }, p);
    expect(() => p.throwIfAny()).toThrow('prod/api/Slo: \'slo.window\' ("7d") must be 30 days');
  });

  it('writes a schema-valid PrometheusRule', () => {
    const chart = freshChart();
    new SloRules(chart, 'slo', spec);
    const objects = objectsOf(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['PrometheusRule/api-slo']);
    expect(schemaValidator().validate(objects[0])).toEqual([]);
  });
});
