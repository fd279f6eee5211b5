import { LabelIndex, SelectorIndex } from './label-index';
import { indexOf, inNamespace, ofKind } from './object-index';
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

/** Does a label selector (`matchLabels` / `matchExpressions`) select these labels? */
export function selects(selector: Json, labels: Readonly<Record<string, string>> = {}): boolean {
  if (!selector) return false;
  const matchLabels = selector.matchLabels ?? (selector.matchExpressions ? {} : selector);
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/**
 * The workloads of a namespace by the labels of their pod templates (built once per object set): what a Service
 * selects is then a lookup of its most selective label, not a scan of the namespace.
 */
export function workloadsByPodLabels(objects: readonly KubeObject[], namespace: string | undefined): LabelIndex {
  const build = () =>
    new LabelIndex(inNamespace(objects, namespace).filter(isWorkload), (w) => podTemplateOf(w)?.metadata?.labels, selects);
  // Namespaces are map keys as written (byNamespace): a non-string one gets its own, uncached index.
  if (namespace !== undefined && typeof namespace !== 'string') return build();
  const index = indexOf(objects);
  const key = `pods\u0000${namespace ?? 'default'}`;
  let known = index.labelIndexes.get(key);
  if (!known) index.labelIndexes.set(key, (known = build()));
  return known;
}

/** Objects of a kind in a namespace by their own labels (Services, for ServiceMonitors). */
export function byLabels(objects: readonly KubeObject[], kind: string, namespace: string | undefined): LabelIndex {
  const index = indexOf(objects);
  const key = `${kind}/${namespace ?? 'default'}`;
  let known = index.labelIndexes.get(key);
  if (!known) {
    known = new LabelIndex(ofKind(objects, kind, namespace), (o) => o.metadata.labels, selects);
    index.labelIndexes.set(key, known);
  }
  return known;
}

/** Objects of a kind in a namespace by what their `spec.selector` selects (PodDisruptionBudgets, for a workload). */
export function bySelector(objects: readonly KubeObject[], kind: string, namespace: string | undefined): SelectorIndex {
  const index = indexOf(objects);
  const key = `${kind}/${namespace ?? 'default'}`;
  let known = index.selectorIndexes.get(key);
  if (!known) {
    known = new SelectorIndex(ofKind(objects, kind, namespace), (o) => o.spec?.selector, selects);
    index.selectorIndexes.set(key, known);
  }
  return known;
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
