import { Problems } from '../core/errors';

/**
 * What the remediation runner may do, per service: each alert maps to one allowlisted action with its own limits.
 * The policy is plain data: validated here at synth, rendered into the runner's ConfigMap, and read by the runner
 * (remediation/) as is, so what was reviewed is what runs. The runner's RBAC is derived from it too
 * ({@link policyRoleRules}), so it can do exactly what the policy names and nothing else.
 */

/** Rolling restart of the service's Deployment (the `kubectl rollout restart` annotation). */
export interface RestartAction {
  readonly kind: 'restart';
}

/** Raise the HorizontalPodAutoscaler's floor by `by` replicas, for `minutes`, never above its max replicas. */
export interface ScaleAction {
  readonly kind: 'scale';
  /** Replicas added to the floor. */
  readonly by: number;
  /** How long the raised floor holds before the runner puts it back. */
  readonly minutes: number;
}

/** Delete the keys under one named prefix, in batches (SCAN + UNLINK); never FLUSHALL or FLUSHDB. */
export interface CacheClearAction {
  readonly kind: 'cacheClear';
  /** Key prefix, e.g. `session:`; the runner deletes `<prefix>*`. */
  readonly prefix: string;
  /** Keys per SCAN/UNLINK round. @default 500 */
  readonly batch?: number;
}

/** Back to the previous ReplicaSet, only when the alert starts within `withinMinutes` of a rollout. */
export interface RollbackAction {
  readonly kind: 'rollback';
  readonly withinMinutes: number;
}

export type RemediationAction = RestartAction | ScaleAction | CacheClearAction | RollbackAction;

export interface RemediationRule {
  /** Alert name this rule answers, e.g. `AnomalyLatency`. */
  readonly alert: string;
  readonly action: RemediationAction;
  /** Actions of this rule per service in any hour; past it, the runner escalates instead. @default 2 */
  readonly maxPerHour?: number;
  /** Minutes after an action before the rule may act again. @default 15 */
  readonly cooldownMinutes?: number;
  /** Page a person when the alert still fires this many minutes after the action. @default 10 */
  readonly escalateAfterMinutes?: number;
}

export interface ServiceRemediation {
  readonly service: string;
  readonly rules: readonly RemediationRule[];
}

export interface RemediationPolicyInput {
  readonly services: readonly ServiceRemediation[];
  /** Decide and record, but change nothing. @default true (an environment opts in to acting) */
  readonly dryRun?: boolean;
}

/** The policy with defaults resolved, as the runner reads it. */
export interface RemediationPolicy {
  readonly namespace: string;
  readonly dryRun: boolean;
  readonly services: readonly {
    readonly service: string;
    /** The HPA's max replicas: the scale action's ceiling. */
    readonly maxReplicas: number;
    readonly rules: readonly Required<RemediationRule>[];
  }[];
}

/** A named key prefix: no wildcard, not empty. The runner checks it again before it clears (remediation/cache-clear.ts). */
export const CACHE_PREFIX = /^[A-Za-z0-9][A-Za-z0-9:_.-]*$/;

/**
 * Timing of the runner's route. The runner escalates when an alert it acted on still fires `escalateAfterMinutes`
 * later, which it can only see when Alertmanager sends the alert again: so the group is re-sent every 5 minutes
 * (below the policy's default of 10) instead of hourly or daily, and a new alert reaches it within 10 s.
 */
export const REMEDIATION_TIMING = { groupWait: '10s', groupInterval: '1m', repeatInterval: '5m' } as const;

/** The runner route's re-send interval in minutes: how often the runner sees a still-firing alert. */
export const REMEDIATION_REPEAT_MINUTES = Number(/^(\d+)m$/.exec(REMEDIATION_TIMING.repeatInterval)![1]);

/** The alerts the runner posts to Alertmanager (remediation/notifications.ts); routing and inhibition name them. */
export const REMEDIATION_ALERTS = { outcome: 'RemediationOutcome', escalation: 'RemediationEscalation' } as const;

export const REMEDIATION_DEFAULTS = { maxPerHour: 2, cooldownMinutes: 15, escalateAfterMinutes: 10, batch: 500 } as const;

/** What the policy may act on: each known service and its replica ceiling. */
export type KnownServices = Readonly<Record<string, { readonly maxReplicas: number; readonly minReplicas: number }>>;

export function checkRemediationPolicy(problems: Problems, input: string, p: RemediationPolicyInput, known: KnownServices): void {
  p.services.forEach((s, i) => {
    const at = `${input}.services[${i}]`;
    const svc = known[s.service];
    if (!svc) {
      problems.add(`${at}.service`, s.service, `is not a service of this environment (${Object.keys(known).join(', ')})`);
      return;
    }
    s.rules.forEach((r, j) => {
      const rat = `${at}.rules[${j}]`;
      const a = r.action;
      problems.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.alert), `${rat}.alert`, r.alert, 'must be an alert name');
      for (const k of ['maxPerHour', 'cooldownMinutes', 'escalateAfterMinutes'] as const) {
        const v = r[k];
        problems.check(v === undefined || (Number.isInteger(v) && v > 0), `${rat}.${k}`, v, 'must be a whole number above 0');
      }
      // The runner sees an alert still firing only when Alertmanager re-sends it: no sooner than the route repeats.
      problems.check(
        r.escalateAfterMinutes === undefined || r.escalateAfterMinutes >= REMEDIATION_REPEAT_MINUTES,
        `${rat}.escalateAfterMinutes`,
        r.escalateAfterMinutes,
        `must be at least ${REMEDIATION_REPEAT_MINUTES}: the runner's Alertmanager route re-sends a firing alert every ${REMEDIATION_TIMING.repeatInterval}`,
      );
      if (a.kind === 'scale') {
        problems.check(Number.isInteger(a.by) && a.by > 0, `${rat}.action.by`, a.by, 'must be a whole number of replicas above 0');
        problems.check(
          svc.minReplicas + a.by <= svc.maxReplicas,
          `${rat}.action.by`,
          a.by,
          `raises the floor to ${svc.minReplicas + a.by}, above ${s.service}'s max replicas (${svc.maxReplicas}); lower it to at most ${svc.maxReplicas - svc.minReplicas}`,
        );
        problems.check(Number.isInteger(a.minutes) && a.minutes > 0, `${rat}.action.minutes`, a.minutes, 'must be a whole number above 0');
      } else if (a.kind === 'cacheClear') {
        problems.check(
          CACHE_PREFIX.test(a.prefix),
          `${rat}.action.prefix`,
          a.prefix,
          "must name a key prefix such as 'session:' (no wildcard, not empty): clearing the whole cache is never allowed",
        );
        const b = a.batch ?? REMEDIATION_DEFAULTS.batch;
        problems.check(Number.isInteger(b) && b >= 1 && b <= 10000, `${rat}.action.batch`, b, 'must be a whole number from 1 to 10000');
      } else if (a.kind === 'rollback') {
        problems.check(
          Number.isInteger(a.withinMinutes) && a.withinMinutes > 0,
          `${rat}.action.withinMinutes`,
          a.withinMinutes,
          'must be a whole number above 0',
        );
      }
    });
  });
}

export function resolveRemediationPolicy(namespace: string, p: RemediationPolicyInput, known: KnownServices): RemediationPolicy {
  return {
    namespace,
    dryRun: p.dryRun ?? true,
    services: p.services.map((s) => ({
      service: s.service,
      maxReplicas: known[s.service].maxReplicas,
      rules: s.rules.map((r) => ({
        alert: r.alert,
        action: r.action.kind === 'cacheClear' ? { ...r.action, batch: r.action.batch ?? REMEDIATION_DEFAULTS.batch } : r.action,
        maxPerHour: r.maxPerHour ?? REMEDIATION_DEFAULTS.maxPerHour,
        cooldownMinutes: r.cooldownMinutes ?? REMEDIATION_DEFAULTS.cooldownMinutes,
        escalateAfterMinutes: r.escalateAfterMinutes ?? REMEDIATION_DEFAULTS.escalateAfterMinutes,
      })),
    })),
  };
}

/** The alert names a policy answers, sorted: what Alertmanager routes to the runner. */
export function policyAlerts(p: RemediationPolicyInput): string[] {
  return [...new Set(p.services.flatMap((s) => s.rules.map((r) => r.alert)))].sort();
}

/** One RBAC rule, in the Role's own shape. */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

/**
 * The least the policy needs, by named object: restart and rollback patch the service's Deployment, scale patches
 * its HPA (both read first). Rollback lists ReplicaSets: Kubernetes cannot limit `list` by name, so that one rule is
 * read-only and namespace-wide. Events are created for the audit record (`create` cannot be limited by name either:
 * the name does not exist yet). Cache clear needs no Kubernetes rights: the runner reaches the cache with its password,
 * by Secret reference (constructs/observability/remediation-runner.ts).
 */
export function policyRoleRules(policy: RemediationPolicy): PolicyRule[] {
  const names = (kinds: readonly RemediationAction['kind'][]) =>
    [...new Set(policy.services.filter((s) => s.rules.some((r) => kinds.includes(r.action.kind))).map((s) => s.service))].sort();
  const deployments = names(['restart', 'rollback']);
  const hpas = names(['scale']);
  const rules: PolicyRule[] = [];
  if (deployments.length > 0)
    rules.push({ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'], resourceNames: deployments });
  if (names(['rollback']).length > 0) rules.push({ apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] });
  if (hpas.length > 0)
    rules.push({ apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'patch'], resourceNames: hpas });
  rules.push({ apiGroups: [''], resources: ['events'], verbs: ['create'] });
  return rules;
}
