import { RemediationAction, RemediationPolicy } from '../constructs/observability/remediation-policy';

/** One alert of Alertmanager's webhook payload (version 4). @see https://prometheus.io/docs/alerting/latest/configuration/#webhook_config */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly fingerprint: string;
}

export interface WebhookPayload {
  readonly version: string;
  readonly status: string;
  readonly alerts: readonly WebhookAlert[];
}

/** What the runner does about one alert, and why. */
export type Decision =
  | { readonly verdict: 'act'; readonly action: RemediationAction; readonly dryRun: boolean; readonly reason: string }
  | { readonly verdict: 'escalate'; readonly reason: string }
  | { readonly verdict: 'skip'; readonly reason: string };

/**
 * What the runner remembers between deliveries: when each service's rule acted, and which alert each action answered.
 * It lives in the runner's memory: a restarted runner forgets its rate limits, so it runs as one replica and the
 * limits are per process lifetime (stated in docs/operations.md).
 */
export class RemediationState {
  private readonly actions = new Map<string, number[]>();
  private readonly answered = new Map<string, { at: number; escalated: boolean }>();

  public actedAt(service: string, alert: string): readonly number[] {
    return this.actions.get(`${service}/${alert}`) ?? [];
  }

  public record(service: string, alert: string, fingerprint: string, at: number): void {
    const key = `${service}/${alert}`;
    this.actions.set(key, [...(this.actions.get(key) ?? []).filter((t) => at - t < 3600_000), at]);
    this.answered.set(fingerprint, { at, escalated: false });
  }

  public answer(fingerprint: string): { at: number; escalated: boolean } | undefined {
    return this.answered.get(fingerprint);
  }

  public markEscalated(fingerprint: string): void {
    const a = this.answered.get(fingerprint);
    if (a) a.escalated = true;
  }

  public resolve(fingerprint: string): void {
    this.answered.delete(fingerprint);
  }
}

/** When the service's Deployment last rolled out (ms since the epoch), for the rollback rule. */
export type RolloutClock = (service: string) => number | undefined;

/**
 * The decision for one alert at `now` (ms): pure, given the state; the caller records an action it takes. Order:
 * an alert already answered waits for its escalation time; then the cooldown; then the hourly limit (reaching it
 * escalates); then the rule's own condition (rollback only shortly after a rollout).
 */
export function decide(
  policy: RemediationPolicy,
  state: RemediationState,
  alert: WebhookAlert,
  now: number,
  rollout: RolloutClock,
): Decision {
  const name = alert.labels.alertname;
  const service = alert.labels.service;
  const svc = policy.services.find((s) => s.service === service);
  const rule = svc?.rules.find((r) => r.alert === name);
  if (!svc || !rule) return { verdict: 'skip', reason: `no rule for ${name} on ${service ?? 'an alert without a service label'}` };
  if (alert.status === 'resolved') return { verdict: 'skip', reason: 'resolved' };
  const answered = state.answer(alert.fingerprint);
  if (answered) {
    const minutes = (now - answered.at) / 60000;
    if (minutes < rule.escalateAfterMinutes)
      return { verdict: 'skip', reason: `acted ${minutes.toFixed(0)} min ago; escalates at ${rule.escalateAfterMinutes} min` };
    if (answered.escalated) return { verdict: 'skip', reason: 'already escalated' };
    return { verdict: 'escalate', reason: `still firing ${minutes.toFixed(0)} min after the ${rule.action.kind}` };
  }
  const acted = state.actedAt(service, name);
  const last = acted[acted.length - 1];
  if (last !== undefined && now - last < rule.cooldownMinutes * 60000)
    return {
      verdict: 'skip',
      reason: `cooldown: last ${rule.action.kind} ${((now - last) / 60000).toFixed(0)} min ago (${rule.cooldownMinutes} min)`,
    };
  const lastHour = acted.filter((t) => now - t < 3600000).length;
  if (lastHour >= rule.maxPerHour)
    return {
      verdict: 'escalate',
      reason: `limit reached: ${lastHour} ${rule.action.kind} actions in the last hour (at most ${rule.maxPerHour})`,
    };
  if (rule.action.kind === 'rollback') {
    const rolled = rollout(service);
    const started = Date.parse(alert.startsAt);
    if (rolled === undefined || started - rolled > rule.action.withinMinutes * 60000 || started < rolled)
      return {
        verdict: 'escalate',
        reason: `no rollout in the ${rule.action.withinMinutes} min before the alert: a rollback would not help`,
      };
  }
  return { verdict: 'act', action: rule.action, dryRun: policy.dryRun, reason: `${name} on ${service}` };
}
