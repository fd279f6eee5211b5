import { LabelIndex, indexOf, podLabelIndex } from './object-index';
import { selects } from './selectors';
import { KubeObject } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

export function isWorkload(o: KubeObject): boolean {
  return WORKLOAD_KINDS.has(o.kind);
}

/** The pod template of a workload (a CronJob's job template's), or undefined. */
export function podTemplateOf(o: KubeObject): { metadata?: Json; spec: Json } | undefined {
  if (o.kind === 'Pod') return { metadata: o.metadata, spec: o.spec ?? {} };
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template;
  return isWorkload(o) ? o.spec?.template : undefined;
}

export function containersOf(o: KubeObject): Json[] {
  const spec = podTemplateOf(o)?.spec;
  return spec ? [...(spec.initContainers ?? []), ...(spec.containers ?? [])] : [];
}

/** Long-running workloads, the ones availability rules are about. */
export function isService(o: KubeObject): boolean {
  return o.kind === 'Deployment' || o.kind === 'StatefulSet';
}

export function sameNamespace(a: KubeObject, b: KubeObject): boolean {
  return (a.metadata.namespace ?? 'default') === (b.metadata.namespace ?? 'default');
}

export { selects };

/** The workloads of a namespace, indexed by the labels of their pod templates. */
export function workloadsByPodLabels(objects: readonly KubeObject[], namespace: string | undefined): LabelIndex {
  return podLabelIndex(objects, namespace, isWorkload, (w) => podTemplateOf(w)?.metadata?.labels);
}

/** Autoscalers (HPA or KEDA ScaledObject) targeting a workload. */
export function autoscalersOf(o: KubeObject, objects: readonly KubeObject[]): KubeObject[] {
  return indexOf(objects).autoscalersByTarget.get(`${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`) ?? [];
}

/** The lowest replica count a workload runs at: its autoscaler's minimum, else its fixed replicas. */
export function minimumReplicas(o: KubeObject, objects: readonly KubeObject[]): number {
  const scalers = autoscalersOf(o, objects);
  if (scalers.length > 0) return Math.min(...scalers.map((a) => a.spec.minReplicas ?? a.spec.minReplicaCount ?? 1));
  return o.spec?.replicas ?? 1;
}

export function maximumReplicas(o: KubeObject, objects: readonly KubeObject[]): number {
  const scalers = autoscalersOf(o, objects);
  if (scalers.length > 0) return Math.max(...scalers.map((a) => a.spec.maxReplicas ?? a.spec.maxReplicaCount ?? 100));
  return o.spec?.replicas ?? 1;
}
