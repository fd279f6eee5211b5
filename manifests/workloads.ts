/**
 * The one typed reader of synthesized workloads: pod templates, containers and images, the replica bounds their
 * autoscalers give them, and where they may run. The policies, the capacity plan and the cost report read the same
 * objects through it, so they agree on every default.
 */
import { CAPACITY_TYPE_KEY, COST_LABEL_KEYS, SPOT } from './labels';
import { LabelIndex, SelectorIndex } from './label-index';
import { inNamespace, indexOf, ofKind } from './object-index';
import { KubeObject } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Defaults of fields the autoscalers may leave out, as the controllers apply them.
 * - HPA `minReplicas`: 1 (autoscaling/v2). `maxReplicas` is required.
 * - KEDA ScaledObject `minReplicaCount`: 0, `maxReplicaCount`: 100. KEDA really scales an idle workload to zero
 *   when `minReplicaCount` is unset, so a reader that assumed 1 would call a workload highly available that is not.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/
 * @see https://keda.sh/docs/2.15/reference/scaledobject-spec/#minreplicacount
 */
export const AUTOSCALER_DEFAULTS = { hpaMinReplicas: 1, kedaMinReplicaCount: 0, kedaMaxReplicaCount: 100 } as const;

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
  return cached(indexOf(objects).labelIndexes, `pods\u0000${namespace ?? 'default'}`, build);
}

/** Objects of a kind in a namespace by their own labels (Services, for ServiceMonitors). */
export function byLabels(objects: readonly KubeObject[], kind: string, namespace: string | undefined): LabelIndex {
  return cached(
    indexOf(objects).labelIndexes,
    `${kind}/${namespace ?? 'default'}`,
    () => new LabelIndex(ofKind(objects, kind, namespace), (o) => o.metadata.labels, selects),
  );
}

/** Objects of a kind in a namespace by what their `spec.selector` selects (PodDisruptionBudgets, for a workload). */
export function bySelector(objects: readonly KubeObject[], kind: string, namespace: string | undefined): SelectorIndex {
  return cached(
    indexOf(objects).selectorIndexes,
    `${kind}/${namespace ?? 'default'}`,
    () => new SelectorIndex(ofKind(objects, kind, namespace), (o) => o.spec?.selector, selects),
  );
}

/** The index under `key`, built on first use: each is built once per object set. */
function cached<T>(indexes: Map<string, T>, key: string, build: () => T): T {
  let known = indexes.get(key);
  if (known === undefined) indexes.set(key, (known = build()));
  return known;
}

/** Autoscalers (HPA or KEDA ScaledObject) targeting a workload. */
export function autoscalersOf(o: KubeObject, objects: readonly KubeObject[]): KubeObject[] {
  return indexOf(objects).autoscalersByTarget.get(`${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`) ?? [];
}

export interface ReplicaBounds {
  readonly min: number;
  readonly max: number;
}

/** The bounds one HPA or ScaledObject sets, with the controllers' defaults for what it leaves out. */
export function autoscalerBounds(a: KubeObject): ReplicaBounds {
  if (a.kind === 'ScaledObject') {
    return {
      min: a.spec?.minReplicaCount ?? AUTOSCALER_DEFAULTS.kedaMinReplicaCount,
      max: a.spec?.maxReplicaCount ?? AUTOSCALER_DEFAULTS.kedaMaxReplicaCount,
    };
  }
  return { min: a.spec?.minReplicas ?? AUTOSCALER_DEFAULTS.hpaMinReplicas, max: a.spec?.maxReplicas };
}

/**
 * The replicas a workload runs at: the lowest minimum and highest maximum of the autoscalers that target it, else
 * its fixed `spec.replicas` (default 1) for both.
 */
export function replicaBounds(o: KubeObject, objects: readonly KubeObject[]): ReplicaBounds {
  const scalers = autoscalersOf(o, objects).map(autoscalerBounds);
  if (scalers.length > 0) return { min: Math.min(...scalers.map((b) => b.min)), max: Math.max(...scalers.map((b) => b.max)) };
  const fixed = o.spec?.replicas ?? 1;
  return { min: fixed, max: fixed };
}

/** The lowest replica count a workload runs at: its autoscaler's minimum, else its fixed replicas. */
export function minimumReplicas(o: KubeObject, objects: readonly KubeObject[]): number {
  return replicaBounds(o, objects).min;
}

export function maximumReplicas(o: KubeObject, objects: readonly KubeObject[]): number {
  return replicaBounds(o, objects).max;
}

/** Tolerates the spot taint (or every taint): the pods may run on spot nodes. */
export function toleratesSpot(tolerations: readonly Json[] | undefined): boolean {
  return (tolerations ?? []).some(
    (t) =>
      (t.key === undefined && t.operator === 'Exists') ||
      (t.key === CAPACITY_TYPE_KEY && (t.operator === 'Exists' || t.value === SPOT) && (t.effect ?? 'NoSchedule') === 'NoSchedule'),
  );
}

/** A long-running workload as the planning tools see it. */
export interface RunningWorkload {
  /** `Kind/namespace/name` */
  readonly id: string;
  readonly object: KubeObject;
  /** The pods' spec: containers with their resources and images. CloudNativePG Clusters get one `postgres` container. */
  readonly podSpec: Json;
  readonly replicas: ReplicaBounds;
  /** Capacity class as the scheduler sees it: tolerates the spot taint. */
  readonly spotTolerant: boolean;
  /** The pods' (else the object's) `cost-center` label, or `unlabelled`. */
  readonly costCenter: string;
  /** Every container's image, init containers first. */
  readonly images: readonly string[];
}

const costCenterOf = (...labelSets: (Json | undefined)[]) =>
  labelSets.map((l) => l?.[COST_LABEL_KEYS.costCenter]).find((v) => typeof v === 'string') ?? 'unlabelled';

function running(o: KubeObject, podSpec: Json, podLabels: Json, replicas: ReplicaBounds, tolerations: Json[] | undefined): RunningWorkload {
  return {
    id: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
    object: o,
    podSpec,
    replicas,
    spotTolerant: toleratesSpot(tolerations),
    costCenter: costCenterOf(podLabels, o.metadata.labels),
    images: [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])]
      .map((c: Json) => c.image)
      .filter((i: unknown) => typeof i === 'string'),
  };
}

const isCnpg = (o: KubeObject, kind: string) =>
  o.kind === kind && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('postgresql.cnpg.io/');

/**
 * The long-running pods of a set of objects. Deployments and StatefulSets take their bounds from the
 * HorizontalPodAutoscaler or KEDA ScaledObject that scales them (else `spec.replicas`); CloudNativePG Clusters and
 * Poolers from `spec.instances`. Jobs, CronJobs and k6 TestRuns run to completion and are left out.
 */
export function runningWorkloads(objects: readonly KubeObject[]): RunningWorkload[] {
  const out: RunningWorkload[] = [];
  for (const o of objects) {
    if (isService(o)) {
      const template = o.spec.template;
      out.push(running(o, template.spec, template.metadata?.labels, replicaBounds(o, objects), template.spec.tolerations));
    } else if (isCnpg(o, 'Cluster')) {
      const instances = o.spec.instances ?? 1;
      const podSpec = { containers: [{ name: 'postgres', image: o.spec.imageName, resources: o.spec.resources ?? {} }] };
      out.push(running(o, podSpec, o.spec.inheritedMetadata?.labels, { min: instances, max: instances }, o.spec.affinity?.tolerations));
    } else if (isCnpg(o, 'Pooler')) {
      const instances = o.spec.instances ?? 1;
      const spec = o.spec.template?.spec ?? {};
      out.push(running(o, spec, o.spec.template?.metadata?.labels, { min: instances, max: instances }, spec.tolerations));
    }
  }
  return out;
}
