import { resolveRemediationPolicy } from '../../constructs/observability/remediation-policy';
import { WebhookPayload } from '../../remediation/decide';
import { AuditRecord, Executor, RemediationRunner } from '../../remediation/runner';

const policy = resolveRemediationPolicy(
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
const payload = (...services: string[]): WebhookPayload => ({
  version: '4',
  status: 'firing',
  alerts: services.map((service) => ({
    status: 'firing',
    labels: { alertname: 'AnomalyLatency', service, severity: 'ticket' },
    startsAt: '2026-12-07T12:00:00Z',
    fingerprint: service,
  })),
});

describe('RemediationRunner', () => {
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
    const runner = new RemediationRunner({ policy, executor, log: (l) => lines.push(l) });
    await expect(runner.handle(payload('api-gateway', 'nlp-service'))).rejects.toThrow(/api-gateway: .*503.*nlp-service: .*503/);
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
    const runner = new RemediationRunner({ policy, executor, log: () => undefined });
    await expect(runner.handle(payload('api-gateway'))).rejects.toThrow('down');
    refuse = false;
    const [again] = await runner.handle(payload('api-gateway'));
    expect(again.verdict).toBe('skip');
    expect(ran).toEqual(['api-gateway']);
    expect(posted).toMatchObject([{ labels: { alertname: 'RemediationOutcome', remediated_alert: 'AnomalyLatency' } }]);
  });
});
