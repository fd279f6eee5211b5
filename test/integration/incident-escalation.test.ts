import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { alertRoutingRules } from '../../constructs/observability/alert-routing';
import { alertRoutingOptions } from '../../stacks/environment';
import { ENVIRONMENTS } from '../../stacks/environments';
import { describeWithPrograms } from './support/programs';
import { firingCount } from './support/promtool-alerts';

describeWithPrograms('Escalation of unacknowledged pages (staging: 15 minutes), on real promtool', ['promtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-escalation-'));
  const rules = path.join(dir, 'rules.yml');
  fs.writeFileSync(rules, stringify({ groups: alertRoutingRules(alertRoutingOptions(ENVIRONMENTS.staging)) }, { lineWidth: 0 }));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** ALERTS of one alert firing for `minutes` minutes from the start, then gone. */
  const firing = (labels: string, minutes: number) => ({
    series: `ALERTS{alertstate="firing",namespace="web",${labels}}`,
    values: `1x${minutes} stale`,
  });
  /** 'SUCCESS' when `expected` escalations of `team` fire at `evalTime` with `series` as input. */
  const check = (series: { series: string; values: string }[], evalTime: string, team: string, expected: number) =>
    firingCount({
      promtool: bin.promtool,
      rules,
      testFile: path.join(dir, 'test.yml'),
      series,
      selector: `alertname="IncidentNotAcknowledged",alertstate="firing",team="${team}"`,
      evalTime,
      expected,
    });
  const apiPage = firing('alertname="SloErrorBudgetBurn",severity="page",service="api-gateway",slo="availability"', 60);

  it('escalates a page of api-gateway (platform team) 15 minutes after it started firing, not before', () => {
    expect(check([apiPage], '14m', 'platform', 0)).toBe('SUCCESS');
    expect(check([apiPage], '16m', 'platform', 1)).toBe('SUCCESS');
  });

  it("escalates nlp-service's pages as the nlp team's, and never a ticket", () => {
    const nlpPage = firing('alertname="AnomalyTrafficStopped",severity="page",service="nlp-service",slo="traffic"', 60);
    const ticket = firing('alertname="AnomalyLatency",severity="ticket",service="api-gateway",slo="latency"', 60);
    expect(check([nlpPage, ticket], '20m', 'nlp', 1)).toBe('SUCCESS');
    expect(check([nlpPage, ticket], '20m', 'platform', 0)).toBe('SUCCESS');
  });

  it('does not escalate a page resolved within the delay, nor the escalation itself', () => {
    const brief = firing('alertname="SloErrorBudgetBurn",severity="page",service="api-gateway",slo="availability"', 10);
    expect(check([brief], '20m', 'platform', 0)).toBe('SUCCESS');
    // The escalation of apiPage fires from minute 15; it would escalate itself at 30 if it were not excluded.
    expect(check([apiPage], '40m', 'platform', 1)).toBe('SUCCESS');
  });
});
