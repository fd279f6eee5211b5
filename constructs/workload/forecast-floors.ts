import { Problems } from '../core/errors';
import { isTimeZone } from '../core/grammars';
import { checkShape, count, grammar, strict, z } from '../core/schema';
import { BusinessHours, businessHoursCron } from './business-hours';

/** One interval of a floors file, as `npm run forecast -- --format json` prints it. */
export interface ForecastFloor {
  /** ISO-8601 instant with an offset. */
  readonly from: string;
  /** ISO-8601 instant with an offset, after `from`. */
  readonly to: string;
  readonly minReplicas: number;
}

/**
 * Replica floors learnt from history (`npm run forecast`), repeated every week: each interval becomes the same
 * weekday and wall-clock time in `timeZone`, applied by KEDA `cron` triggers beside the reactive ones. The HPA
 * takes the largest recommendation of all triggers, so it still scales above the floors.
 *
 * @see https://keda.sh/docs/2.15/scalers/cron/
 */
export interface ForecastFloors {
  /** IANA time zone the weekly pattern is applied in, e.g. `Europe/Dublin` (daylight saving included). */
  readonly timeZone: string;
  /** The intervals of one week (a floors file's `floors`); at most 7 days from the first `from` to the last `to`. */
  readonly floors: readonly ForecastFloor[];
  /**
   * Most cron triggers the service may carry, business hours included; finer floors are coarsened (neighbouring
   * intervals merged at their larger floor, cheapest first) until they fit.
   * @default 40
   */
  readonly maxTriggers?: number;
}

/** A KEDA cron trigger as it appears in `ScaledObject.spec.triggers`. */
export interface CronTrigger {
  readonly type: 'cron';
  readonly name: string;
  readonly metadata: { readonly timezone: string; readonly start: string; readonly end: string; readonly desiredReplicas: string };
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
/** Most cron triggers a service carries when its floors name no `maxTriggers`. */
export const DEFAULT_MAX_TRIGGERS = 40;

const WEEK_MIN = 7 * 1440;
/** Floors are kept to 5-minute steps of the week: cron has minutes, and nothing finer is worth a trigger. */
const STEP = 5;
const STEPS = WEEK_MIN / STEP;

const instant = grammar((v) => (ISO_WITH_OFFSET.test(v) ? undefined : 'must be an ISO-8601 time with an offset'));

/** What each field of {@link ForecastFloors} may hold; the ScalableService and Environment schemas use this one. */
export const forecastFloorsSchema = strict({
  timeZone: grammar((v) => (isTimeZone(v) ? undefined : 'must be an IANA time zone such as "Europe/Dublin"')),
  maxTriggers: z
    .number()
    .refine((v) => Number.isInteger(v) && v >= 2, { error: 'must be a whole number >= 2' })
    .optional(),
  floors: z
    .array(strict({ from: instant, to: instant, minReplicas: count(1) }))
    .min(1, { error: 'must hold at least one interval; regenerate the file with `npm run forecast`' }),
});

/** The schema's checks, then the intervals against each other and the floors against the autoscaler's bounds. */
export function checkForecastFloors(problems: Problems, input: string, f: ForecastFloors, min: number, max: number): void {
  checkShape(problems, forecastFloorsSchema, f, input);
  let previousTo = -Infinity;
  let first = Infinity;
  f.floors.forEach((x, i) => {
    const at = `${input}.floors[${i}]`;
    const from = ISO_WITH_OFFSET.test(x.from) ? Date.parse(x.from) : NaN;
    const to = ISO_WITH_OFFSET.test(x.to) ? Date.parse(x.to) : NaN;
    if (!Number.isNaN(from) && !Number.isNaN(to)) {
      problems.check(to > from, `${at}.to`, x.to, `must be after 'from' (${x.from})`);
      problems.check(from >= previousTo, `${at}.from`, x.from, 'must not be before the previous interval ends; intervals are in order');
      first = Math.min(first, from);
      problems.check(
        to - first <= WEEK_MIN * 60_000,
        `${at}.to`,
        x.to,
        'must be within 7 days of the first interval: the floors repeat weekly',
      );
      previousTo = to;
    }
    problems.check(
      Number.isInteger(x.minReplicas) && x.minReplicas >= min && x.minReplicas <= max,
      `${at}.minReplicas`,
      x.minReplicas,
      `must be a whole number between 'replicas.min' (${min}) and 'replicas.max' (${max}); regenerate the floors with these bounds`,
    );
  });
}

/** Formatters by time zone: building one costs more than the few lookups a service makes with it. */
const formats = new Map<string, Intl.DateTimeFormat>();

/** Minutes since Sunday 00:00 of an instant's wall-clock time in a time zone, one lookup per call. */
export function weekMinuteIn(timeZone: string): (ms: number) => number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  return (ms) => {
    const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
    const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday);
    return day * 1440 + (Number(parts.hour) % 24) * 60 + Number(parts.minute);
  };
}

const mod = (n: number, m: number) => ((n % m) + m) % m;
/** Minutes since Sunday 00:00 UTC of an instant: 1970-01-01 was a Thursday. */
const utcWeekMinute = (ms: number) => mod(Math.floor(ms / 60_000) + 4 * 1440, WEEK_MIN);

/**
 * {@link weekMinuteIn} for instants between `from` and `to` (at most a week apart), with a handful of time-zone
 * lookups instead of one per instant: the wall clock is UTC plus an offset, and the offset changes at most once in
 * such a span (daylight-saving changes are months apart). When it differs at the two ends, halving the span finds
 * the minute of the change (offsets change on whole minutes).
 */
function weekMinutesBetween(timeZone: string, from: number, to: number): (ms: number) => number {
  const local = weekMinuteIn(timeZone);
  const offsetAt = (ms: number) => mod(local(ms) - utcWeekMinute(ms), WEEK_MIN);
  const before = offsetAt(from);
  const after = offsetAt(to);
  let change = Infinity;
  if (before !== after) {
    let lo = Math.floor(from / 60_000);
    let hi = Math.floor(to / 60_000);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(mid * 60_000) === before) lo = mid;
      else hi = mid;
    }
    change = hi * 60_000;
  }
  return (ms) => mod(utcWeekMinute(ms) + (ms < change ? before : after), WEEK_MIN);
}

/**
 * The week's floor in 5-minute steps from Sunday 00:00 local time, at `min` where no interval says otherwise. Each
 * step lands where the wall clock puts it, so a daylight-saving change inside the week moves the steps after it.
 * Where a business-hours floor in the same time zone already holds as much, the forecast adds nothing.
 */
export function weeklyFloorProfile(f: ForecastFloors, min: number, businessHours?: BusinessHours): Int32Array {
  const profile = new Int32Array(STEPS).fill(min);
  const spans = f.floors.map((x) => ({ from: Date.parse(x.from), to: Date.parse(x.to), minReplicas: x.minReplicas }));
  if (spans.length > 0) {
    const weekMinute = weekMinutesBetween(f.timeZone, Math.min(...spans.map((x) => x.from)), Math.max(...spans.map((x) => x.to)));
    for (const x of spans) {
      for (let t = x.from; t < x.to; t += STEP * 60_000) {
        const s = Math.floor(weekMinute(t) / STEP);
        profile[s] = Math.max(profile[s], x.minReplicas);
      }
    }
  }
  if (businessHours && businessHours.timeZone === f.timeZone) {
    const days = expandDays(businessHours.days ?? '1-5');
    const [sh, sm] = businessHours.start.split(':').map(Number);
    const [eh, em] = businessHours.end.split(':').map(Number);
    for (const d of days) {
      for (let m = sh * 60 + sm; m < eh * 60 + em; m += STEP) {
        const s = Math.floor((d * 1440 + m) / STEP);
        if (profile[s] <= businessHours.minReplicas) profile[s] = min;
      }
    }
  }
  return profile;
}

function expandDays(field: string): number[] {
  return field.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
}

function daysField(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    runs.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return runs.join(',');
}

/** A run of equal floor above the minimum: [start, end) in steps of the week (end may pass the week's end). */
interface Segment {
  start: number;
  end: number;
  value: number;
}

function segmentsOf(profile: Int32Array, min: number): Segment[] {
  const segs: Segment[] = [];
  for (let s = 0; s < STEPS; s++) {
    if (profile[s] <= min) continue;
    const last = segs[segs.length - 1];
    if (last && last.end === s && last.value === profile[s]) last.end = s + 1;
    else segs.push({ start: s, end: s + 1, value: profile[s] });
  }
  // A run across Saturday midnight is one window.
  if (segs.length > 1) {
    const first = segs[0];
    const last = segs[segs.length - 1];
    if (first.start === 0 && last.end === STEPS && first.value === last.value) {
      last.end = STEPS + first.end;
      segs.shift();
    }
  }
  return segs;
}

/** Segments with the same time of day, length (under a day) and floor share one trigger with a list of days. */
function groupKey(seg: Segment): string {
  const perDay = 1440 / STEP;
  const len = seg.end - seg.start;
  return len < perDay ? `${seg.start % perDay}/${len}/${seg.value}` : `${seg.start}/${len}/${seg.value}/own`;
}

function groupsOf(segs: readonly Segment[]): Map<string, Segment[]> {
  const groups = new Map<string, Segment[]>();
  for (const seg of segs) {
    const key = groupKey(seg);
    const group = groups.get(key);
    if (group) group.push(seg);
    else groups.set(key, [seg]);
  }
  return groups;
}

/**
 * Merges neighbouring segments (across gaps at `min` too) until they fit `cap` triggers, each time the pair whose
 * merge adds the fewest replica-minutes: the merged window holds the larger floor. The number of triggers is kept
 * as a count per group, updated with each merge, rather than regrouping every segment each time.
 */
function coarsen(segs: readonly Segment[], min: number, cap: number): Segment[] {
  const out = segs.map((s) => ({ ...s }));
  const members = new Map<string, number>();
  const count = (seg: Segment, delta: number) => {
    const key = groupKey(seg);
    const n = (members.get(key) ?? 0) + delta;
    if (n === 0) members.delete(key);
    else members.set(key, n);
  };
  for (const seg of out) count(seg, 1);
  while (out.length > 1 && members.size > cap) {
    let best = 0;
    let bestCost = Infinity;
    for (let i = 0; i + 1 < out.length; i++) {
      const [a, b] = [out[i], out[i + 1]];
      const value = Math.max(a.value, b.value);
      // Steps between two segments are at the minimum: nothing above it was left outside a segment.
      const cost = (a.end - a.start) * (value - a.value) + (b.end - b.start) * (value - b.value) + (b.start - a.end) * (value - min);
      if (cost < bestCost) [best, bestCost] = [i, cost];
    }
    const [a, b] = [out[best], out[best + 1]];
    const merged = { start: a.start, end: b.end, value: Math.max(a.value, b.value) };
    count(a, -1);
    count(b, -1);
    count(merged, 1);
    out.splice(best, 2, merged);
  }
  return out;
}

const cronAt = (step: number, days: string) => {
  const m = (step * STEP) % 1440;
  return `${m % 60} ${Math.floor(m / 60)} * * ${days}`;
};

/**
 * The KEDA cron triggers of a service: its business-hours floor (unchanged) and its forecast floors, merged to as
 * few windows as the floors allow and at most `maxTriggers`. The HPA applies the largest of them and of the
 * reactive triggers, so overlapping floors take the max.
 */
export function cronTriggers(options: {
  readonly businessHours?: BusinessHours;
  readonly forecast?: ForecastFloors;
  readonly min: number;
}): CronTrigger[] {
  const triggers: CronTrigger[] = [];
  const bh = options.businessHours;
  if (bh) {
    const cron = businessHoursCron(bh);
    triggers.push({
      type: 'cron',
      name: 'business-hours',
      metadata: { timezone: bh.timeZone, start: cron.start, end: cron.end, desiredReplicas: String(bh.minReplicas) },
    });
  }
  const f = options.forecast;
  if (f) triggers.push(...forecastTriggers(f, options.min, bh).map((t) => ({ ...t, metadata: { ...t.metadata } })));
  return triggers;
}

/**
 * The forecast's triggers, computed once per floors list, minimum and business hours: services that share a floors
 * file, or an environment synthesized again in the same process, reuse them (readonly values; callers get copies).
 */
const computedTriggers = new WeakMap<readonly ForecastFloor[], Map<string, readonly CronTrigger[]>>();
function forecastTriggers(f: ForecastFloors, min: number, bh: BusinessHours | undefined): readonly CronTrigger[] {
  const key = JSON.stringify([min, bh ?? null, f.maxTriggers ?? null, f.timeZone, f.floors.length]);
  let byInputs = computedTriggers.get(f.floors);
  if (!byInputs) computedTriggers.set(f.floors, (byInputs = new Map()));
  const known = byInputs.get(key);
  if (known) return known;
  const profile = weeklyFloorProfile(f, min, bh);
  const segs = coarsen(segmentsOf(profile, min), min, (f.maxTriggers ?? DEFAULT_MAX_TRIGGERS) - (bh ? 1 : 0));
  const perDay = 1440 / STEP;
  const triggers = [...groupsOf(segs).values()]
    .map((group) => {
      const days = group.map((s) => Math.floor(s.start / perDay) % 7);
      const endDays = group.map((s) => Math.floor(s.end / perDay) % 7);
      return {
        first: group[0].start,
        value: group[0].value,
        start: cronAt(group[0].start, daysField(days)),
        end: cronAt(group[0].end, daysField(endDays)),
      };
    })
    .sort((a, b) => a.first - b.first)
    .map((w, i): CronTrigger => ({
      type: 'cron',
      name: `forecast-${i + 1}`,
      metadata: { timezone: f.timeZone, start: w.start, end: w.end, desiredReplicas: String(w.value) },
    }));
  byInputs.set(key, triggers);
  return triggers;
}
