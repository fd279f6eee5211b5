/**
 * Replica floors for the week ahead from a request-rate history: a seasonal model (time of day, day of week and a
 * weekly correction, on a robust level with a linear trend), a safety margin measured as the forecast error the
 * same model made on the history itself, and a lead time so new pods are ready when the load arrives.
 * Pure functions; `planning/forecast-cli.ts` is the CLI and `planning/backtest.ts` replays them against an HPA.
 */
import { DAY_MS, History, MINUTE_MS, WEEK_MS } from '../shared/history';

export interface ForecastOptions {
  /** Forecast the week starting here (epoch ms); only history before it is used. */
  readonly until: number;
  /** Requests per minute one replica serves at 100% of its CPU target's basis. */
  readonly perReplica: number;
  /** The HPA's utilization target (0-1]: the floors hold the predicted mean load at this utilization. */
  readonly target: number;
  readonly min: number;
  readonly max: number;
  /**
   * Length of the model's slots; floors change at most this often.
   * @default 15 minutes
   */
  readonly slotMs?: number;
  /**
   * How early a floor rises before the load it is for: pod start-up to ready plus the metric lag.
   * @default 5 minutes (120 s readiness, 60 s metric lag, a 15 s sync and the scheduler, with room)
   */
  readonly leadMs?: number;
  /**
   * Quantile of the history's forecast errors added as the safety margin on peaks.
   * @default 0.9
   */
  readonly marginQuantile?: number;
  /** @default 7 days */
  readonly horizonMs?: number;
  /**
   * Share of the measured trend carried into the forecast week: a trend learnt over a few weeks (an event building
   * up, a month of term) rarely goes on at full strength, and an over-shooting floor is paid every slot.
   * @default 0.5
   */
  readonly trendDamping?: number;
}

/** Days of history a backtest's test week needs before it, unless told otherwise (the CLI's default too). */
export const DEFAULT_MIN_TRAIN_DAYS = 14;

export interface Floor {
  readonly from: number;
  readonly to: number;
  readonly minReplicas: number;
}

export interface Forecast {
  readonly floors: readonly Floor[];
  /** Predicted mean and peak requests per minute per slot of the horizon (peak with the margin). */
  readonly slots: readonly { readonly from: number; readonly mean: number; readonly peak: number }[];
  /** Safety margin as a factor on predicted peaks (e.g. 1.25 = +25%). */
  readonly marginFactor: number;
  /** Trend of the load, per week, as a factor (e.g. 0.9 = -10% per week). */
  readonly weeklyTrend: number;
  /** Forecast errors the margin was measured on, and how (`held-out weeks` or `in-sample`). */
  readonly errors: { readonly count: number; readonly method: 'held-out weeks' | 'in-sample' };
  /** Quantile of those errors the margin is. */
  readonly marginQuantile: number;
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Quantile with linear interpolation (type 7). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** Per slot before `until`: mean and peak per-minute load, as log1p, NaN where under half the slot has data. */
export interface Slots {
  /** Slot index of the first entry; slot k covers [until + k*slotMs, until + (k+1)*slotMs). Negative. */
  readonly first: number;
  readonly slotMs: number;
  readonly mean: Float64Array;
  readonly peak: Float64Array;
}

export function slotsOf(h: History, until: number, slotMs: number): Slots {
  const first = Math.floor((h.start - until) / slotMs);
  const n = Math.max(0, -first);
  const sum = new Float64Array(n);
  const count = new Float64Array(n);
  const peak = new Float64Array(n).fill(-Infinity);
  for (let i = 0; i < h.perMinute.length; i++) {
    const v = h.perMinute[i];
    if (Number.isNaN(v)) continue;
    const j = Math.floor((h.start + i * h.stepMs - until) / slotMs) - first;
    if (j < 0 || j >= n) continue;
    sum[j] += v;
    count[j] += 1;
    if (v > peak[j]) peak[j] = v;
  }
  const expected = slotMs / h.stepMs;
  const mean = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const ok = count[j] >= expected / 2;
    mean[j] = ok ? Math.log1p(sum[j] / count[j]) : NaN;
    peak[j] = ok ? Math.log1p(peak[j]) : NaN;
  }
  return { first, slotMs, mean, peak };
}

/** A fitted seasonal model of one log series: predicts slot k (relative to `until`). */
export type Predictor = (k: number) => number;

/**
 * Fits level + trend + day-of-week + time-of-day + a shrunken hour-of-week correction to `values` (slot indices
 * `first`..`first + end - 1`). Medians throughout, so a burst or an outage moves nothing much.
 */
export function fitSeasonal(
  values: Float64Array,
  first: number,
  end: number,
  slotMs: number,
  damping = 1,
): { predict: Predictor; slopePerDay: number } {
  const perDay = Math.round(DAY_MS / slotMs);
  const perWeek = 7 * perDay;
  const day = (k: number) => Math.floor(k / perDay);
  const present: number[] = [];
  for (let j = 0; j < end; j++) if (!Number.isNaN(values[j])) present.push(j);
  if (present.length === 0) return { predict: () => 0, slopePerDay: 0 };

  // Daily means, for the trend: the median weekly change of the same weekday removes the weekly pattern.
  const daySum = new Map<number, { s: number; n: number }>();
  for (const j of present) {
    const d = day(first + j);
    const e = daySum.get(d) ?? { s: 0, n: 0 };
    e.s += values[j];
    e.n += 1;
    daySum.set(d, e);
  }
  const dayMean = new Map<number, number>();
  for (const [d, e] of daySum) if (e.n >= 0.75 * perDay) dayMean.set(d, e.s / e.n);
  const changes: number[] = [];
  for (const [d, m] of dayMean) {
    const later = dayMean.get(d + 7);
    if (later !== undefined) changes.push((later - m) / 7);
  }
  // Fewer than a week of same-weekday pairs says more about those days than about a trend.
  const slopePerDay = changes.length >= 7 ? median(changes) : 0;
  const trend = (k: number) => (slopePerDay * k) / perDay;
  // Ahead of `until` (k >= 0) only the damped share of the trend goes on.
  const ahead = (k: number) => (k >= 0 ? damping * trend(k) : trend(k));

  // Level at slot 0: the median detrended value of the last week of data.
  const z = (j: number) => values[j] - trend(first + j);
  const lastWeek = present.filter((j) => j >= end - perWeek);
  const level = median(lastWeek.map(z));

  const days = new Set(present.map((j) => day(first + j)));
  const dow = new Array<number>(7).fill(0);
  if (days.size >= 7) {
    const byDow: number[][] = Array.from({ length: 7 }, () => []);
    for (const d of days) {
      const js = present.filter((j) => day(first + j) === d);
      if (js.length >= 0.75 * perDay) byDow[mod(d, 7)].push(js.reduce((acc, j) => acc + z(j), 0) / js.length - level);
    }
    for (let w = 0; w < 7; w++) dow[w] = byDow[w].length > 0 ? median(byDow[w]) : 0;
  }
  const dowOf = (k: number) => dow[mod(day(k), 7)];

  const byTod: number[][] = Array.from({ length: perDay }, () => []);
  for (const j of present) byTod[mod(first + j, perDay)].push(z(j) - level - dowOf(first + j));
  const rawTod = byTod.map((xs) => (xs.length > 0 ? median(xs) : 0));
  // A light smoothing over neighbouring slots: medians of a few days are noisy at 15 minutes.
  const tod = rawTod.map((_, t) => (rawTod[mod(t - 1, perDay)] + 2 * rawTod[t] + rawTod[mod(t + 1, perDay)]) / 4);

  const byHow: number[][] = Array.from({ length: perWeek }, () => []);
  for (const j of present) byHow[mod(first + j, perWeek)].push(z(j) - level - dowOf(first + j) - tod[mod(first + j, perDay)]);
  // Shrunk towards 0 by the number of weeks it rests on: one week's oddity is mostly noise.
  const how = byHow.map((xs) => (xs.length >= 2 ? (median(xs) * xs.length) / (xs.length + 2) : 0));

  const predict: Predictor = (k) => level + ahead(k) + dowOf(k) + tod[mod(k, perDay)] + how[mod(k, perWeek)];
  return { predict, slopePerDay };
}

/**
 * Errors of the peak model: each past week predicted from the weeks before it (at least one), or, with under two
 * weeks of history, the model's in-sample residuals.
 */
function peakErrors(slots: Slots, damping: number): { errors: number[]; method: 'held-out weeks' | 'in-sample' } {
  const perWeek = Math.round(WEEK_MS / slots.slotMs);
  const n = slots.peak.length;
  const errors: number[] = [];
  for (let cut = n - perWeek; cut >= perWeek; cut -= perWeek) {
    // Predicted as the week ahead is: from `cut`, with the damped trend (slot first + cut is whole weeks before
    // `until`, so shifting by it keeps the weekdays).
    const shifted = fitSeasonal(slots.peak, -cut, cut, slots.slotMs, damping);
    const predict = (k: number) => shifted.predict(k - slots.first - cut);
    for (let j = cut; j < Math.min(n, cut + perWeek); j++) {
      if (!Number.isNaN(slots.peak[j])) errors.push(slots.peak[j] - predict(slots.first + j));
    }
  }
  if (errors.length > 0) return { errors, method: 'held-out weeks' };
  const { predict } = fitSeasonal(slots.peak, slots.first, n, slots.slotMs);
  for (let j = 0; j < n; j++) if (!Number.isNaN(slots.peak[j])) errors.push(slots.peak[j] - predict(slots.first + j));
  return { errors, method: 'in-sample' };
}

/**
 * Piecewise-constant floors from per-slot needs: the floor at time t is the largest need of any slot that
 * overlaps [t, t + lead], so it rises `lead` before a slot's load and falls when the slot ends. Adjacent equal
 * floors are merged.
 */
export function floorsFromNeeds(until: number, slotMs: number, needs: readonly number[], leadMs: number, horizonMs: number): Floor[] {
  const end = until + horizonMs;
  const points = new Set<number>([until]);
  for (let i = 0; i < needs.length; i++) {
    const a = until + i * slotMs;
    for (const p of [a, a - leadMs]) if (p > until && p < end) points.add(p);
  }
  const starts = [...points].sort((a, b) => a - b);
  const floors: Floor[] = [];
  starts.forEach((t, s) => {
    const to = s + 1 < starts.length ? starts[s + 1] : end;
    const firstSlot = Math.floor((t - until) / slotMs);
    const lastSlot = Math.min(needs.length - 1, Math.floor((t + leadMs - until) / slotMs));
    let value = 0;
    for (let i = Math.max(0, firstSlot); i <= lastSlot; i++) value = Math.max(value, needs[i]);
    const prev = floors[floors.length - 1];
    if (prev && prev.minReplicas === value) floors[floors.length - 1] = { ...prev, to };
    else floors.push({ from: t, to, minReplicas: value });
  });
  return floors;
}

/** The fitted mean and peak models of a history and the errors the peak model made on it: floors at any margin. */
export interface FloorModel {
  readonly until: number;
  readonly slotMs: number;
  readonly mean: { readonly predict: Predictor; readonly slopePerDay: number };
  readonly peak: { readonly predict: Predictor; readonly slopePerDay: number };
  readonly errors: readonly number[];
  readonly method: 'held-out weeks' | 'in-sample';
}

export function fitFloorModel(history: History, options: Pick<ForecastOptions, 'until' | 'slotMs' | 'trendDamping'>): FloorModel {
  const slotMs = options.slotMs ?? 15 * MINUTE_MS;
  const damping = options.trendDamping ?? 0.5;
  const slots = slotsOf(history, options.until, slotMs);
  const n = slots.mean.length;
  const { errors, method } = peakErrors(slots, damping);
  return {
    until: options.until,
    slotMs,
    mean: fitSeasonal(slots.mean, slots.first, n, slotMs, damping),
    peak: fitSeasonal(slots.peak, slots.first, n, slotMs, damping),
    errors,
    method,
  };
}

/** Floors for the week after `options.until`, learnt from the history before it. */
export function forecastFloors(history: History, options: ForecastOptions): Forecast {
  return floorsOf(fitFloorModel(history, options), options);
}

/**
 * Floors from a fitted model at `options.marginQuantile`; `keep(slot)` false leaves a slot at `min` (no floor), for
 * the slots and days where floors did not pay.
 */
export function floorsOf(model: FloorModel, options: ForecastOptions, keep: (slot: number) => boolean = () => true): Forecast {
  const { slotMs, errors, method } = model;
  const meanModel = model.mean;
  const peakModel = model.peak;
  const leadMs = options.leadMs ?? 5 * MINUTE_MS;
  const horizonMs = options.horizonMs ?? WEEK_MS;
  const q = options.marginQuantile ?? 0.9;
  const margin = Math.max(0, quantile(errors, q));
  const count = Math.ceil((horizonMs + leadMs) / slotMs);
  const out: { from: number; mean: number; peak: number }[] = [];
  const needs: number[] = [];
  for (let k = 0; k < count; k++) {
    const mean = Math.max(0, Math.expm1(meanModel.predict(k)));
    const peak = Math.max(0, Math.expm1(peakModel.predict(k) + margin));
    // The HPA holds the mean at its target anyway; the floor makes sure the minute peaks fit at 100%, and that
    // the HPA's own steady level is there before the load rather than after.
    const need = Math.max(Math.ceil(mean / (options.perReplica * options.target) - 1e-9), Math.ceil(peak / options.perReplica - 1e-9));
    needs.push(keep(k) ? Math.min(options.max, Math.max(options.min, need)) : options.min);
    out.push({ from: options.until + k * slotMs, mean, peak });
  }
  return {
    floors: floorsFromNeeds(options.until, slotMs, needs, leadMs, horizonMs),
    slots: out.filter((s) => s.from < options.until + horizonMs),
    marginFactor: Math.exp(margin),
    weeklyTrend: Math.exp(7 * peakModel.slopePerDay),
    errors: { count: errors.length, method },
    marginQuantile: q,
  };
}
