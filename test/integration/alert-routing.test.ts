import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { alertmanagerYaml } from '../../constructs/observability/alert-routing';
import { policyAlerts } from '../../constructs/observability/remediation-policy';
import { remediationWebhookUrl } from '../../constructs/observability/remediation-runner';
import { ENVIRONMENTS } from '../../stacks/environments';
import { RunningAlertmanager, startAlertmanager } from './support/alertmanager';
import { describeWithPrograms } from './support/programs';

describeWithPrograms('Alertmanager routing of every environment, on real amtool', ['amtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-am-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const configFor = (env: string) => {
    const e = ENVIRONMENTS[env];
    const file = path.join(dir, `${env}.yml`);
    fs.writeFileSync(file, alertmanagerYaml({ namespace: e.namespace, airGapped: e.airGapped, ...e.alerting }));
    return file;
  };
  const route = (file: string, ...labels: string[]) =>
    spawnSync(bin.amtool, ['config', 'routes', 'test', `--config.file=${file}`, ...labels], { encoding: 'utf8' }).stdout.trim();

  it.each(Object.keys(ENVIRONMENTS))('%s: amtool check-config accepts it', (env) => {
    const r = spawnSync(bin.amtool, ['check-config', configFor(env)], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  it.each(Object.keys(ENVIRONMENTS))('%s: pages go to on-call, tickets to the ticket receiver', (env) => {
    const file = configFor(env);
    expect(route(file, 'severity=page', 'service=api-gateway', 'slo=availability', 'namespace=web')).toBe('on-call');
    expect(route(file, 'severity=ticket', 'service=api-gateway', 'slo=latency', 'namespace=web')).toBe('ticket');
    expect(route(file, 'alertname=Unlabelled')).toBe('ticket');
  });

  it.each(Object.keys(ENVIRONMENTS))('%s: the alerts its remediation policy answers reach the runner, then on-call or ticket', (env) => {
    const e = ENVIRONMENTS[env];
    const file = path.join(dir, `${env}-remediation.yml`);
    const remediation = { webhookUrl: remediationWebhookUrl(e.namespace), alerts: policyAlerts(e.remediation!) };
    fs.writeFileSync(file, alertmanagerYaml({ namespace: e.namespace, airGapped: e.airGapped, ...e.alerting, remediation }));
    expect(spawnSync(bin.amtool, ['check-config', file], { encoding: 'utf8' }).status).toBe(0);
    const labels = ['service=api-gateway', 'namespace=web'];
    expect(route(file, 'alertname=LatencyP99High', 'severity=page', ...labels)).toBe('remediation,on-call');
    expect(route(file, 'alertname=SloErrorBudgetBurn', 'severity=ticket', 'slo=availability', ...labels)).toBe('remediation,ticket');
    // Its own escalation, and alerts outside the policy, never reach the runner.
    expect(route(file, 'alertname=RemediationEscalation', 'severity=page', ...labels)).toBe('on-call');
    expect(route(file, 'alertname=PodCrashLooping', 'severity=page', ...labels)).toBe('on-call');
  });
});

describeWithPrograms('Alertmanager inhibition of every environment, on a real Alertmanager', ['prometheus-alertmanager'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-am-inhibit-'));
  let alertmanager: RunningAlertmanager | undefined;
  let url = '';

  beforeAll(async () => {
    const e = ENVIRONMENTS.prod;
    fs.writeFileSync(path.join(dir, 'am.yml'), alertmanagerYaml({ namespace: e.namespace, airGapped: e.airGapped, ...e.alerting }));
    alertmanager = await startAlertmanager(bin['prometheus-alertmanager'], path.join(dir, 'am.yml'), path.join(dir, 'data'));
    url = alertmanager.url;
  }, 60000);

  afterAll(async () => {
    await alertmanager?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Posts `alerts` and returns, per alertname, whether Alertmanager holds it inhibited. */
  async function inhibited(alerts: Record<string, string>[]): Promise<Record<string, boolean>> {
    const body = alerts.map((labels) => ({ labels: { namespace: 'web', service: 'api-gateway', ...labels } }));
    expect(
      (await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }))
        .status,
    ).toBe(200);
    // Inhibition is evaluated when the alerts are read; the source must be in the store first.
    await new Promise((r) => setTimeout(r, 200));
    const held = (await (await fetch(`${url}/api/v2/alerts`)).json()) as {
      labels: Record<string, string>;
      status: { inhibitedBy: string[] };
    }[];
    return Object.fromEntries(held.map((a) => [`${a.labels.alertname}/${a.labels.slo ?? ''}`, a.status.inhibitedBy.length > 0]));
  }

  it('holds back an anomaly alert that an SLO burn of the same service and slo already reports, and only that', async () => {
    const state = await inhibited([
      { alertname: 'SloErrorBudgetBurn', severity: 'ticket', slo: 'availability' },
      { alertname: 'AnomalyErrorRatio', severity: 'ticket', slo: 'availability', anomaly: 'true' },
      { alertname: 'AnomalyLatency', severity: 'ticket', slo: 'latency', anomaly: 'true' },
      { alertname: 'AnomalyTrafficStopped', severity: 'page', slo: 'traffic', anomaly: 'true' },
      { alertname: 'AnomalyTrafficDrop', severity: 'ticket', slo: 'traffic', anomaly: 'true' },
    ]);
    expect(state).toEqual({
      'SloErrorBudgetBurn/availability': false,
      'AnomalyErrorRatio/availability': true,
      'AnomalyLatency/latency': false,
      'AnomalyTrafficStopped/traffic': false,
      'AnomalyTrafficDrop/traffic': true,
    });
  });
});
