// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

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
 * A selector's conditions an index can answer: `key=value` pairs, `key In (values)` and `key Exists`. Other
 * operators (NotIn, DoesNotExist) only narrow further, so leaving them to {@link selects} keeps an index lookup a
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

/** A key `in` any object (`toString`, `__proto__`...): {@link selects} would see it on every label set. */
const inherited = (k: string) => k in Object.prototype;

/**
 * The terms of a well-formed selector, read the way {@link selects} reads it; undefined for anything else (not an
 * object, non-string values, inherited keys, malformed expressions), which callers check by a full scan with
 * {@link selects}, so that every input gets exactly the brute-force answer.
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

/** Label sets an index can hold: an object, or undefined (which {@link selects} reads as no labels). */
export function regularLabels(labels: unknown): labels is Readonly<Record<string, unknown>> | undefined {
  return labels === undefined || isPlainObject(labels);
}
