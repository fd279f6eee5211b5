import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ON_DEMAND, SPOT } from '../workload/capacity-class';

/** Where the cluster autoscaler reads priority-expander settings (fixed by the autoscaler). */
export const PRIORITY_EXPANDER_CONFIGMAP = { name: 'cluster-autoscaler-priority-expander', namespace: 'kube-system' };

/**
 * A node group name pattern per pool: EKS names a managed node group's Auto Scaling group
 * `eks-<node group name>-<uuid>`, and `infra/node-pools.ts` names the groups `<env>-spot-*` and `<env>-on-demand-*`.
 */
export const POOL_NAME_PATTERNS = { spot: `.*-${SPOT}-.*`, onDemand: `.*-${ON_DEMAND}-.*` } as const;

export interface AutoscalerPrioritiesProps {
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Cluster-autoscaler priority expander (run the autoscaler with `--expander=priority`): when pods are pending that
 * fit either pool, it grows the spot pool first and the on-demand pool only when spot cannot (capacity shortage,
 * or pods that may not run on spot). Without it the autoscaler may pick on-demand for spot-tolerant pods.
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/expander/priority/readme.md
 */
export class AutoscalerPriorities extends Construct {
  public readonly configMap: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: AutoscalerPrioritiesProps = {}) {
    super(scope, id);
    this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', {
      metadata: { ...PRIORITY_EXPANDER_CONFIGMAP, labels: { ...(props.labels ?? {}) } },
      data: { priorities: `50:\n  - ${POOL_NAME_PATTERNS.spot}\n10:\n  - ${POOL_NAME_PATTERNS.onDemand}\n` },
    });
  }
}
