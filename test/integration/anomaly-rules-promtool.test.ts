import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { anomalyRuleGroups } from '../../constructs/observability/anomaly-rules';
import { sloModel } from '../../constructs/observability/slo';
import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';

const api = prod.services.find((s) => s.name === 'api-gateway')!;
const model = sloModel({ service: api.name, namespace: prod.namespace, slo: api.slo });
const sel = `namespace="web",service="api-gateway"`;
/** One week of baseline is enough to test every rule (the median over more weeks is the same code) and keeps promtool fast. */
const groups = anomalyRuleGroups(model, { weeks: 1, minWeeks: 1 });
const STEP = 5; // minutes between samples
const WEEK = 7 * 24 * 60;
/** The scenarios start after a day of scores, so the traffic noise (a day of deviations) has settled. */
const SCENARIO_DAY = WEEK + 1440;
const DAYS = 9;

/** Minutes into day 9 (the second day after the baseline week), one hour per scenario; the dip lasts three. */
const SCENARIOS = { stopped: 60, drop: 240, spike: 420, errors: 600, slow: 780, small: 1100, dip: 1200 } as const;
const within = (minute: number, start: number, minutes = 60) => minute >= SCENARIO_DAY + start && minute < SCENARIO_DAY + start + minutes;
/** Three hours at a quarter of the traffic, then back to the usual 600: the level still lags the dip. */
const DIP_MINUTES = 180;

/** Counters a sample every 5 minutes: 600 requests (2 per second), all faster than 100 ms, none failing; then the scenarios. */
function inputSeries(): { series: string; values: string }[] {
  const counters: Record<string, number> = {};
  const values: Record<string, number[]> = {};
  const add = (series: string, n: number) => {
    counters[series] = (counters[series] ?? 0) + n;
    (values[series] ??= []).push(counters[series]);
  };
  for (let m = 0; m <= DAYS * 1440; m += STEP) {
    const requests = within(m, SCENARIOS.stopped)
      ? 0
      : within(m, SCENARIOS.drop)
        ? 300
        : within(m, SCENARIOS.spike)
          ? 2400
          : within(m, SCENARIOS.small)
            ? 480
            : within(m, SCENARIOS.dip, DIP_MINUTES)
              ? 150
              : 600;
    const failed = within(m, SCENARIOS.errors) ? 30 : 0;
    const slow = within(m, SCENARIOS.slow);
    add(`http_requests_total{${sel},code="200"}`, requests - failed);
    add(`http_requests_total{${sel},code="500"}`, failed);
    add(`http_request_duration_seconds_bucket{${sel},le="0.1"}`, slow ? 0 : requests);
    add(`http_request_duration_seconds_bucket{${sel},le="0.2"}`, slow ? 0 : requests);
    add(`http_request_duration_seconds_bucket{${sel},le="0.5"}`, requests);
    add(`http_request_duration_seconds_bucket{${sel},le="+Inf"}`, requests);
  }
  return Object.entries(values).map(([series, v]) => ({ series, values: v.join(' ') }));
}

const at = (start: number, plus: number) => `${SCENARIO_DAY + start + plus}m`;

describeWithPrograms('anomaly rules of api-gateway, on real promtool', ['promtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-anomaly-promtool-'));
  const rules = path.join(dir, 'anomaly.rules.yaml');
  // promtool evaluates every group at the test's evaluation_interval when the group sets none: 10 minutes keeps
  // 9 days of evaluation quick; the `for` durations are multiples of it or shorter.
  fs.writeFileSync(rules, stringify({ groups: groups.map((g) => ({ name: g.name, rules: g.rules })) }, { lineWidth: 0 }));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes promtool check rules', () => {
    const r = spawnSync(bin.promtool, ['check', 'rules', rules], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain(`SUCCESS: ${groups.reduce((n, g) => n + g.rules.length, 0)} rules found`);
  });

  it('records baselines and scores, and fires each alert on its scenario and no other', () => {
    const quiet = at(960, 0);
    const alerts = ['AnomalyTrafficStopped', 'AnomalyTrafficDrop', 'AnomalyTrafficSpike', 'AnomalyErrorRatio', 'AnomalyLatency'];
    // Firing alerts are read from ALERTS (labels only: the annotations carry the value, which alert_rule_test
    // would compare to the digit).
    const firing = (alertname: string, evalTime: string, slo: string, severity = 'ticket') => {
      const labels = `{__name__="ALERTS",alertname="${alertname}",alertstate="firing",anomaly="true",namespace="web",service="api-gateway",severity="${severity}",slo="${slo}"}`;
      return { expr: `ALERTS{alertname="${alertname}",alertstate="firing"}`, eval_time: evalTime, exp_samples: [{ labels, value: 1 }] };
    };
    // exp_annotations are checked only when given: the labels are the contract here.
    const test = {
      interval: `${STEP}m`,
      input_series: inputSeries(),
      promql_expr_test: [
        ...[
          ['anomaly:requests:current', 2],
          ['anomaly:requests:baseline', 2],
          ['anomaly:requests:weeks', 1],
          ['anomaly:requests:expected', 2],
          ['anomaly:requests:deviation', 0],
          ['anomaly:requests:noise', 1],
          ['anomaly:requests:score', 0],
          // 2.5 noise at 1,200 requests in 10 minutes is a 7% drop: under the 25% floor.
          ['anomaly:requests:detectable_drop', 0.25],
          ['anomaly:errors:current', 0],
          ['anomaly:errors:baseline', 0],
          ['anomaly:errors:spread', 0],
          ['anomaly:errors:weeks', 1],
          ['anomaly:errors:score', 0],
          ['anomaly:latency:current', 0.095],
          ['anomaly:latency:baseline', 0.095],
          ['anomaly:latency:spread', 0],
          ['anomaly:latency:weeks', 1],
          ['anomaly:latency:score', 0],
        ].map(([record, value]) => ({
          expr: `${record}{${sel}}`,
          eval_time: quiet,
          exp_samples: [{ labels: `${record}{${sel}}`, value }],
        })),
        // Half the traffic, 30 minutes in: the level (median over 3 hours) has not moved, so 600 requests counted
        // where 1,200 were expected, (600 - 1200) / sqrt(1200) Poisson deviations; the noise is still 1.
        {
          expr: `round(anomaly:requests:score{${sel}}, 0.001)`,
          eval_time: at(SCENARIOS.drop, 30),
          exp_samples: [{ labels: `{${sel}}`, value: Math.round((-600 / Math.sqrt(1200)) * 1000) / 1000 }],
        },
        // A 20% drop: 960 requests where 1,200 were expected, well past the score; only the 25% share holds it back.
        {
          expr: `round(anomaly:requests:score{${sel}}, 0.001)`,
          eval_time: at(SCENARIOS.small, 30),
          exp_samples: [{ labels: `{${sel}}`, value: Math.round((-240 / Math.sqrt(1200)) * 1000) / 1000 }],
        },
        // Back at the usual rate after the dip: twice the expected rate (the level is still at its 0.5 floor), a
        // spike by score and share, but not above the seasonal baseline.
        {
          expr: `anomaly:requests:current{${sel}} / anomaly:requests:expected{${sel}}`,
          eval_time: at(SCENARIOS.dip, DIP_MINUTES + 20),
          exp_samples: [{ labels: `{${sel}}`, value: 2 }],
        },
        firing('AnomalyTrafficStopped', at(SCENARIOS.stopped, 30), 'traffic', 'page'),
        firing('AnomalyTrafficDrop', at(SCENARIOS.drop, 40), 'traffic'),
        firing('AnomalyTrafficSpike', at(SCENARIOS.spike, 30), 'traffic'),
        firing('AnomalyErrorRatio', at(SCENARIOS.errors, 40), 'availability'),
        firing('AnomalyLatency', at(SCENARIOS.slow, 40), 'latency'),
      ],
      alert_rule_test: [
        { alertname: 'AnomalyTrafficStopped', eval_time: at(SCENARIOS.drop, 40), exp_alerts: [] },
        { alertname: 'AnomalyLatency', eval_time: at(SCENARIOS.errors, 40), exp_alerts: [] },
        // Not yet sustained: 10 minutes into the drop.
        { alertname: 'AnomalyTrafficDrop', eval_time: at(SCENARIOS.drop, 10), exp_alerts: [] },
        // A 20% drop: far beyond Poisson noise at 2 per second, but under the 25% a drop must also reach.
        { alertname: 'AnomalyTrafficDrop', eval_time: at(SCENARIOS.small, 40), exp_alerts: [] },
        { alertname: 'AnomalyTrafficSpike', eval_time: at(SCENARIOS.dip, DIP_MINUTES + 20), exp_alerts: [] },
        // No alert on a normal hour, nor in the baseline week (no past week to compare with).
        ...alerts.flatMap((alertname) => [
          { alertname, eval_time: quiet, exp_alerts: [] },
          { alertname, eval_time: at(-SCENARIO_DAY + SCENARIOS.drop, 40), exp_alerts: [] },
        ]),
      ],
    };
    const file = path.join(dir, 'test.yaml');
    // promtool evaluates groups in no set order unless told: each group reads the one before it, and at a 10-minute
    // interval a recording from the previous evaluation is past the 5-minute lookback.
    const order = groups.map((g) => g.name);
    fs.writeFileSync(
      file,
      stringify({ rule_files: [rules], evaluation_interval: '10m', group_eval_order: order, tests: [test] }, { lineWidth: 0 }),
    );
    const r = spawnSync(bin.promtool, ['test', 'rules', file], { encoding: 'utf8' });
    expect(r.status === 0 ? 'SUCCESS' : `${r.stdout}${r.stderr}`).toBe('SUCCESS');
  }, 120000);
});
