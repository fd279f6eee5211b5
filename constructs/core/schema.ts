import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { z } from 'zod';
import { ConfigProblem, Problems } from './errors';
import { fractionHint } from './grammars';
import { isDnsLabel, isLabelKey, isLabelValue } from './labels';
import { cpuProblem, durationProblem, sizeProblem, SizeOptions, DurationOptions } from './quantities';

/**
 * Shape and type checks of user input with zod, reported in the project's one-line format: every zod issue becomes
 * a {@link ConfigProblem} naming the input (the dotted path), the value found there as written, and what is allowed.
 * Cross-field rules stay plain functions over the parsed value; these schemas only say what each field may hold.
 *
 * @see https://zod.dev/api
 */

/** Records every issue of `value` against `schema` into `problems`; true when the value has the right shape. */
export function checkShape(problems: Problems, schema: z.ZodType, value: unknown, prefix = ''): boolean {
  const found = shapeProblems(schema, value, prefix);
  for (const p of found) problems.add(p.input, p.value, p.fix);
  return found.length === 0;
}

/** The problems of `value` against `schema`, one per issue (one per unknown key). */
export function shapeProblems(schema: z.ZodType, value: unknown, prefix = ''): ConfigProblem[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => issueProblems(issue, value, prefix));
}

function join(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function issueProblems(issue: z.core.$ZodIssue, root: unknown, prefix: string): ConfigProblem[] {
  const value = at(root, issue.path);
  const input = join(prefix, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = issue.message.startsWith(KNOWN) ? issue.message.slice(KNOWN.length) : undefined;
      return issue.keys.map((key) => ({
        input: join(prefix, [...issue.path, key]),
        value: at(value, [key]),
        fix: `is not a field${input ? ` of '${input}'` : ''}${known ? `; known: ${known}` : ''} (misspelt, or in the wrong place?)`,
      }));
    }
    case 'invalid_type':
      return [{ input, value, fix: typeFix(issue.expected, value) }];
    case 'invalid_key':
      // A record key that breaks its grammar: show the key, with the key schema's own reason.
      return [{ input, value: issue.path[issue.path.length - 1], fix: `is not a valid key: ${issue.issues[0]?.message ?? issue.message}` }];
    case 'invalid_value':
      return [{ input, value, fix: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        return [
          {
            input: join(prefix, [...issue.path]),
            value: at(root, issue.path),
            fix: `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}`,
          },
        ];
      }
      return [{ input, value, fix: issue.message }];
    case 'too_small':
    case 'too_big':
      return [{ input, value, fix: issue.message }];
    default:
      return [{ input, value, fix: issue.message }];
  }
}

const KNOWN = 'known: ';

/** An object that accepts only the listed fields; an unknown one is reported with the list of known ones. */
export function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = `${KNOWN}${Object.keys(shape).join(', ')}`;
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? known : undefined) });
}

const ARTICLE: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text in quotes',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function typeFix(expected: string, value: unknown): string {
  if (value === undefined) return `is required (${ARTICLE[expected] ?? expected})`;
  if ((expected === 'number' || expected === 'int') && typeof value === 'number') {
    return expected === 'int' ? 'must be a whole number' : 'must be a finite number';
  }
  if ((expected === 'number' || expected === 'int') && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return `must be ${ARTICLE[expected]}, not text: write ${value} without quotes`;
  }
  if (expected === 'boolean' && (value === 'true' || value === 'false'))
    return `must be true or false, not text: write ${value} without quotes`;
  return `must be ${ARTICLE[expected] ?? expected}`;
}

/** A finite number in [min, max]; `integer` for counts. Messages name the range. */
export function num(options: { min?: number; max?: number; integer?: boolean; above?: number; unit?: string } = {}): z.ZodNumber {
  let s = options.integer ? z.number().int({ error: 'must be a whole number' }) : z.number();
  const unit = options.unit ? ` ${options.unit}` : '';
  if (options.above !== undefined) s = s.gt(options.above, { error: `must be above ${options.above}${unit}` });
  if (options.min !== undefined) s = s.min(options.min, { error: `must be >= ${options.min}${unit}` });
  if (options.max !== undefined) s = s.max(options.max, { error: `must be <= ${options.max}${unit}` });
  return s;
}

/** A percentage in (min, max]; a fraction where a percentage belongs gets "did you mean 60?". */
export function percent(options: { min?: number; max?: number; integer?: boolean; maxExclusive?: boolean } = {}) {
  const min = options.min ?? 0;
  const max = options.max ?? 100;
  const range = `between ${min} and ${max}${options.maxExclusive ? ' (exclusive)' : ''}`;
  return z.number().superRefine((v, ctx) => {
    const inRange = v >= min && (options.maxExclusive ? v < max : v <= max);
    const whole = !options.integer || Number.isInteger(v);
    if (inRange && whole) return;
    const hint = v > 0 && v < 1 ? fractionHint(v) : '';
    ctx.addIssue({
      code: 'custom',
      message: `must be a ${options.integer ? 'whole-number ' : ''}percentage ${range}${hint}`,
      input: v,
    });
  });
}

/** A string accepted by a grammar function (`cidrProblem`, `urlProblem`, ...). */
export function grammar(problem: (value: string) => string | undefined) {
  return z.string().superRefine((v, ctx) => {
    const p = problem(v);
    if (p) ctx.addIssue({ code: 'custom', message: p, input: v });
  });
}

/** A cdk8s Size with a positive amount, convertible to a whole number of `whole` (checked before any conversion). */
export function size(options: SizeOptions = {}) {
  return instanceOf(Size, 'Size.mebibytes(512) or Size.gibibytes(1)').superRefine((v, ctx) => {
    const p = sizeProblem(v, options);
    if (p) ctx.addIssue({ code: 'custom', message: p, input: v });
  });
}

/** A cdk8s-plus Cpu above zero. */
export function cpu() {
  return instanceOf(Cpu, 'Cpu.millis(500) or Cpu.units(1)').superRefine((v, ctx) => {
    const p = cpuProblem(v);
    if (p) ctx.addIssue({ code: 'custom', message: p, input: v });
  });
}

/** A cdk8s Duration within bounds, in whole seconds when asked. */
export function duration(options: DurationOptions = {}) {
  return instanceOf(Duration, 'Duration.seconds(30), Duration.minutes(5), ...').superRefine((v, ctx) => {
    const p = durationProblem(v, options);
    if (p) ctx.addIssue({ code: 'custom', message: p, input: v });
  });
}

/** An instance of one of the project's choice classes (ScalingMetric, CapacityClass), made by its static factories. */
export function instanceOf<T>(cls: { readonly prototype: T }, how: string) {
  // Classes with private constructors (Size, Cpu, ScalingMetric) are not `new`-able types, hence the prototype test.
  return z.custom<T>((v) => typeof v === 'object' && v !== null && Object.prototype.isPrototypeOf.call(cls.prototype, v), {
    error: `must be made with ${how}`,
  });
}

/** A Kubernetes object name that must be a DNS label (RFC 1123). */
export const dnsLabel = grammar((v) =>
  isDnsLabel(v) ? undefined : 'must be a DNS label: lowercase letters, digits and `-`, starting with a letter, at most 63 characters',
);
export const labelValue = grammar((v) =>
  isLabelValue(v) ? undefined : 'must be a label value: at most 63 letters, digits, `-`, `_` or `.`, starting and ending alphanumeric',
);
export const labelKey = grammar((v) =>
  isLabelKey(v) ? undefined : 'must be a label key (optional DNS-subdomain prefix and `/`, then a name)',
);
export const nonEmpty = z.string().min(1, { error: 'must not be empty' });
export const httpPath = grammar((v) => (/^\/[^\s]*$/.test(v) ? undefined : 'must be an HTTP path starting with /'));
/** A whole number in [min, max]: counts of replicas, shards, instances. */
export const count = (min: number, max?: number) => num({ integer: true, min, max });

/**
 * `true` when T and U have the same keys, else the keys each lacks: a compile-time guard that a type and its schema
 * list the same fields (a field added to one alone is a type error naming it).
 */
export type SameKeys<T, U> = [Exclude<keyof T, keyof U>, Exclude<keyof U, keyof T>] extends [never, never]
  ? true
  : [Exclude<keyof T, keyof U>, Exclude<keyof U, keyof T>];

/** A string-keyed map of strings. */
export function stringMap() {
  return z.record(z.string(), z.string({ error: 'must be text in quotes' }));
}

export { z };
