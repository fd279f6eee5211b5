import { notification } from '../../remediation/notifications';
import { AuditRecord } from '../../remediation/runner';
import { WebhookAlert } from '../../remediation/decide';

const alert = (labels: Record<string, string>): WebhookAlert => ({
  status: 'firing',
  labels: { alertname: 'AnomalyLatency', service: 'api-gateway', namespace: 'web', slo: 'latency', ...labels },
  annotations: { description: 'p95 6 spreads above its baseline' },
  startsAt: '2026-12-07T12:00:00Z',
  fingerprint: 'f',
});
const record: AuditRecord = {
  time: '2026-12-07T12:00:00Z',
  service: 'api-gateway',
  alert: 'AnomalyLatency',
  labels: {},
  verdict: 'act',
  action: 'restart',
  dryRun: false,
  outcome: 'done',
  reason: 'AnomalyLatency on api-gateway',
};

describe('the runner notifications', () => {
  it("gives an outcome the answered alert's severity and grouping labels, so it joins that alert's notification", () => {
    expect(notification('outcome', alert({ severity: 'ticket', team: 'nlp', pod: 'x' }), record)).toEqual({
      labels: {
        alertname: 'RemediationOutcome',
        severity: 'ticket',
        remediated_alert: 'AnomalyLatency',
        namespace: 'web',
        service: 'api-gateway',
        slo: 'latency',
        team: 'nlp',
      },
      annotations: {
        summary: 'api-gateway: AnomalyLatency answered by the remediation runner (act restart: done)',
        remediation_outcome: 'act restart: done',
        description: 'p95 6 spreads above its baseline',
      },
    });
  });

  it('routes an outcome of an alert without a severity as a ticket, and an escalation always as a page', () => {
    expect(notification('outcome', alert({}), record).labels.severity).toBe('ticket');
    const escalated = notification('escalation', alert({ severity: 'ticket' }), {
      ...record,
      verdict: 'escalate',
      action: undefined,
      outcome: 'escalated',
      reason: 'limit reached',
    });
    expect(escalated.labels).toMatchObject({ alertname: 'RemediationEscalation', severity: 'page' });
    expect(escalated.annotations.summary).toBe('api-gateway: AnomalyLatency needs a person (limit reached)');
  });

  it("pages no one in dry run: the escalation keeps the answered alert's severity and says it would page", () => {
    const escalated = notification(
      'escalation',
      alert({ severity: 'ticket' }),
      { ...record, verdict: 'escalate', action: undefined, outcome: 'escalated', reason: 'still firing 11 min after the restart' },
      true,
    );
    expect(escalated.labels).toMatchObject({ alertname: 'RemediationEscalation', severity: 'ticket' });
    expect(escalated.annotations.remediation_outcome).toBe('escalate: escalated (dry run: would page)');
    expect(escalated.annotations.summary).toContain('dry run: the runner would page, and acted on nothing');
  });
});
