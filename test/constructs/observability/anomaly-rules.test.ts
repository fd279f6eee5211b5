import { Duration } from 'cdk8s';
import {
  ANOMALY_DEFAULTS,
  ANOMALY_RECORDS,
  AnomalyRules,
  anomalyRuleGroups,
  resolveAnomalyThresholds,
} from '../../../constructs/observability/anomaly-rules';
import { Slo, sloModel } from '../../../constructs/observability/slo';
import { schemaValidator } from '../../support/k8s-schema';
import { freshChart, objectsOf } from '../../support/synth';

const slo: Slo = { availabilityPercent: 99.9, latencyThreshold: Duration.millis(200) };
const spec = { service: 'api', namespace: 'web', slo };

describe('anomaly rules', () => {
  it('records a median-of-weeks baseline per signal, and for traffic an expected rate, a deviation, its noise and a score', () => {
    const [recordings, scores, trafficScores, alerts] = anomalyRuleGroups(sloModel(spec));
    expect(recordings.rules.map((r) => r.record)).toEqual([
      'anomaly:requests:current',
      'anomaly:requests:baseline',
      'anomaly:requests:weeks',
      ...['errors', 'latency'].flatMap((s) => [
        `anomaly:${s}:current`,
        `anomaly:${s}:baseline`,
        `anomaly:${s}:spread`,
        `anomaly:${s}:weeks`,
      ]),
    ]);
    expect(scores.rules.map((r) => r.record)).toEqual([
      ANOMALY_RECORDS.requests.expected,
      ANOMALY_RECORDS.requests.deviation,
      ANOMALY_RECORDS.errors.score,
      ANOMALY_RECORDS.latency.score,
    ]);
    expect(trafficScores.rules.map((r) => r.record)).toEqual([
      ANOMALY_RECORDS.requests.noise,
      ANOMALY_RECORDS.requests.score,
      ANOMALY_RECORDS.requests.detectableDrop,
    ]);
    const baseline = recordings.rules.find((r) => r.record === ANOMALY_RECORDS.requests.baseline)!.expr;
    // Four past weeks, each a 1 h window centred on the same time of the week.
    expect(baseline).toMatch(/^quantile without \(weeks_ago\) \(0\.5, /);
    for (const [n, offset] of [
      [1, '167h30m'],
      [4, '671h30m'],
    ])
      expect(baseline).toContain(`rate(http_requests_total{namespace="web",service="api"}[1h] offset ${offset})), "weeks_ago", "${n}"`);
    expect(baseline).not.toContain('"weeks_ago", "5"');
    const sel = '{namespace="web",service="api"}';
    // The level: median of current / baseline over 3 hours, bounded; the deviation counts 10 minutes of requests.
    const expected = scores.rules.find((r) => r.record === ANOMALY_RECORDS.requests.expected)!.expr;
    expect(expected).toBe(
      `anomaly:requests:baseline${sel} * clamp(quantile_over_time(0.5, (anomaly:requests:current${sel} / (anomaly:requests:baseline${sel} > 0))[3h:5m]), 0.5, 2)`,
    );
    expect(scores.rules.find((r) => r.record === ANOMALY_RECORDS.requests.deviation)!.expr).toMatch(
      /\/ sqrt\(clamp_min\(.*, 0\.05\) \/ 600\)$/,
    );
    expect(trafficScores.rules[0].expr).toBe(
      `clamp_min((quantile_over_time(0.75, anomaly:requests:deviation${sel}[1d]) - quantile_over_time(0.25, anomaly:requests:deviation${sel}[1d])) / 1.349, 1)`,
    );
    expect(alerts.rules.map((r) => `${r.alert}:${r.labels!.severity}:${r.labels!.slo}:${r.for}`)).toEqual([
      'AnomalyTrafficStopped:page:traffic:5m',
      'AnomalyTrafficDrop:ticket:traffic:15m',
      'AnomalyTrafficSpike:ticket:traffic:10m',
      'AnomalyErrorRatio:ticket:availability:15m',
      'AnomalyLatency:ticket:latency:15m',
    ]);
    // Drops and spikes need a significant score and a relative change both; a spike is also above the seasonal
    // baseline itself, so traffic back at its usual level while the level still lags a long dip is not one.
    expect(alerts.rules[1].expr).toBe(
      `anomaly:requests:score${sel} <= -2.5 and anomaly:requests:current${sel} < 0.75 * anomaly:requests:expected${sel}`,
    );
    expect(alerts.rules[2].expr).toBe(
      `anomaly:requests:score${sel} >= 3 and anomaly:requests:current${sel} > 1.5 * anomaly:requests:expected${sel} and anomaly:requests:current${sel} > 1.2 * anomaly:requests:baseline${sel}`,
    );
  });

  it('reads the Slo for the error budget floor and the latency percentile: nothing typed twice', () => {
    const groups = anomalyRuleGroups(sloModel({ ...spec, slo: { ...slo, availabilityPercent: 99.99, latencyPercentile: 99 } }));
    const score = groups[1].rules.find((r) => r.record === ANOMALY_RECORDS.errors.score)!.expr;
    expect(score).toContain(', 0.0001)');
    expect(groups[0].rules.find((r) => r.record === ANOMALY_RECORDS.latency.current)!.expr).toMatch(/^histogram_quantile\(0\.99, /);
  });

  it('takes per-service overrides of any threshold', () => {
    const [recordings, scores, , alerts] = anomalyRuleGroups(sloModel(spec), {
      weeks: 2,
      dropScore: 3,
      minDropShare: 0.4,
      levelWindow: '6h',
      sustained: '30m',
    });
    expect(recordings.rules[1].expr).toContain('"weeks_ago", "2"');
    expect(recordings.rules[1].expr).not.toContain('"weeks_ago", "3"');
    expect(scores.rules[0].expr).toContain('[6h:5m]');
    const drop = alerts.rules.find((r) => r.alert === 'AnomalyTrafficDrop')!;
    expect(drop.expr).toBe(
      'anomaly:requests:score{namespace="web",service="api"} <= -3 and anomaly:requests:current{namespace="web",service="api"} < 0.6 * anomaly:requests:expected{namespace="web",service="api"}',
    );
    expect(drop.for).toBe('30m');
    const spike = anomalyRuleGroups(sloModel(spec), { minSpikeOverBaseline: 0.5 })[3].rules.find((r) => r.alert === 'AnomalyTrafficSpike')!;
    expect(spike.expr).toMatch(
      / and anomaly:requests:current\{namespace="web",service="api"\} > 1\.5 \* anomaly:requests:baseline\{namespace="web",service="api"\}$/,
    );
    expect(resolveAnomalyThresholds({ weeks: 2 })).toEqual({ ...ANOMALY_DEFAULTS, weeks: 2 });
  });

  it('rejects thresholds that cannot work, one line each', () => {
    expect(() => new AnomalyRules(freshChart(), 'a', { ...spec, thresholds: { weeks: 2, minWeeks: 3 } })).toThrow(
      "test/a: 'thresholds.minWeeks' (3) must be from 1 to 'weeks' (2)",
    );
    expect(() => new AnomalyRules(freshChart(), 'a', { ...spec, thresholds: { sustained: '15 minutes' } })).toThrow(
      `test/a: 'thresholds.sustained' ("15 minutes") must be a Prometheus duration such as '15m'`,
    );
    expect(() => new AnomalyRules(freshChart(), 'a', { ...spec, thresholds: { minDropShare: 1 } })).toThrow(
      "test/a: 'thresholds.minDropShare' (1) must be a share above 0 and below 1",
    );
    expect(() => new AnomalyRules(freshChart(), 'a', { ...spec, thresholds: { minSpikeOverBaseline: -0.1 } })).toThrow(
      "test/a: 'thresholds.minSpikeOverBaseline' (-0.1) must be a positive number",
    );
  });

  it('writes a schema-valid PrometheusRule beside the SLO rules', () => {
    const chart = freshChart();
    new AnomalyRules(chart, 'anomaly', spec);
    const objects = objectsOf(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['PrometheusRule/api-anomaly']);
    expect(schemaValidator().validate(objects[0])).toEqual([]);
  });
});
