import fc from 'fast-check';
import { resolveRemediationPolicy } from '../../constructs/observability/remediation-policy';
import { RemediationState, WebhookAlert, decide } from '../../remediation/decide';

const MIN = 60000;
const policy = (dryRun = false) =>
  resolveRemediationPolicy(
    'web',
    {
      dryRun,
      services: [
        {
          service: 'api-gateway',
          rules: [{ alert: 'AnomalyLatency', action: { kind: 'restart' }, maxPerHour: 3, cooldownMinutes: 10, escalateAfterMinutes: 5 }],
        },
      ],
    },
    { 'api-gateway': { minReplicas: 2, maxReplicas: 20 } },
  );
const alert = (fingerprint: string, labels: Record<string, string> = {}): WebhookAlert => ({
  status: 'firing',
  labels: { alertname: 'AnomalyLatency', service: 'api-gateway', ...labels },
  startsAt: '2026-12-07T12:00:00Z',
  fingerprint,
});
const never = () => undefined;

describe('decide', () => {
  it('skips alerts and services the policy does not name', () => {
    const state = new RemediationState();
    expect(decide(policy(), state, alert('a', { service: 'web' }), 0, never)).toEqual({
      verdict: 'skip',
      reason: 'no rule for AnomalyLatency on web',
    });
    expect(decide(policy(), state, alert('a', { alertname: 'Other' }), 0, never).verdict).toBe('skip');
  });

  it('acts in dry-run with the same decision, marked', () => {
    expect(decide(policy(true), new RemediationState(), alert('a'), 0, never)).toEqual({
      verdict: 'act',
      action: { kind: 'restart' },
      dryRun: true,
      reason: 'AnomalyLatency on api-gateway',
    });
  });

  it('never acts more than the hourly limit nor within the cooldown, whatever the alerts', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 60 }), (minutes) => {
        const state = new RemediationState();
        const acted: number[] = [];
        [...minutes]
          .sort((a, b) => a - b)
          .forEach((m, i) => {
            const d = decide(policy(), state, alert(`f${i}`), m * MIN, never);
            if (d.verdict === 'act') {
              state.record('api-gateway', 'AnomalyLatency', `f${i}`, m * MIN);
              acted.push(m);
            }
          });
        const gaps = acted.slice(1).map((m, i) => m - acted[i]);
        expect(gaps.every((g) => g >= 10)).toBe(true);
        expect(Math.max(0, ...acted.map((m) => acted.filter((x) => x > m - 60 && x <= m).length))).toBeLessThanOrEqual(3);
      }),
    );
  });

  it('escalates once when the alert it acted on still fires after the escalation time', () => {
    const state = new RemediationState();
    expect(decide(policy(), state, alert('a'), 0, never).verdict).toBe('act');
    state.record('api-gateway', 'AnomalyLatency', 'a', 0);
    expect(decide(policy(), state, alert('a'), 4 * MIN, never).verdict).toBe('skip');
    expect(decide(policy(), state, alert('a'), 5 * MIN, never)).toEqual({
      verdict: 'escalate',
      reason: 'still firing 5 min after the restart',
    });
    state.markEscalated('a');
    expect(decide(policy(), state, alert('a'), 6 * MIN, never)).toEqual({ verdict: 'skip', reason: 'already escalated' });
    state.resolve('a');
    expect(decide(policy(), state, alert('a'), 11 * MIN, never).verdict).toBe('act');
  });
});
