import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { durationText, sizeText } from './quantities';

/** One offending input: which input, what was received, and what is allowed or how to fix it. */
export interface ConfigProblem {
  /** Dotted input name as the user wrote it, e.g. `replicas.min`. */
  readonly input: string;
  /** The value received. */
  readonly value: unknown;
  /** What is allowed or how to fix it, phrased to follow the value: "must be <= 'replicas.max' (10)". */
  readonly fix: string;
}

/**
 * A user mistake found at synth time. Its message is the whole report (construct path, input, value, fix), so
 * the CLI prints it without a stack trace; anything else that escapes is a perfstack bug.
 */
export class ConfigError extends Error {
  public readonly path: string;
  public readonly problems: readonly ConfigProblem[];

  constructor(path: string, problems: readonly ConfigProblem[]) {
    super(problems.map((p) => formatProblem(path, p)).join('\n'));
    this.name = 'ConfigError';
    this.path = path;
    this.problems = problems;
  }
}

/** A value shown as is, without quotes: a quantity or duration already formatted for the user (`256Mi`, `1 minute`). */
export class Shown {
  constructor(private readonly text: string) {}
  public toString(): string {
    return this.text;
  }
}

export function shown(text: string): Shown {
  return new Shown(text);
}

/** `prod/api-gateway: 'replicas.min' (11) must be <= 'replicas.max' (10)` */
export function formatProblem(path: string, p: ConfigProblem): string {
  return `${path}: '${p.input}' (${formatValue(p.value)}) ${p.fix}`;
}

export function formatValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  // JSON.stringify would print NaN and Infinity as null.
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Size) return sizeText(value);
  if (value instanceof Duration) return durationText(value);
  if (value instanceof Cpu) return String(value.amount);
  if (typeof value === 'object' && value !== null && 'toString' in value && !Array.isArray(value)) {
    const s = String(value);
    if (s !== '[object Object]') return s;
  }
  const json = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? String(value);
  // A whole object where a scalar belongs: enough to recognise it, not a page of it.
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/**
 * Collects every problem of one input object before throwing, so a user fixes them all in one round.
 * `check(cond, ...)` records a problem when `cond` is false.
 */
export class Problems {
  private readonly found: ConfigProblem[] = [];

  constructor(private readonly path: string) {}

  public static of(scope: IConstruct): Problems {
    return new Problems(scope.node.path);
  }

  public check(ok: boolean, input: string, value: unknown, fix: string): this {
    if (!ok) this.found.push({ input, value, fix });
    return this;
  }

  /**
   * A count (zones, shards, instances): a fraction gets "must be a whole number", a whole number below `min` gets
   * `belowMin`, so the advice is about what is actually wrong (`'zones' (2.5)` is at least 1; it is not whole).
   */
  public checkCount(input: string, value: number, min: number, belowMin: string): this {
    if (!Number.isInteger(value)) return this.add(input, value, `must be a whole number >= ${min}`);
    return this.check(value >= min, input, value, belowMin);
  }

  public add(input: string, value: unknown, fix: string): this {
    return this.check(false, input, value, fix);
  }

  public get count(): number {
    return this.found.length;
  }

  /** Throws a {@link ConfigError} listing every problem found, if any. */
  public throwIfAny(): void {
    if (this.found.length > 0) throw new ConfigError(this.path, this.found);
  }
}
