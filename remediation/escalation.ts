import { AuditRecord } from './runner';
import { WebhookAlert } from './decide';

/**
 * Escalation as an alert of its own, `RemediationEscalation` at `severity=page`, posted to Alertmanager's v2 API: it
 * is routed, grouped (with the alert it answers: same service and slo) and acknowledged like every other page, and
 * carries what the runner did and why in its annotations.
 *
 * @see https://prometheus.io/docs/alerting/latest/clients/
 */
export function escalationAlert(alert: WebhookAlert, record: AuditRecord, now: Date): object {
  const keep = ['namespace', 'service', 'slo', 'team'].filter((k) => alert.labels[k] !== undefined);
  return {
    labels: {
      alertname: 'RemediationEscalation',
      severity: 'page',
      remediated_alert: record.alert,
      ...Object.fromEntries(keep.map((k) => [k, alert.labels[k]])),
    },
    annotations: {
      summary: `${record.service}: ${record.alert} needs a person (${record.reason})`,
      remediation_outcome: `${record.verdict}${record.action ? ` ${record.action}` : ''}: ${record.outcome}`,
      description: alert.annotations?.description ?? '',
    },
    startsAt: now.toISOString(),
  };
}

export async function postEscalation(alertmanagerUrl: string, alert: WebhookAlert, record: AuditRecord, now = new Date()): Promise<void> {
  const res = await fetch(`${alertmanagerUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([escalationAlert(alert, record, now)]),
  });
  if (!res.ok) throw new Error(`Alertmanager refused the escalation: ${res.status} ${await res.text()}`);
}
