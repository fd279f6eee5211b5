import * as http from 'http';
import { RemediationAction, RemediationPolicy } from '../constructs/observability/remediation-policy';
import { Decision, RemediationState, RolloutClock, WebhookAlert, WebhookPayload, decide } from './decide';
import { NOTIFICATION_TTL_MS, NotificationKind, PostableAlert, notification } from './notifications';

/** The audit record of one decision: who (the runner), what (the action), why (the alert, its labels and value). */
export interface AuditRecord {
  readonly time: string;
  readonly service: string;
  readonly alert: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly verdict: Decision['verdict'];
  readonly action?: RemediationAction['kind'];
  readonly dryRun?: boolean;
  readonly outcome: string;
  readonly reason: string;
}

/** What the runner acts through; the Kubernetes and Redis implementation is in ./kube-executor.ts. */
export interface Executor {
  run(service: string, action: RemediationAction): Promise<string>;
  rolloutAt: RolloutClock;
  /** Reads the service's latest rollout time before a rollback decision. @default - the clock is kept elsewhere */
  refreshRollout?(service: string): Promise<void>;
  /** Writes the audit record as a Kubernetes Event on the service's Deployment. */
  event(record: AuditRecord): Promise<void>;
  /** Posts the runner's notifications (outcomes, escalations) to Alertmanager; see ./notifications.ts. */
  notify(alerts: readonly PostableAlert[]): Promise<void>;
}

/** An alert not delivered for this long is forgotten (the hourly limit's window; its rule's limits still hold). */
export const FORGET_AFTER_MS = 3600_000;

export interface RunnerOptions {
  readonly policy: RemediationPolicy;
  readonly executor: Executor;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default - one JSON line on stdout per record */
  readonly log?: (line: string) => void;
}

/**
 * Largest webhook body read. Alertmanager's own default for a webhook is `max_alerts: 0` (all), but a payload is a
 * group's alerts: hundreds of alerts are about 1 MB; beyond that it is not Alertmanager and is refused unread.
 */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/**
 * The Alertmanager webhook receiver: decides per alert, acts (or not, in dry-run), and audits every decision three
 * ways: a JSON log line, a Kubernetes Event, and `perfstack_remediation_decisions_total`.
 */
export class RemediationRunner {
  public readonly state = new RemediationState();
  /** The notifications posted about each answered alert (by its fingerprint), with when each was first posted. */
  private readonly notices = new Map<string, Map<NotificationKind, { body: Omit<PostableAlert, 'startsAt' | 'endsAt'>; at: number }>>();
  private readonly counts = new Map<string, number>();
  /** How each answered alert (by fingerprint) ended: counted when it resolves. */
  private readonly outcomes = new Map<string, number>();
  /** The alerts the runner acted on or escalated, by fingerprint, until they resolve. */
  private readonly episodes = new Map<string, { service: string; alert: string; action: string; dryRun: boolean }>();
  /** Each firing alert the runner keeps state for: the episode's start, and when it was last delivered. */
  private readonly seen = new Map<string, { startsAt: string; last: number }>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly o: RunnerOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.log ?? ((l) => process.stdout.write(`${l}\n`));
  }

  public async handle(payload: WebhookPayload): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    const failures: string[] = [];
    this.forgetUnseen(this.now());
    // Every alert of the payload is decided, whatever fails for another; the failures are then reported.
    for (const alert of payload.alerts) {
      try {
        if (alert.status === 'resolved') {
          this.countOutcome(alert.fingerprint);
          await this.post(alert.fingerprint, this.now());
          this.forget(alert.fingerprint);
          continue;
        }
        // Same labels, same fingerprint: a later start is a new episode, whose predecessor's end never arrived.
        const known = this.seen.get(alert.fingerprint);
        if (known && known.startsAt !== alert.startsAt) this.forget(alert.fingerprint);
        this.seen.set(alert.fingerprint, { startsAt: alert.startsAt, last: this.now() });
        records.push(await this.one(alert));
      } catch (e) {
        failures.push(`${alert.labels.alertname ?? 'alert'} ${alert.fingerprint}: ${(e as Error).message}`);
      }
    }
    if (failures.length > 0) throw new Error(failures.join('; '));
    return records;
  }

  /**
   * Drops what the runner keeps about alerts not delivered for {@link FORGET_AFTER_MS}: Alertmanager re-sends a
   * firing alert every 5 minutes, so such an alert ended, or is silenced or inhibited, and its resolution will not
   * reach the runner (Alertmanager mutes a resolution too). Its outcome is not counted: how it ended is unknown.
   */
  private forgetUnseen(now: number): void {
    for (const [fingerprint, s] of this.seen) if (now - s.last > FORGET_AFTER_MS) this.forget(fingerprint);
  }

  private forget(fingerprint: string): void {
    this.state.resolve(fingerprint);
    this.notices.delete(fingerprint);
    this.episodes.delete(fingerprint);
    this.seen.delete(fingerprint);
  }

  private async one(alert: WebhookAlert): Promise<AuditRecord> {
    const now = this.now();
    const svc = this.o.policy.services.find((s) => s.service === alert.labels.service);
    if (svc?.rules.some((r) => r.alert === alert.labels.alertname && r.action.kind === 'rollback'))
      await this.o.executor.refreshRollout?.(svc.service);
    // Once a person is paged, the runner stays out of the way (an escalation without an action, e.g. at the hourly
    // limit, leaves no answered action behind for decide to see).
    const d: Decision = this.notices.get(alert.fingerprint)?.has('escalation')
      ? { verdict: 'skip', reason: 'already escalated' }
      : decide(this.o.policy, this.state, alert, now, this.o.executor.rolloutAt);
    const service = alert.labels.service ?? '';
    let outcome: string = d.verdict === 'skip' ? 'skipped' : d.verdict === 'escalate' ? 'escalated' : 'dry-run';
    if (d.verdict === 'act') {
      this.state.record(service, alert.labels.alertname, alert.fingerprint, now);
      if (!d.dryRun) {
        try {
          outcome = await this.o.executor.run(service, d.action);
        } catch (e) {
          outcome = `failed: ${(e as Error).message}`;
        }
      }
    }
    const record: AuditRecord = {
      time: new Date(now).toISOString(),
      service,
      alert: alert.labels.alertname,
      labels: alert.labels,
      description: alert.annotations?.description,
      verdict: d.verdict,
      ...(d.verdict === 'act' ? { action: d.action.kind, dryRun: d.dryRun } : {}),
      outcome,
      reason: d.reason,
    };
    if (d.verdict !== 'skip' && !this.episodes.has(alert.fingerprint))
      this.episodes.set(alert.fingerprint, {
        service,
        alert: record.alert,
        action: record.action ?? '',
        dryRun: record.dryRun ?? this.o.policy.dryRun,
      });
    if (d.verdict === 'act') this.keep(alert, 'outcome', record, now);
    // A failed action escalates at once: nobody should wait for a fix that did not happen.
    if (d.verdict === 'escalate' || outcome.startsWith('failed')) {
      this.keep(alert, 'escalation', record, now);
      this.state.markEscalated(alert.fingerprint);
    }
    // The log line and the counter first: what was decided (and done) is on record whatever fails next.
    this.log(JSON.stringify(record));
    const key = `service="${service}",alertname="${record.alert}",verdict="${d.verdict}",action="${record.action ?? ''}",dry_run="${record.dryRun ?? false}"`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    // Then the Event and the notifications (posted on every delivery of a firing alert, so what was done stays
    // attached while it fires). Both are tried; a failure answers 500, Alertmanager sends the alert again, and the
    // state makes that a refresh, not a second action.
    const failures = (
      await Promise.allSettled([
        d.verdict !== 'skip' ? this.o.executor.event(record) : Promise.resolve(),
        this.post(alert.fingerprint, now + NOTIFICATION_TTL_MS),
      ])
    ).flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failures.length > 0) throw new Error(failures.join('; '));
    return record;
  }

  /**
   * An answered alert ended: `resolved` when no person was paged about it, `escalated` otherwise. The ratio of the
   * two is the share of issues remediation resolved without a person (the requirement's 80% target).
   */
  private countOutcome(fingerprint: string): void {
    const e = this.episodes.get(fingerprint);
    if (!e) return;
    const result = this.notices.get(fingerprint)?.has('escalation') ? 'escalated' : 'resolved';
    const key = `service="${e.service}",alertname="${e.alert}",action="${e.action}",dry_run="${e.dryRun}",result="${result}"`;
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
    this.episodes.delete(fingerprint);
  }

  private keep(alert: WebhookAlert, kind: NotificationKind, record: AuditRecord, now: number): void {
    const mine = this.notices.get(alert.fingerprint) ?? new Map();
    mine.set(kind, { body: notification(kind, alert, record, this.o.policy.dryRun), at: now });
    this.notices.set(alert.fingerprint, mine);
  }

  /** Posts the notifications about one alert, ending at `endsAt` (now, when the alert has resolved). */
  private async post(fingerprint: string, endsAt: number): Promise<void> {
    const mine = [...(this.notices.get(fingerprint)?.values() ?? [])];
    if (mine.length === 0) return;
    const iso = (t: number) => new Date(t).toISOString();
    await this.o.executor.notify(mine.map((n) => ({ ...n.body, startsAt: iso(n.at), endsAt: iso(Math.max(endsAt, n.at)) })));
  }

  /** The counter in Prometheus' text format. */
  public metrics(): string {
    const lines = [
      '# HELP perfstack_remediation_decisions_total Remediation decisions by service, alert, verdict and action.',
      '# TYPE perfstack_remediation_decisions_total counter',
      ...[...this.counts].map(([k, v]) => `perfstack_remediation_decisions_total{${k}} ${v}`),
      '# HELP perfstack_remediation_outcomes_total Alerts the runner acted on or escalated, by how they ended: resolved (no person paged) or escalated.',
      '# TYPE perfstack_remediation_outcomes_total counter',
      ...[...this.outcomes].map(([k, v]) => `perfstack_remediation_outcomes_total{${k}} ${v}`),
    ];
    return `${lines.join('\n')}\n`;
  }

  /** POST /alerts (Alertmanager's webhook), GET /metrics, GET /healthz. */
  public server(): http.Server {
    return http.createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.metrics());
        return;
      }
      if (req.method === 'GET' && req.url === '/healthz') {
        res.writeHead(200).end('ok\n');
        return;
      }
      if (req.method !== 'POST' || req.url !== '/alerts') {
        res.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_PAYLOAD_BYTES) chunks.push(c);
      });
      req.on('end', () => {
        if (size > MAX_PAYLOAD_BYTES) {
          res.writeHead(413).end(`payload over ${MAX_PAYLOAD_BYTES} bytes\n`);
          return;
        }
        let payload: WebhookPayload;
        try {
          payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload;
        } catch {
          res.writeHead(400).end('not JSON\n');
          return;
        }
        this.handle(payload).then(
          (records) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(records)),
          // Alertmanager retries a 5xx: the same alerts come again and the state keeps the limits.
          (e: Error) => res.writeHead(500).end(`${e.message}\n`),
        );
      });
    });
  }
}
