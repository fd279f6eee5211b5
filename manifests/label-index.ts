import { KubeObject } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** How a selector selects a label set: `selects` of manifests/workloads.ts, given so this file imports nothing. */
export type Selects = (selector: Json, labels?: Json) => boolean;

/**
 * A selector's conditions an index can answer: `key=value` pairs, `key In (values)` and `key Exists`. Other
 * operators (NotIn, DoesNotExist) only narrow further, so leaving them to `selects` keeps an index lookup a
 * superset of the matches.
 */
export interface SelectorTerms {
  readonly pairs: readonly (readonly [string, string])[];
  readonly ins: readonly { readonly key: string; readonly values: readonly unknown[] }[];
  readonly exists: readonly string[];
  /** Every expression as written, for telling selectors apart. */
  readonly expressions: readonly { readonly key: string; readonly operator: unknown; readonly values: unknown }[];
}

const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A key `in` any object (`toString`, `__proto__`...): `selects` would see it on every label set. */
const inherited = (k: string) => k in Object.prototype;

/**
 * The terms of a well-formed selector, read the way `selects` reads it; undefined for anything else (not an
 * object, non-string values, inherited keys, malformed expressions), which callers check by a full scan with
 * `selects`, so that every input gets exactly the brute-force answer.
 */
export function selectorTerms(selector: unknown): SelectorTerms | undefined {
  if (!selector || !isPlainObject(selector)) return undefined;
  const exprs = selector.matchExpressions;
  const matchLabels = selector.matchLabels ?? (exprs ? {} : selector);
  if (!isPlainObject(matchLabels) || (exprs !== undefined && exprs !== null && !Array.isArray(exprs))) return undefined;
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(matchLabels)) {
    if (typeof v !== 'string' || inherited(k)) return undefined;
    pairs.push([k, v]);
  }
  const ins: { key: string; values: unknown[] }[] = [];
  const exists: string[] = [];
  const expressions: { key: string; operator: unknown; values: unknown }[] = [];
  for (const e of (exprs ?? []) as unknown[]) {
    if (!isPlainObject(e) || typeof e.key !== 'string' || inherited(e.key)) return undefined;
    if ((e.operator === 'In' || e.operator === 'NotIn') && !Array.isArray(e.values)) return undefined;
    if (e.operator === 'In') ins.push({ key: e.key, values: e.values as unknown[] });
    if (e.operator === 'Exists') exists.push(e.key);
    expressions.push({ key: e.key, operator: e.operator, values: e.values });
  }
  return { pairs, ins, exists, expressions };
}

/** Label sets an index can hold: an object, or undefined (which `selects` reads as no labels). */
export function regularLabels(labels: unknown): labels is Readonly<Record<string, unknown>> | undefined {
  return labels === undefined || isPlainObject(labels);
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
  /** Members whose labels are not an object: `selects` decides for them, always. */
  private readonly irregular: number[] = [];
  private readonly answers = new Map<string, boolean>();

  constructor(
    readonly members: readonly KubeObject[],
    private readonly labelsOf: (o: KubeObject) => Json,
    private readonly selects: Selects,
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
        const keyed = this.byKey.get(k);
        if (keyed) keyed.push(i);
        else this.byKey.set(k, [i]);
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
      if ((!also || also(m)) && this.selects(selector, this.labelsOf(m))) out.push(m);
    }
    return out;
  }

  /** Does the selector select any member (that `also` accepts)? Answers for equal selectors are remembered. */
  any(selector: Json, also?: (o: KubeObject) => boolean): boolean {
    const terms = selectorTerms(selector);
    if (!terms) return this.members.some((m) => (!also || also(m)) && this.selects(selector, this.labelsOf(m)));
    const key = also ? undefined : memoKey(terms);
    const known = key === undefined ? undefined : this.answers.get(key);
    if (known !== undefined) return known;
    const hit = this.candidates(terms).some((i) => {
      const m = this.members[i];
      return (!also || also(m)) && this.selects(selector, this.labelsOf(m));
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
  /** Members without a required pair (or without a well-formed selector): `selects` decides for them. */
  private readonly always: number[] = [];

  constructor(
    readonly members: readonly KubeObject[],
    private readonly selectorOf: (o: KubeObject) => Json,
    private readonly selects: Selects,
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
    for (const i of positions) if (this.selects(this.selectorOf(this.members[i]), labels)) out.push(this.members[i]);
    return out;
  }
}
