import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';

/**
 * Checks of cdk8s quantities before anything converts them: `Size.toGibibytes()` throws on 512Mi, `toSeconds()` on
 * 1500 ms, and NaN or Infinity slip through as `null` in YAML. Each function returns undefined when the quantity is
 * usable, else what is allowed, phrased to follow the value in a one-line report.
 */

interface SizeInternals {
  readonly amount: number;
  readonly unit: { readonly label: string; readonly inKibiBytes: number; readonly abbr?: string };
}

interface DurationInternals {
  readonly amount: number;
  readonly unit: { readonly label: string; readonly inMillis: number };
}

const SIZE_ABBR: Record<string, string> = { kibibytes: 'Ki', mebibytes: 'Mi', gibibytes: 'Gi', tebibytes: 'Ti', pebibyte: 'Pi' };
const KIB: Record<'Mi' | 'Gi', number> = { Mi: 1024, Gi: 1024 * 1024 };

/** A Size as written: `512Mi`. */
export function sizeText(s: Size): string {
  const { amount, unit } = s as unknown as SizeInternals;
  return `${amount}${unit.abbr ?? SIZE_ABBR[unit.label] ?? ` ${unit.label}`}`;
}

/** A Duration as written: `1500 millis`, `-5 seconds`. */
export function durationText(d: Duration): string {
  const { amount, unit } = d as unknown as DurationInternals;
  return `${amount} ${unit.label}`;
}

function sizeKiB(s: Size): number {
  const { amount, unit } = s as unknown as SizeInternals;
  return amount * unit.inKibiBytes;
}

/** Milliseconds of a Duration, without the conversion's own whole-number check (NaN for a broken one). */
export function durationMillis(d: Duration): number {
  const { amount, unit } = d as unknown as DurationInternals;
  return amount * unit.inMillis;
}

export interface SizeOptions {
  /** Unit the manifest states this size in; the size must be a whole number of it. @default 'Mi' */
  readonly whole?: 'Mi' | 'Gi';
  /** @default - above zero */
  readonly min?: Size;
}

export function sizeProblem(s: unknown, options: SizeOptions = {}): string | undefined {
  if (!(s instanceof Size)) return 'must be a Size, e.g. Size.mebibytes(512)';
  const kib = sizeKiB(s);
  if (!Number.isFinite(kib)) return 'must be a finite size';
  if (kib <= 0) return 'must be above zero';
  const min = options.min ? sizeKiB(options.min) : 0;
  if (kib < min) return `must be at least ${sizeText(options.min!)}`;
  const whole = options.whole ?? 'Mi';
  if (!Number.isInteger(kib / KIB[whole])) {
    return `must be a whole number of ${whole === 'Gi' ? 'gibibytes, e.g. Size.gibibytes(1)' : 'mebibytes, e.g. Size.mebibytes(512)'}`;
  }
  return undefined;
}

/** CPU in cores (`500m` -> 0.5), NaN when the amount is not a number. */
export function cpuCores(c: Cpu): number {
  const amount = String(c.amount);
  const n = amount.endsWith('m') ? Number(amount.slice(0, -1)) / 1000 : Number(amount);
  return amount.trim() === '' ? NaN : n;
}

export function cpuProblem(c: unknown): string | undefined {
  if (!(c instanceof Cpu)) return 'must be a Cpu, e.g. Cpu.millis(500)';
  const cores = cpuCores(c);
  if (!Number.isFinite(cores)) return 'must be a finite number of cores or millicores';
  if (cores <= 0) return 'must be above zero, e.g. Cpu.millis(250)';
  if (!Number.isInteger(Math.round(cores * 1e6) / 1e3)) return 'must be a whole number of millicores';
  return undefined;
}

export interface DurationOptions {
  /** @default Duration.millis(1) (above zero) */
  readonly min?: Duration;
  /** @default - no upper bound */
  readonly max?: Duration;
  /** The manifest states it in seconds: a fraction of a second cannot be written. @default false */
  readonly wholeSeconds?: boolean;
  /** Why the bounds are what they are, said after a bound is broken, e.g. `the API maximum`. @default - nothing */
  readonly boundsReason?: string;
}

export function durationProblem(d: unknown, options: DurationOptions = {}): string | undefined {
  if (!(d instanceof Duration)) return 'must be a Duration, e.g. Duration.seconds(30)';
  const ms = durationMillis(d);
  if (!Number.isFinite(ms)) return 'must be a finite duration';
  const min = options.min ? durationMillis(options.min) : 1;
  const why = options.boundsReason === undefined ? '' : ` (${options.boundsReason})`;
  if (ms < min) return min <= 1 ? 'must be above zero' : `must be at least ${options.min!.toHumanString()}${why}`;
  if (options.max && ms > durationMillis(options.max)) return `must be at most ${options.max.toHumanString()}${why}`;
  if (options.wholeSeconds && ms % 1000 !== 0) return 'must be a whole number of seconds';
  return undefined;
}

/** Quantities of one props object, by input name, with what each must be. */
export interface QuantityProps {
  readonly sizes?: Readonly<Record<string, readonly [Size | undefined, SizeOptions?]>>;
  readonly cpus?: Readonly<Record<string, Cpu | undefined>>;
  readonly durations?: Readonly<Record<string, readonly [Duration | undefined, DurationOptions?]>>;
}

/**
 * Records a problem for every quantity that is out of range or cannot be converted as the manifest needs; absent
 * (optional) ones are skipped. Run it before converting anything: the conversions throw plain errors.
 */
export function checkQuantities(problems: { add(input: string, value: unknown, fix: string): unknown }, q: QuantityProps): void {
  for (const [input, [s, options]] of Object.entries(q.sizes ?? {})) {
    const p = s === undefined ? undefined : sizeProblem(s, options);
    if (p) problems.add(input, s, p);
  }
  for (const [input, c] of Object.entries(q.cpus ?? {})) {
    const p = c === undefined ? undefined : cpuProblem(c);
    if (p) problems.add(input, c, p);
  }
  for (const [input, [d, options]] of Object.entries(q.durations ?? {})) {
    const p = d === undefined ? undefined : durationProblem(d, options);
    if (p) problems.add(input, d, p);
  }
}
