import { SelectorTerms, regularLabels, selectorTerms, selects } from './selectors';
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
  /** Label indexes, built on first use: workloads by pod labels per namespace (keyed as {@link byNamespace}). */
  readonly podIndexes: Map<unknown, LabelIndex>;
  /** Objects by their labels, and by what their selector selects: key `kind/namespace` (as {@link byKindNamespace}). */
  readonly labelIndexes: Map<string, LabelIndex>;
  readonly selectorIndexes: Map<string, SelectorIndex>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

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
    podIndexes: new Map(),
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

const NONE: readonly number[] = [];

/** Ascending positions of a union of ascending lists. */
function union(lists: readonly (readonly number[])[]): readonly number[] {
  if (lists.length === 0) return NONE;
  if (lists.length === 1) return lists[0];
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}

/**
 * Objects found by their labels: an inverted index `key -> value -> objects` (and `key -> objects`), so a selector
 * is answered from its most selective condition instead of a scan. Every answer equals
 * `members.filter((m) => selects(selector, labelsOf(m)))`, in member order.
 */
export class LabelIndex {
  private readonly byPair = new Map<string, Map<unknown, number[]>>();
  private readonly byKey = new Map<string, number[]>();
  /** Members whose labels are not an object: {@link selects} decides for them, always. */
  private readonly irregular: number[] = [];
  private readonly answers = new Map<string, boolean>();

  constructor(
    readonly members: readonly KubeObject[],
    private readonly labelsOf: (o: KubeObject) => Json,
  ) {
    members.forEach((m, i) => {
      const labels = labelsOf(m);
      if (!regularLabels(labels)) {
        this.irregular.push(i);
        return;
      }
      for (const [k, v] of Object.entries(labels ?? {})) {
        let values = this.byPair.get(k);
        if (!values) this.byPair.set(k, (values = new Map()));
        const list = values.get(v);
        if (list) list.push(i);
        else values.set(v, [i]);
        push(this.byKey, k, i);
      }
    });
  }

  /** Positions of the members that may match, ascending: a superset of the matches. */
  private candidates(terms: SelectorTerms): readonly number[] {
    let best: readonly number[] | undefined;
    const consider = (list: readonly number[]) => {
      if (best === undefined || list.length < best.length) best = list;
    };
    for (const [k, v] of terms.pairs) consider(this.byPair.get(k)?.get(v) ?? NONE);
    for (const { key, values } of terms.ins) {
      const byValue = this.byPair.get(key);
      consider(union(values.map((v) => byValue?.get(v) ?? NONE)));
    }
    for (const key of terms.exists) consider(this.byKey.get(key) ?? NONE);
    if (best === undefined) return this.members.map((_, i) => i);
    return this.irregular.length === 0 ? best : union([best, this.irregular]);
  }

  /** Members the selector selects, in member order; `also` filters further. */
  matching(selector: Json, also?: (o: KubeObject) => boolean): KubeObject[] {
    const terms = selectorTerms(selector);
    const positions = terms ? this.candidates(terms) : this.members.map((_, i) => i);
    const out: KubeObject[] = [];
    for (const i of positions) {
      const m = this.members[i];
      if ((!also || also(m)) && selects(selector, this.labelsOf(m))) out.push(m);
    }
    return out;
  }

  /** Does the selector select any member (that `also` accepts)? Answers for equal selectors are remembered. */
  any(selector: Json, also?: (o: KubeObject) => boolean): boolean {
    const terms = selectorTerms(selector);
    if (!terms) return this.members.some((m) => (!also || also(m)) && selects(selector, this.labelsOf(m)));
    const key = also ? undefined : memoKey(terms);
    const known = key === undefined ? undefined : this.answers.get(key);
    if (known !== undefined) return known;
    const hit = this.candidates(terms).some((i) => {
      const m = this.members[i];
      return (!also || also(m)) && selects(selector, this.labelsOf(m));
    });
    if (key !== undefined) this.answers.set(key, hit);
    return hit;
  }
}

/** A key equal only for selectors that read the same; undefined unless every operator and value is a string. */
function memoKey(terms: SelectorTerms): string | undefined {
  const plain = terms.expressions.every(
    (e) =>
      typeof e.operator === 'string' &&
      (e.values === undefined || (Array.isArray(e.values) && e.values.every((v) => typeof v === 'string'))),
  );
  return plain ? JSON.stringify([terms.pairs, terms.expressions.map((e) => [e.key, e.operator, e.values])]) : undefined;
}

/**
 * Objects found by what their selector selects (PodDisruptionBudgets for a pod's labels): each member is filed under
 * the rarest `key=value` its selector requires, so a label set is answered by looking up its own pairs. Every answer
 * equals `members.filter((m) => selects(selectorOf(m), labels))`, in member order.
 */
export class SelectorIndex {
  private readonly byPair = new Map<string, Map<string, number[]>>();
  /** Members without a required pair (or without a well-formed selector): {@link selects} decides for them. */
  private readonly always: number[] = [];

  constructor(
    readonly members: readonly KubeObject[],
    private readonly selectorOf: (o: KubeObject) => Json,
  ) {
    const terms = members.map((m) => selectorTerms(selectorOf(m)));
    const frequency = new Map<string, number>();
    const pairKey = (k: string, v: string) => `${k}\u0000${v}`;
    for (const t of terms) for (const [k, v] of t?.pairs ?? []) frequency.set(pairKey(k, v), (frequency.get(pairKey(k, v)) ?? 0) + 1);
    terms.forEach((t, i) => {
      if (!t || t.pairs.length === 0) {
        this.always.push(i);
        return;
      }
      let [k, v] = t.pairs[0];
      for (const [pk, pv] of t.pairs) if (frequency.get(pairKey(pk, pv))! < frequency.get(pairKey(k, v))!) [k, v] = [pk, pv];
      let values = this.byPair.get(k);
      if (!values) this.byPair.set(k, (values = new Map()));
      const list = values.get(v);
      if (list) list.push(i);
      else values.set(v, [i]);
    });
  }

  /** Members whose selector selects these labels, in member order. */
  selecting(labels: Json): KubeObject[] {
    let positions: readonly number[];
    if (!regularLabels(labels)) positions = this.members.map((_, i) => i);
    else {
      const lists: (readonly number[])[] = this.always.length > 0 ? [this.always] : [];
      for (const [k, v] of Object.entries(labels ?? {})) {
        const list = typeof v === 'string' ? this.byPair.get(k)?.get(v) : undefined;
        if (list) lists.push(list);
      }
      positions = union(lists);
    }
    const out: KubeObject[] = [];
    for (const i of positions) if (selects(this.selectorOf(this.members[i]), labels)) out.push(this.members[i]);
    return out;
  }
}

/** Workloads of a namespace by the labels of their pod template. */
export function podLabelIndex(
  objects: readonly KubeObject[],
  namespace: string | undefined,
  isWorkload: (o: KubeObject) => boolean,
  podLabels: (o: KubeObject) => Json,
): LabelIndex {
  const index = indexOf(objects);
  const key = namespace ?? 'default';
  let known = index.podIndexes.get(key);
  if (!known) {
    known = new LabelIndex(inNamespace(objects, namespace).filter(isWorkload), podLabels);
    index.podIndexes.set(key, known);
  }
  return known;
}

/** Objects of a kind in a namespace by their own labels. */
export function kindLabelIndex(objects: readonly KubeObject[], kind: string, namespace: string | undefined): LabelIndex {
  const index = indexOf(objects);
  const key = `${kind}/${namespace ?? 'default'}`;
  let known = index.labelIndexes.get(key);
  if (!known) {
    known = new LabelIndex(ofKind(objects, kind, namespace), (o) => o.metadata.labels);
    index.labelIndexes.set(key, known);
  }
  return known;
}

/** Objects of a kind in a namespace by what `spec.selector` selects. */
export function kindSelectorIndex(objects: readonly KubeObject[], kind: string, namespace: string | undefined): SelectorIndex {
  const index = indexOf(objects);
  const key = `${kind}/${namespace ?? 'default'}`;
  let known = index.selectorIndexes.get(key);
  if (!known) {
    known = new SelectorIndex(ofKind(objects, kind, namespace), (o) => o.spec?.selector);
    index.selectorIndexes.set(key, known);
  }
  return known;
}
