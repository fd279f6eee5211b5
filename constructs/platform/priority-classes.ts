import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PRIORITY_CLASSES } from '../workload/capacity-class';

export interface PriorityClassesProps {
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The PriorityClasses the capacity classes name. Under pressure the scheduler preempts spot-tolerant pods first and
 * critical pods last. Only `critical` may preempt; the others wait, so a burst never evicts a running peer.
 */
export class PriorityClasses extends Construct {
  public readonly classes: readonly k8s.KubePriorityClass[];

  constructor(scope: Construct, id: string, props: PriorityClassesProps = {}) {
    super(scope, id);
    this.classes = Object.entries(PRIORITY_CLASSES).map(
      ([key, pc]) =>
        new k8s.KubePriorityClass(this, key, {
          metadata: { name: pc.name, labels: { ...(props.labels ?? {}) } },
          value: pc.value,
          globalDefault: false,
          preemptionPolicy: key === 'critical' ? 'PreemptLowerPriority' : 'Never',
          description: `perfstack capacity class ${key}`,
        }),
    );
  }
}
