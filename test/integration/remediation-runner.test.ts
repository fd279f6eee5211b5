import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { RemediationPolicy, resolveRemediationPolicy } from '../../constructs/observability/remediation-policy';
import { WebhookPayload } from '../../remediation/decide';
import { PostableAlert, postAlerts } from '../../remediation/notifications';
import { AuditRecord, Executor, MAX_PAYLOAD_BYTES, RemediationRunner } from '../../remediation/runner';
import { RunningAlertmanager, startAlertmanager } from './support/alertmanager';
import { describeWithPrograms } from './support/programs';

const MIN = 60000;
const KNOWN = { 'api-gateway': { minReplicas: 2, maxReplicas: 20 } };
const policy = (dryRun: boolean): RemediationPolicy =>
  resolveRemediationPolicy(
    'web',
    {
      dryRun,
      services: [
        {
          service: 'api-gateway',
          rules: [
            { alert: 'AnomalyLatency', action: { kind: 'restart' }, maxPerHour: 2, cooldownMinutes: 15, escalateAfterMinutes: 10 },
            { alert: 'SloErrorBudgetBurn', action: { kind: 'rollback', withinMinutes: 30 } },
          ],
        },
      ],
    },
    KNOWN,
  );

/** Records what the runner asked for; its notifications go to the real Alertmanager, as in a cluster. */
class RecordingExecutor implements Executor {
  public readonly ran: string[] = [];
  public readonly events: AuditRecord[] = [];
  public rolledOutAt?: number;
  constructor(private readonly alertmanager: () => string) {}
  public async run(service: string, action: { kind: string }): Promise<string> {
    this.ran.push(`${action.kind} ${service}`);
    return 'done';
  }
  public rolloutAt = (): number | undefined => this.rolledOutAt;
  public async event(record: AuditRecord): Promise<void> {
    this.events.push(record);
  }
  public async notify(alerts: readonly PostableAlert[]): Promise<void> {
    await postAlerts(this.alertmanager(), alerts);
  }
}

describeWithPrograms('remediation runner behind a real Alertmanager', ['prometheus-alertmanager'], (bin) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-remediation-'));
  let alertmanager: RunningAlertmanager | undefined;
  let amUrl = '';
  let receiver: http.Server;
  const delivered: WebhookPayload[] = [];
  let waiting: (() => void) | undefined;

  beforeAll(async () => {
    // The test's webhook keeps each real payload; the runner is then driven with them under a controlled clock.
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        delivered.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload);
        res.writeHead(200).end();
        waiting?.();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
    fs.writeFileSync(
      path.join(work, 'alertmanager.yml'),
      stringify({
        route: {
          receiver: 'remediation',
          group_by: ['service', 'alertname'],
          group_wait: '1s',
          group_interval: '1s',
          routes: [{ matchers: ['alertname=~"RemediationEscalation|RemediationOutcome"'], receiver: 'on-call' }],
        },
        receivers: [{ name: 'remediation', webhook_configs: [{ url: hook, send_resolved: true }] }, { name: 'on-call' }],
      }),
    );
    alertmanager = await startAlertmanager(bin['prometheus-alertmanager'], path.join(work, 'alertmanager.yml'), path.join(work, 'data'));
    amUrl = alertmanager.url;
  }, 60000);

  afterAll(async () => {
    await alertmanager?.stop();
    await new Promise((r) => receiver.close(r));
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** Fires `alertname` for api-gateway through the real Alertmanager and returns the payload it delivers. */
  async function deliver(alertname: string, extra: Record<string, string> = {}): Promise<WebhookPayload> {
    const before = delivered.length;
    const arrived = new Promise<void>((r) => (waiting = r));
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname, service: 'api-gateway', namespace: 'web', severity: 'ticket', slo: 'latency', ...extra },
          annotations: { description: 'p95 latency 6 spreads above its baseline' },
        },
      ]),
    });
    expect(res.status).toBe(200);
    await arrived;
    expect(delivered.length).toBeGreaterThan(before);
    return delivered[delivered.length - 1];
  }

  /** The alerts named `alertname` that the real Alertmanager holds as firing. */
  async function active(
    alertname: string,
  ): Promise<{ labels: Record<string, string>; annotations: Record<string, string>; endsAt: string }[]> {
    const res = await fetch(`${amUrl}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`);
    return (
      (await res.json()) as {
        labels: Record<string, string>;
        annotations: Record<string, string>;
        endsAt: string;
        status: { state: string };
      }[]
    ).filter((a) => a.status.state === 'active');
  }

  it('acts on a delivered alert, waits, escalates through Alertmanager, then holds cooldown and the hourly limit', async () => {
    const payload = await deliver('AnomalyLatency');
    expect(payload.version).toBe('4');
    expect(payload.alerts[0]).toMatchObject({ status: 'firing', labels: { alertname: 'AnomalyLatency', service: 'api-gateway' } });
    // The runner's clock is near the real one (its notifications carry times Alertmanager compares with its own):
    // it starts 13 minutes back, so the 12 minutes it advances below end just before now.
    let now = Date.now() - 13 * MIN;
    const executor = new RecordingExecutor(() => amUrl);
    const lines: string[] = [];
    const runner = new RemediationRunner({ policy: policy(false), executor, now: () => now, log: (l) => lines.push(l) });
    const verdicts = async () => (await runner.handle(payload)).map((r) => `${r.verdict}: ${r.reason}`);

    expect(await verdicts()).toEqual(['act: AnomalyLatency on api-gateway']);
    expect(executor.ran).toEqual(['restart api-gateway']);
    now += 5 * MIN; // Alertmanager re-sends the same alert
    expect(await verdicts()).toEqual(['skip: acted 5 min ago; escalates at 10 min']);
    now += 6 * MIN;
    expect(await verdicts()).toEqual(['escalate: still firing 11 min after the restart']);
    now += 1 * MIN;
    expect(await verdicts()).toEqual(['skip: already escalated']);
    // The escalation is a page in the real Alertmanager, carrying the outcome.
    const held = await active('RemediationEscalation');
    expect(held).toHaveLength(1);
    expect(held[0].labels).toMatchObject({ severity: 'page', service: 'api-gateway', slo: 'latency', remediated_alert: 'AnomalyLatency' });
    expect(held[0].annotations.remediation_outcome).toBe('escalate: escalated');
    // Beside it, the outcome of the restart, at the answered alert's severity, so it joins that alert's notification.
    const outcomes = await active('RemediationOutcome');
    expect(outcomes.map((a) => [a.labels.severity, a.labels.remediated_alert, a.annotations.remediation_outcome])).toEqual([
      ['ticket', 'AnomalyLatency', 'act restart: done'],
    ]);
    // Both stay firing for three re-sends past the last delivery, then end unless posted again.
    expect(Date.parse(outcomes[0].endsAt) - now).toBe(15 * MIN);
    // The answered alert resolves: so do the runner's notifications about it.
    await runner.handle({ ...payload, alerts: [{ ...payload.alerts[0], status: 'resolved' }] });
    expect(await active('RemediationOutcome')).toEqual([]);
    expect(await active('RemediationEscalation')).toEqual([]);

    // Other alerts answered by the same rule (other fingerprints: Alertmanager hashes the labels, so they differ in a
    // label such as the pod): cooldown, then a second restart, then the hourly limit.
    const again = (fingerprint: string): WebhookPayload => ({ ...payload, alerts: [{ ...payload.alerts[0], fingerprint }] });
    expect((await runner.handle(again('b')))[0].reason).toBe('cooldown: last restart 12 min ago (15 min)');
    now += 4 * MIN;
    expect((await runner.handle(again('c')))[0].verdict).toBe('act');
    now += 16 * MIN;
    expect((await runner.handle(again('d')))[0].reason).toBe('limit reached: 2 restart actions in the last hour (at most 2)');
    expect(executor.ran).toEqual(['restart api-gateway', 'restart api-gateway']);
    // The second restart worked: its alert resolves with no person paged.
    await runner.handle({ ...payload, alerts: [{ ...payload.alerts[0], fingerprint: 'c', status: 'resolved' }] });

    // The audit: a log line per decision, an Event per action or escalation, a counter per verdict.
    expect(lines.map((l) => JSON.parse(l).verdict)).toEqual(['act', 'skip', 'escalate', 'skip', 'skip', 'act', 'escalate']);
    expect(JSON.parse(lines[0])).toMatchObject({
      service: 'api-gateway',
      alert: 'AnomalyLatency',
      action: 'restart',
      dryRun: false,
      outcome: 'done',
    });
    expect(executor.events.map((e) => e.verdict)).toEqual(['act', 'escalate', 'act', 'escalate']);
    expect(runner.metrics()).toContain(
      'perfstack_remediation_decisions_total{service="api-gateway",alertname="AnomalyLatency",verdict="act",action="restart",dry_run="false"} 2',
    );
    // How the answered alerts ended (the one escalated at the hourly limit still fires): one needed a person, one not.
    const ended = runner
      .metrics()
      .split('\n')
      .filter((l) => l.startsWith('perfstack_remediation_outcomes_total{'));
    expect(ended).toEqual([
      'perfstack_remediation_outcomes_total{service="api-gateway",alertname="AnomalyLatency",action="restart",dry_run="false",result="escalated"} 1',
      'perfstack_remediation_outcomes_total{service="api-gateway",alertname="AnomalyLatency",action="restart",dry_run="false",result="resolved"} 1',
    ]);
  }, 30000);

  it('decides but changes nothing in dry-run, and rolls back only right after a rollout', async () => {
    const payload = await deliver('SloErrorBudgetBurn', { slo: 'availability' });
    const started = Date.parse(payload.alerts[0].startsAt);
    const executor = new RecordingExecutor(() => amUrl);
    const dry = new RemediationRunner({ policy: policy(true), executor, now: () => started, log: () => undefined });
    executor.rolledOutAt = started - 5 * MIN;
    const [record] = await dry.handle(payload);
    expect(record).toMatchObject({ verdict: 'act', action: 'rollback', dryRun: true, outcome: 'dry-run' });
    expect(executor.ran).toEqual([]);

    const live = new RemediationRunner({ policy: policy(false), executor, now: () => started, log: () => undefined });
    executor.rolledOutAt = started - 45 * MIN;
    expect((await live.handle(payload))[0]).toMatchObject({
      verdict: 'escalate',
      reason: 'no rollout in the 30 min before the alert: a rollback would not help',
    });
    expect(executor.ran).toEqual([]);
  }, 30000);

  it('serves the webhook over HTTP as Alertmanager calls it', async () => {
    const executor = new RecordingExecutor(() => amUrl);
    const runner = new RemediationRunner({ policy: policy(false), executor, log: () => undefined });
    const server = runner.server();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const payload = delivered[0];
    const res = await fetch(`${url}/alerts`, { method: 'POST', body: JSON.stringify(payload) });
    expect(res.status).toBe(200);
    expect(executor.ran).toEqual(['restart api-gateway']);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('verdict="act",action="restart"');
    expect((await fetch(`${url}/alerts`, { method: 'POST', body: 'nope' })).status).toBe(400);
    // A body over the cap is refused without being kept in memory.
    const huge = await fetch(`${url}/alerts`, { method: 'POST', body: 'x'.repeat(MAX_PAYLOAD_BYTES + 1) });
    expect(huge.status).toBe(413);
    await new Promise((r) => server.close(r));
  });
});
