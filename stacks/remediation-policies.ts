import { RemediationPolicyInput } from '../constructs/observability/remediation-policy';
import { ServiceSpec } from './environment';

/** Minutes the raised replica floor holds, and how soon after a rollout an SLO burn is blamed on it. */
const SCALE_MINUTES = 30;
const ROLLBACK_WITHIN_MINUTES = 30;
/** Replicas a latency alert adds to the floor at most. */
const SCALE_BY = 4;

/**
 * The platform's remediation policy for `services`, from alerts every environment raises (docs/operations.md):
 * `LatencyP99High` raises the service's replica floor by up to 4 (never past its max replicas: by fewer where the
 * bounds are tighter, not at all where min equals max) for 30 minutes; `SloErrorBudgetBurn` rolls back to the
 * previous ReplicaSet when it starts within 30 minutes of a rollout. The limits are the policy defaults (2 actions
 * an hour, 15 minutes cooldown, escalation after 10 minutes).
 */
export function webPlatformRemediation(services: readonly ServiceSpec[], options: { readonly dryRun: boolean }): RemediationPolicyInput {
  return {
    dryRun: options.dryRun,
    services: services.map((s) => {
      const by = Math.min(SCALE_BY, s.replicas.max - s.replicas.min);
      return {
        service: s.name,
        rules: [
          ...(by > 0 ? [{ alert: 'LatencyP99High', action: { kind: 'scale' as const, by, minutes: SCALE_MINUTES } }] : []),
          { alert: 'SloErrorBudgetBurn', action: { kind: 'rollback' as const, withinMinutes: ROLLBACK_WITHIN_MINUTES } },
        ],
      };
    }),
  };
}
