import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { sloModel } from '../../constructs/observability/slo';
import { BURN_RATE_WINDOWS, SLI_WINDOWS, sloRuleGroups } from '../../constructs/observability/slo-rules';
import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';

const api = prod.services.find((s) => s.name === 'api-gateway')!;
const model = sloModel({ service: api.name, namespace: prod.namespace, slo: api.slo });
const sel = `namespace="web",service="api-gateway"`;

/** Request counters over `minutes` at 1000 requests per minute, `badShare` of them failing (or slow). */
function availabilitySeries(badShare: number, minutes: number) {
  return [
    { series: `http_requests_total{${sel},code="200"}`, values: `0+${1000 * (1 - badShare)}x${minutes}` },
    { series: `http_requests_total{${sel},code="500"}`, values: `0+${1000 * badShare}x${minutes}` },
  ];
}

function latencySeries(slowShare: number, minutes: number) {
  return [
    { series: `http_request_duration_seconds_bucket{${sel},le="0.2"}`, values: `0+${1000 * (1 - slowShare)}x${minutes}` },
    { series: `http_request_duration_seconds_count{${sel}}`, values: `0+1000x${minutes}` },
  ];
}

describeWithPrograms('SLO burn-rate alerts of api-gateway, on real promtool', ['promtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-slo-'));
  const rules = path.join(dir, 'slo.rules.yaml');
  fs.writeFileSync(rules, stringify({ groups: sloRuleGroups(model) }, { lineWidth: 0 }));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs `promtool test rules` on one case; returns 'SUCCESS' or promtool's complaint. */
  function promtoolTest(inputSeries: object[], test: { alert_rule_test?: object[]; promql_expr_test?: object[] }): string {
    const file = path.join(dir, `test-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(
      file,
      stringify(
        { rule_files: [rules], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: inputSeries, ...test }] },
        { lineWidth: 0 },
      ),
    );
    const r = spawnSync(bin.promtool, ['test', 'rules', file], { encoding: 'utf8' });
    return r.status === 0 ? 'SUCCESS' : `${r.stdout}${r.stderr}`;
  }

  /**
   * Asserts which page alerts (by burn rate) of `slo` fire at each of `evalTimes`, read from the ALERTS series: one
   * promtool run evaluates the rules once and checks every time (its complaint names the failing ones).
   */
  function expectPages(slo: string, series: object[], evalTimes: string[], burns: string[]): void {
    const out = promtoolTest(series, {
      promql_expr_test: evalTimes.map((evalTime) => ({
        expr: `count by (burn_rate) (ALERTS{alertname="SloErrorBudgetBurn",alertstate="firing",severity="page",slo="${slo}"})`,
        eval_time: evalTime,
        exp_samples: burns.map((b) => ({ labels: `{burn_rate="${b}"}`, value: 1 })),
      })),
    });
    expect(`${slo} at ${evalTimes.join(', ')}: ${out}`).toBe(`${slo} at ${evalTimes.join(', ')}: SUCCESS`);
  }

  const bad = (slo: string, factor: number, minutes: number) => {
    const budget = model.objectives.find((o) => o.name === slo)!.budget;
    return slo === 'availability' ? availabilitySeries(factor * budget, minutes) : latencySeries(factor * budget, minutes);
  };

  it('passes promtool check rules', () => {
    const r = spawnSync(bin.promtool, ['check', 'rules', rules], { encoding: 'utf8' });
    // Per objective: a recording per window and four burn-rate alerts; plus the absent-metrics alert.
    expect(`${r.stdout}${r.stderr}`).toContain(
      `SUCCESS: ${model.objectives.length * (SLI_WINDOWS.length + BURN_RATE_WINDOWS.length) + 1} rules found`,
    );
  });

  it.each(['availability', 'latency'])('%s: pages within 5 minutes of a sustained 14.4x burn', (slo) => {
    // A 14.4x burn is also above 6x: both pages fire, and Alertmanager groups them by service and slo.
    expectPages(slo, bad(slo, 14.4, 30), ['5m'], ['14.4x', '6x']);
  });

  it.each(['availability', 'latency'])('%s: never pages at a 1x burn', (slo) => {
    expectPages(slo, bad(slo, 1, 240), ['5m', '30m', '1h', '4h'], []);
  });

  it.each(['availability', 'latency'])('%s: pages at a sustained 6x burn within its 30m short window, not at 14.4x', (slo) => {
    expectPages(slo, bad(slo, 6, 60), ['30m'], ['6x']);
  });

  it('does not page on a healthy service', () => {
    expectPages('availability', bad('availability', 0, 60), ['30m'], []);
  });

  it('warns when the SLO metrics vanish, and says how fast a burn empties the budget', () => {
    const absent = sloRuleGroups(model)[1].rules.find((r) => r.alert === 'SloMetricsAbsent')!;
    const out = promtoolTest([], {
      alert_rule_test: [
        {
          eval_time: '11m',
          alertname: 'SloMetricsAbsent',
          exp_alerts: [{ exp_labels: { ...absent.labels }, exp_annotations: { ...absent.annotations } }],
        },
      ],
    });
    expect(out).toBe('SUCCESS');
    const page = sloRuleGroups(model)[1].rules.find((r) => r.labels?.burn_rate === '14.4x' && r.labels.slo === 'availability')!;
    expect(page.annotations?.description).toContain('allows 0.1% bad requests over 30 days');
    expect(page.annotations?.description).toContain('gone in 2.083333333 days');
  });
});
