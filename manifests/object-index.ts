import type { LabelIndex, SelectorIndex } from './label-index';
import { KubeObject } from './types';

/**
 * Lookups cross-object rules need, built once per object set (cached by array identity), so a check costs a map
 * lookup instead of a scan of every object: the policy runs in linear time whatever the namespaces.
 */
export interface ObjectIndex {
  /** Objects of a kind in a namespace: key `kind/namespace`. */
  readonly byKindNamespace: Map<string, KubeObject[]>;
  /** One object: key `kind/namespace/name`. */
  readonly byName: Map<string, KubeObject>;
  /** HPAs and ScaledObjects by their target: key `kind/namespace/name`. */
  readonly autoscalersByTarget: Map<string, KubeObject[]>;
  /** Objects by namespace. */
  readonly byNamespace: Map<string, KubeObject[]>;
  /** Label indexes (label-index.ts), built on first use by workloads.ts: key `what/namespace`. */
  readonly labelIndexes: Map<string, LabelIndex>;
  readonly selectorIndexes: Map<string, SelectorIndex>;
}

const cache = new WeakMap<readonly KubeObject[], ObjectIndex>();

const ns = (o: KubeObject) => o.metadata.namespace ?? 'default';

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function indexOf(objects: readonly KubeObject[]): ObjectIndex {
  const known = cache.get(objects);
  if (known) return known;
  const index: ObjectIndex = {
    byKindNamespace: new Map(),
    byName: new Map(),
    autoscalersByTarget: new Map(),
    byNamespace: new Map(),
    labelIndexes: new Map(),
    selectorIndexes: new Map(),
  };
  for (const o of objects) {
    push(index.byKindNamespace, `${o.kind}/${ns(o)}`, o);
    push(index.byNamespace, ns(o), o);
    index.byName.set(`${o.kind}/${ns(o)}/${o.metadata.name}`, o);
    if ((o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject') && o.spec?.scaleTargetRef?.name) {
      push(index.autoscalersByTarget, `${o.spec.scaleTargetRef.kind ?? 'Deployment'}/${ns(o)}/${o.spec.scaleTargetRef.name}`, o);
    }
  }
  cache.set(objects, index);
  return index;
}

export function ofKind(objects: readonly KubeObject[], kind: string, namespace: string | undefined): KubeObject[] {
  return indexOf(objects).byKindNamespace.get(`${kind}/${namespace ?? 'default'}`) ?? [];
}

export function named(objects: readonly KubeObject[], kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
  return indexOf(objects).byName.get(`${kind}/${namespace ?? 'default'}/${name}`);
}

export function inNamespace(objects: readonly KubeObject[], namespace: string | undefined): KubeObject[] {
  return indexOf(objects).byNamespace.get(namespace ?? 'default') ?? [];
}
