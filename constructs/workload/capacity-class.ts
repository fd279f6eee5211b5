import { k8s } from 'cdk8s-plus-28';
import { CAPACITY_TYPE_KEY, ON_DEMAND, SPOT } from '../../manifests/labels';

// The node label and taint (`perfstack.io/capacity-type`: `on-demand` or `spot`) live in manifests/labels.ts, where
// the planning tools read them too.
export { CAPACITY_TYPE_KEY, ON_DEMAND, SPOT };

/** PriorityClass names; `constructs/platform/priority-classes.ts` declares them with these values. */
export const PRIORITY_CLASSES = {
  critical: { name: 'perfstack-critical', value: 1_000_000 },
  standard: { name: 'perfstack-standard', value: 100_000 },
  spotTolerant: { name: 'perfstack-spot-tolerant', value: 10_000 },
} as const;

/**
 * Where a workload may run and how it ranks under resource pressure.
 * - `critical`: never on spot nodes (a required node affinity that also holds on clusters without the label).
 * - `standard`: wherever the scheduler likes, which excludes tainted spot nodes.
 * - `spotTolerant`: tolerates the spot taint and prefers spot nodes; falls back to on-demand when spot is short.
 */
export class CapacityClass {
  public static critical(): CapacityClass {
    return new CapacityClass('critical', PRIORITY_CLASSES.critical.name, [], {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: CAPACITY_TYPE_KEY, operator: 'NotIn', values: [SPOT] }] }],
        },
      },
    });
  }

  public static standard(): CapacityClass {
    return new CapacityClass('standard', PRIORITY_CLASSES.standard.name, [], {});
  }

  public static spotTolerant(): CapacityClass {
    return new CapacityClass(
      'spotTolerant',
      PRIORITY_CLASSES.spotTolerant.name,
      [{ key: CAPACITY_TYPE_KEY, operator: 'Equal', value: SPOT, effect: 'NoSchedule' }],
      {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, preference: { matchExpressions: [{ key: CAPACITY_TYPE_KEY, operator: 'In', values: [SPOT] }] } },
          ],
        },
      },
    );
  }

  /**
   * The same class with burst capacity on spot: the floor (minimum and scheduled floors) keeps running where this
   * class runs, and the load above it runs on spot nodes, in a second Deployment scaled from zero (see SpotBurst).
   * Where the environment has no spot capacity it changes nothing. Spot-tolerant workloads are on spot already.
   */
  public withSpotBurst(): CapacityClass {
    if (this.name === 'spotTolerant') return this;
    return new CapacityClass(this.name, this.priorityClassName, this.tolerations, this.affinity, true);
  }

  private constructor(
    public readonly name: 'critical' | 'standard' | 'spotTolerant',
    public readonly priorityClassName: string,
    public readonly tolerations: readonly k8s.Toleration[],
    /** Node affinity only; pod anti-affinity is added by the workload. */
    public readonly affinity: k8s.Affinity,
    /** Load above the floor may run on spot nodes (critical only). */
    public readonly spotBurst: boolean = false,
  ) {}
}
