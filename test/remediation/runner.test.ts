import { resolveRemediationPolicy } from '../../constructs/observability/remediation-policy';
import { WebhookAlert, WebhookPayload } from '../../remediation/decide';
import { PostableAlert } from '../../remediation/notifications';
import { AuditRecord, Executor, FORGET_AFTER_MS, RemediationRunner } from '../../remediation/runner';

const MIN = 60_000;
const T0 = Date.parse('2026-12-07T12:00:00Z');
const policy = resolveRemediationPolicy(
  'web',
  {
    dryRun: false,
    services: [
      {
        service: 'api-gateway',
        rules: [{ alert: 'AnomalyLatency', action: { kind: 'restart' }, maxPerHour: 2, cooldownMinutes: 15, escalateAfterMinutes: 10 }],
      },
    ],
  },
  { 'api-gateway': { minReplicas: 2, maxReplicas: 20 } },
);

/** An executor whose actions work, which records Events and notifications, and whose Alertmanager may be down. */
class FakeExecutor implements Executor {
  public readonly ran: string[] = [];
  public readonly events: AuditRecord[] = [];
  public readonly posted: PostableAlert[][] = [];
  public alertmanagerDown = false;
  public rolloutAt = (): number | undefined => undefined;
  public async run(service: string, action: { kind: string }): Promise<string> {
    this.ran.push(`${action.kind} ${service}`);
    return 'done';
  }
  public async event(record: AuditRecord): Promise<void> {
    this.events.push(record);
  }
  public async notify(alerts: readonly PostableAlert[]): Promise<void> {
    if (this.alertmanagerDown) throw new Error('Alertmanager refused the runner’s notification: 503');
    this.posted.push([...alerts]);
  }
}

const alert = (status: WebhookAlert['status'], startsAt = new Date(T0).toISOString()): WebhookPayload => ({
  version: '4',
  status,
  alerts: [
    {
      status,
      labels: { alertname: 'AnomalyLatency', service: 'api-gateway', slo: 'latency', severity: 'ticket' },
      startsAt,
      fingerprint: 'f1',
    },
  ],
});

/** A runner that restarted api-gateway at T0 and escalated 10 minutes later, the alert still firing. */
async function escalated() {
  const executor = new FakeExecutor();
  const clock = { now: T0 };
  const runner = new RemediationRunner({ policy, executor, now: () => clock.now, log: () => undefined });
  await runner.handle(alert('firing'));
  clock.now += 10 * MIN;
  expect((await runner.handle(alert('firing')))[0].verdict).toBe('escalate');
  return { executor, runner, clock };
}

describe('RemediationRunner', () => {
  it('audits an action it took even when Alertmanager refuses the notification, and fails the delivery so it comes again', async () => {
    const executor = new FakeExecutor();
    const lines: string[] = [];
    let now = T0;
    const runner = new RemediationRunner({ policy, executor, now: () => now, log: (l) => lines.push(l) });
    executor.alertmanagerDown = true;
    await expect(runner.handle(alert('firing'))).rejects.toThrow(/503/);
    // The restart happened: its log line, Event and counter are there.
    expect(executor.ran).toEqual(['restart api-gateway']);
    expect(lines.map((l) => JSON.parse(l).verdict)).toEqual(['act']);
    expect(executor.events.map((e) => e.action)).toEqual(['restart']);
    expect(runner.metrics()).toContain('verdict="act",action="restart",dry_run="false"} 1');
    // Alertmanager's retry: no second restart, and the outcome reaches it now.
    executor.alertmanagerDown = false;
    now += MIN;
    expect((await runner.handle(alert('firing')))[0].verdict).toBe('skip');
    expect(executor.ran).toEqual(['restart api-gateway']);
    expect(executor.posted.flat().map((a) => a.labels.alertname)).toEqual(['RemediationOutcome']);
  });

  it("answers a new episode of an alert whose last episode's resolution never reached it, instead of skipping it as escalated", async () => {
    const { executor, runner, clock } = await escalated();
    // The resolution was muted (a silence, an SLO burn's inhibition): the next delivery is a new start, same labels.
    clock.now += 30 * MIN;
    const next = await runner.handle(alert('firing', new Date(clock.now).toISOString()));
    expect(next.map((r) => [r.verdict, r.action])).toEqual([['act', 'restart']]);
    expect(executor.ran).toEqual(['restart api-gateway', 'restart api-gateway']);
    // Only the new episode's notification is posted: the lost one's escalation ends on its own.
    expect(executor.posted[executor.posted.length - 1].map((a) => a.labels.alertname)).toEqual(['RemediationOutcome']);
    // Its end unknown, the lost episode is not counted as resolved or escalated.
    expect(runner.metrics()).not.toContain('perfstack_remediation_outcomes_total{');
  });

  it('forgets an alert not delivered for an hour, so what it keeps about alerts stays bounded', async () => {
    const { runner, clock } = await escalated();
    // Still escalated at the hour's last re-send; past it, the runner answers the alert afresh.
    clock.now += FORGET_AFTER_MS;
    expect((await runner.handle(alert('firing')))[0].reason).toBe('already escalated');
    clock.now += FORGET_AFTER_MS + 1;
    const again = await runner.handle(alert('firing'));
    expect(again.map((r) => [r.verdict, r.action])).toEqual([['act', 'restart']]);
  });
});

const twoServices = resolveRemediationPolicy(
  'web',
  {
    dryRun: false,
    services: [
      { service: 'api-gateway', rules: [{ alert: 'AnomalyLatency', action: { kind: 'restart' } }] },
      { service: 'nlp-service', rules: [{ alert: 'AnomalyLatency', action: { kind: 'restart' } }] },
    ],
  },
  { 'api-gateway': { minReplicas: 2, maxReplicas: 20 }, 'nlp-service': { minReplicas: 2, maxReplicas: 10 } },
);
const payloadOf = (...services: string[]): WebhookPayload => ({
  version: '4',
  status: 'firing',
  alerts: services.map((service) => ({
    status: 'firing',
    labels: { alertname: 'AnomalyLatency', service, severity: 'ticket' },
    startsAt: '2026-12-07T12:00:00Z',
    fingerprint: service,
  })),
});

describe('RemediationRunner with two services in one payload', () => {
  it('keeps the audit of every alert in a payload when Alertmanager refuses its notifications, then reports the failure', async () => {
    const ran: string[] = [];
    const events: AuditRecord[] = [];
    const executor: Executor = {
      run: async (service) => {
        ran.push(service);
        return 'done';
      },
      rolloutAt: () => undefined,
      event: async (r) => void events.push(r),
      notify: async () => {
        throw new Error('Alertmanager refused the runner’s notification: 503');
      },
    };
    const lines: string[] = [];
    const runner = new RemediationRunner({ policy: twoServices, executor, log: (l) => lines.push(l) });
    await expect(runner.handle(payloadOf('api-gateway', 'nlp-service'))).rejects.toThrow(/api-gateway: .*503.*nlp-service: .*503/);
    expect(ran).toEqual(['api-gateway', 'nlp-service']);
    expect(lines.map((l) => JSON.parse(l).outcome)).toEqual(['done', 'done']);
    expect(events.map((e) => e.service)).toEqual(['api-gateway', 'nlp-service']);
    expect(runner.metrics()).toContain('verdict="act",action="restart",dry_run="false"} 1');
  });

  it('makes the re-sent alert after such a failure a refresh, not a second action', async () => {
    let refuse = true;
    const posted: unknown[] = [];
    const ran: string[] = [];
    const executor: Executor = {
      run: async (service) => {
        ran.push(service);
        return 'done';
      },
      rolloutAt: () => undefined,
      event: async () => undefined,
      notify: async (alerts) => {
        if (refuse) throw new Error('down');
        posted.push(...alerts);
      },
    };
    const runner = new RemediationRunner({ policy: twoServices, executor, log: () => undefined });
    await expect(runner.handle(payloadOf('api-gateway'))).rejects.toThrow('down');
    refuse = false;
    const [again] = await runner.handle(payloadOf('api-gateway'));
    expect(again.verdict).toBe('skip');
    expect(ran).toEqual(['api-gateway']);
    expect(posted).toMatchObject([{ labels: { alertname: 'RemediationOutcome', remediated_alert: 'AnomalyLatency' } }]);
  });
});
