import { REMEDIATION_ALERTS, REMEDIATION_REPEAT_MINUTES } from '../constructs/observability/remediation-policy';
import { WebhookAlert } from './decide';
import { AuditRecord } from './runner';

/**
 * What the runner tells people, as alerts of its own posted to Alertmanager's v2 API, so they are routed, grouped
 * and acknowledged like every other alert:
 * - `RemediationOutcome` after every action (done, dry run or failed), at the severity of the alert it answers: it
 *   takes the same route and joins the same group (service, slo), so the next notification of that incident shows
 *   what was done about it (the receivers' templates print `remediation_outcome`).
 * - `RemediationEscalation` at `severity=page` when a person is needed.
 *
 * Both stay firing while the answered alert does: the runner posts them again, with a later end, each time
 * Alertmanager re-sends that alert, and resolves them when it resolves. A runner that stops posting lets them end
 * on their own after three re-sends (an alert without an end would resolve after Alertmanager's `resolve_timeout`,
 * 5 minutes, and close a page nobody has looked at yet).
 *
 * @see https://prometheus.io/docs/alerting/latest/clients/
 */
export type NotificationKind = 'outcome' | 'escalation';

/** An alert as Alertmanager's `POST /api/v2/alerts` takes it. */
export interface PostableAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
}

/** How long a posted notification lasts unless posted again: three re-sends of the runner's route. */
export const NOTIFICATION_TTL_MS = 3 * REMEDIATION_REPEAT_MINUTES * 60_000;

const GROUPED_BY = ['namespace', 'service', 'slo', 'team'] as const;

/** The notification of `kind` about `record`, the runner's answer to `alert`, without its times. */
export function notification(
  kind: NotificationKind,
  alert: WebhookAlert,
  record: AuditRecord,
  dryRun = false,
): Omit<PostableAlert, 'startsAt' | 'endsAt'> {
  const keep = GROUPED_BY.filter((k) => alert.labels[k] !== undefined);
  const what = `${record.verdict}${record.action ? ` ${record.action}` : ''}: ${record.outcome}${dryRun && kind === 'escalation' ? ' (dry run: would page)' : ''}`;
  return {
    labels: {
      alertname: REMEDIATION_ALERTS[kind],
      // An outcome keeps the answered alert's severity, so it lands in that alert's notification and pages no one anew;
      // so does an escalation in dry run, where nothing was done that could have failed: it says it would page.
      severity: kind === 'outcome' || dryRun ? (alert.labels.severity ?? 'ticket') : 'page',
      remediated_alert: record.alert,
      ...Object.fromEntries(keep.map((k) => [k, alert.labels[k]])),
    },
    annotations: {
      summary:
        kind === 'outcome'
          ? `${record.service}: ${record.alert} answered by the remediation runner (${what})`
          : `${record.service}: ${record.alert} needs a person (${record.reason})${dryRun ? '; dry run: the runner would page, and acted on nothing' : ''}`,
      remediation_outcome: what,
      description: alert.annotations?.description ?? '',
    },
  };
}

export async function postAlerts(alertmanagerUrl: string, alerts: readonly PostableAlert[]): Promise<void> {
  const res = await fetch(`${alertmanagerUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  if (!res.ok) throw new Error(`Alertmanager refused the runner's notification: ${res.status} ${await res.text()}`);
}
