/**
 * Monthly peaks projected 1-N months ahead with intervals that mean what they say. The median is today's level
 * (the median daily peak of the last four weeks) times the ratio "peak of the month h ahead / level" that the
 * history itself shows: at the same time of year when it covers two years or more (yearly seasonality and growth
 * in one), else over every past origin (an average, hence damped, growth). The intervals are the errors this very
 * method made at each horizon in a rolling-origin backtest on the history (empirical, per horizon), so level
 * shifts and model errors of the past widen them; a recent level shift widens them further. A history too short
 * for a horizon is flagged, never given a trend of its own. Pure.
 */
import { DAY_MS } from '../shared/history';

/** A month of the projection: 30.44 days. */
export const MONTH_MS = 30.44 * DAY_MS;
/** Days whose median is "today's level". */
const LEVEL_DAYS = 28;
/** Days with data a level needs (of LEVEL_DAYS): two weekly exports joined hold 13 full days. */
export const MIN_LEVEL_DAYS = 10;
/** A month's peak counts when at least this share of its days has data. */
const MONTH_COVERAGE = 0.8;
/** Spacing of the backtest origins. */
const ORIGIN_STEP_MS = 14 * DAY_MS;
/**
 * Years of backtest origins the intervals learn from: the errors of the recent past say more about the next
 * months than those of a younger, faster-changing service (older origins widened the 80% band to 90-94% coverage).
 */
const ERROR_YEARS = 3;
/** Covering this long (two years) makes the ratios yearly: taken at the same time of year. */
const YEARLY_MS = 2 * 365.25 * DAY_MS;
/** How far from the same date of an earlier year an origin may be to count as "the same time of year". */
const SEASON_WINDOW_MS = 21 * DAY_MS;

/** Daily peaks: one value per UTC day from `start`, NaN where the day has no data. */
export interface DailyPeaks {
  readonly start: number;
  readonly values: Float64Array;
}

/** A projected peak: the median and the bounds of the 80% and 95% intervals, requests per minute. */
export interface Band {
  readonly median: number;
  readonly lo80: number;
  readonly hi80: number;
  readonly lo95: number;
  readonly hi95: number;
}

/** A peak of the history: the period's start (epoch ms) and its peak rate (requests per minute). */
export interface Peak {
  readonly t: number;
  readonly peak: number;
}

export interface MonthBand extends Band {
  /** Months ahead, 1-based; the month is [from + (h-1) M, from + h M). */
  readonly horizon: number;
}

export interface MonthlyProjection {
  /** End of the history: the origin of the projection. */
  readonly from: number;
  readonly level: number;
  readonly seasonality: 'yearly' | 'none';
  readonly bands: readonly MonthBand[];
  /** Backtest errors the intervals rest on, per horizon. */
  readonly errorCounts: readonly number[];
  /** Horizons the history is too short for (under twice their length, or under 3 errors to learn from). */
  readonly tooShort: readonly number[];
  /** Last four weeks' level over the four weeks' before it, when it moved by more than a third either way. */
  readonly levelShift?: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Empirical quantile (type 7) of a sorted array. */
const quantileSorted = (s: readonly number[], q: number): number => {
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.ceil(pos)] - s[lo]) * (pos - lo);
};

const dayIndex = (p: DailyPeaks, t: number) => Math.floor((t - p.start) / DAY_MS);

/**
 * Levels and month peaks by origin, per series: the backtest asks for the same origins' figures for every horizon
 * and every later origin (quadratic without it).
 */
const memo = new WeakMap<DailyPeaks, Map<number, number>>();
function cached(p: DailyPeaks, key: number, f: () => number): number {
  let m = memo.get(p);
  if (!m) memo.set(p, (m = new Map()));
  let v = m.get(key);
  if (v === undefined) m.set(key, (v = f()));
  return v;
}

/** Log of the median daily peak of the LEVEL_DAYS before `t`, or NaN with under MIN_LEVEL_DAYS of them present. */
export function levelAt(p: DailyPeaks, t: number): number {
  return cached(p, -1 - dayIndex(p, t), () => computeLevel(p, t));
}

function computeLevel(p: DailyPeaks, t: number): number {
  const end = Math.min(p.values.length, dayIndex(p, t));
  const xs: number[] = [];
  for (let i = Math.max(0, end - LEVEL_DAYS); i < end; i++) if (p.values[i] > 0) xs.push(Math.log(p.values[i]));
  return xs.length >= MIN_LEVEL_DAYS ? median(xs) : NaN;
}

/** Log of the highest daily peak of the LEVEL_DAYS before `t`. */
function recentPeak(p: DailyPeaks, t: number): number {
  const end = Math.min(p.values.length, dayIndex(p, t));
  let best = -Infinity;
  for (let i = Math.max(0, end - LEVEL_DAYS); i < end; i++) if (p.values[i] > 0) best = Math.max(best, p.values[i]);
  return Math.log(best);
}

/** Log of the highest daily peak of month `h` after `t`, or NaN when under MONTH_COVERAGE of its days have data. */
export function monthPeakAt(p: DailyPeaks, t: number, h: number): number {
  // Keys >= 0: the origin (epoch ms, below 2^47) and the horizon (below 64); levels use the negative ones.
  return cached(p, t * 64 + h, () => computeMonthPeak(p, t, h));
}

function computeMonthPeak(p: DailyPeaks, t: number, h: number): number {
  const a = dayIndex(p, t + (h - 1) * MONTH_MS);
  const b = dayIndex(p, t + h * MONTH_MS);
  if (a < 0 || b > p.values.length) return NaN;
  let best = -Infinity;
  let present = 0;
  for (let i = a; i < b; i++) {
    if (p.values[i] > 0) {
      present++;
      best = Math.max(best, p.values[i]);
    }
  }
  return present >= MONTH_COVERAGE * (b - a) ? Math.log(best) : NaN;
}

/** The history end as an origin: just after its last day. */
const endOf = (p: DailyPeaks) => p.start + p.values.length * DAY_MS;

/**
 * The log ratio "month h peak / level" the history before `until` shows for an origin at `at`: the median over
 * earlier origins at the same time of year (yearly) or over all earlier origins (none). NaN when none is known.
 */
function ratioFor(p: DailyPeaks, at: number, until: number, h: number, seasonality: 'yearly' | 'none'): number {
  const ratios: number[] = [];
  for (let o = p.start + LEVEL_DAYS * DAY_MS; o + h * MONTH_MS <= until; o += 7 * DAY_MS) {
    if (seasonality === 'yearly') {
      const years = (at - o) / (365.25 * DAY_MS);
      if (Math.round(years) < 1 || Math.abs(at - o - Math.round(years) * 365.25 * DAY_MS) > SEASON_WINDOW_MS) continue;
    }
    const r = monthPeakAt(p, o, h) - levelAt(p, o);
    if (Number.isFinite(r)) ratios.push(r);
  }
  return ratios.length > 0 ? median(ratios) : NaN;
}

/** The point forecast (log) of month h from an origin, learnt from the history before it only. */
export function pointForecast(p: DailyPeaks, origin: number, h: number): number {
  const level = levelAt(p, origin);
  const yearly = origin - p.start >= YEARLY_MS;
  let r = yearly ? ratioFor(p, origin, origin, h, 'yearly') : NaN;
  if (!Number.isFinite(r)) r = ratioFor(p, origin, origin, h, 'none');
  return level + r;
}

/** The errors (actual - forecast, log) of the method at each horizon over rolling origins before `until`. */
export function backtestErrors(p: DailyPeaks, until: number, months: number): number[][] {
  const errors: number[][] = Array.from({ length: months }, () => []);
  const oldest = Math.max(p.start + 2 * LEVEL_DAYS * DAY_MS, until - ERROR_YEARS * 365.25 * DAY_MS);
  for (let origin = until - MONTH_MS; origin > oldest; origin -= ORIGIN_STEP_MS) {
    for (let h = 1; h <= months; h++) {
      if (origin + h * MONTH_MS > until) continue;
      const e = monthPeakAt(p, origin, h) - pointForecast(p, origin, h);
      if (Number.isFinite(e)) errors[h - 1].push(e);
    }
  }
  return errors;
}

/**
 * Bands from errors: the median corrected by the errors' median, the bounds at their 10/90 and 2.5/97.5%
 * quantiles. Few errors cannot reach the far tails, so the 95% band is widened by (n + 1) / n per side and never
 * narrower than a shorter horizon's (on the development editions the same rule made the 80% band hold 90%: too wide).
 */
function band(
  point: number,
  errors: readonly number[],
  shorterHalf: { h80: number; h95: number },
): { lo80: number; hi80: number; lo95: number; hi95: number; mid: number } {
  const s = [...errors].sort((a, b) => a - b);
  const mid = quantileSorted(s, 0.5);
  const widen = (s.length + 1) / s.length;
  const lo80 = quantileSorted(s, 0.1);
  const hi80 = quantileSorted(s, 0.9);
  const lo95 = Math.min(mid - shorterHalf.h95, mid - widen * (mid - quantileSorted(s, 0.025)), lo80);
  const hi95 = Math.max(mid + shorterHalf.h95, mid + widen * (quantileSorted(s, 0.975) - mid), hi80);
  return { mid: point + mid, lo80: point + lo80, hi80: point + hi80, lo95: point + lo95, hi95: point + hi95 };
}

/** Half-widths (log) per square root of a month of the bands the history cannot check: x1.3 and x1.6 a month ahead. */
const UNCHECKED_80 = Math.log(1.3);
const UNCHECKED_95 = Math.log(1.6);
/** Share of the last known monthly growth carried into each further month the history cannot check. */
const TREND_DAMPING = 0.5;

/**
 * Projects the monthly peak `months` ahead of the history's end. A horizon the history is too short for (under
 * twice its length, or under 3 backtest errors) is flagged: its median continues the growth of the last horizon
 * the history shows, halved each month (a damped trend, never a straight line from a few weeks), and its band is
 * the widest checked one grown with the square root of the horizon, and at least x1.3 (80%) and x1.6 (95%) either
 * way times the square root of the months ahead.
 */
export function projectMonthly(p: DailyPeaks, months: number): MonthlyProjection {
  const from = endOf(p);
  const span = from - p.start;
  const level = levelAt(p, from);
  const errors = backtestErrors(p, from, months);
  const bands: MonthBand[] = [];
  const tooShort: number[] = [];
  // Widest half-widths (log) of the checked horizons so far, for the later ones.
  const half = { h80: 0, h95: 0 };
  let lastChecked = 0;
  // A level that moved by a third within the last eight weeks: the errors of the past may not have seen it.
  const before = levelAt(p, from - LEVEL_DAYS * DAY_MS);
  const moved = Math.exp(level - before);
  const levelShift = Number.isFinite(moved) && (moved > 4 / 3 || moved < 3 / 4) ? moved : undefined;
  const shiftWiden = levelShift === undefined ? 0 : Math.abs(Math.log(levelShift));
  // Point forecasts. Past the horizons the history holds an example of, the last month-on-month growth (between the
  // last two known horizons, else of the level over the last month), halved each further month. With no month
  // ahead of any origin yet, the last four weeks' own peak is the one month peak the history holds.
  const points: number[] = [];
  const levelGrowth = level - levelAt(p, from - MONTH_MS);
  let growth = Number.isFinite(levelGrowth) ? levelGrowth : 0;
  for (let h = 1; h <= months; h++) {
    const known = pointForecast(p, from, h);
    if (Number.isFinite(known)) {
      if (h > 1) growth = known - points[h - 2];
      points.push(known);
    } else if (h === 1) {
      points.push(recentPeak(p, from));
    } else {
      growth *= TREND_DAMPING;
      points.push(points[h - 2] + growth);
    }
  }
  for (let h = 1; h <= months; h++) {
    const checked = span >= 2 * h * MONTH_MS && errors[h - 1].length >= 3;
    let b;
    if (checked) {
      b = band(points[h - 1], errors[h - 1], half);
      lastChecked = h;
    } else {
      tooShort.push(h);
      const grow = Math.sqrt(h / Math.max(1, lastChecked));
      const h80 = Math.max(half.h80 * grow, UNCHECKED_80 * Math.sqrt(h));
      const h95 = Math.max(half.h95 * grow, UNCHECKED_95 * Math.sqrt(h));
      const mid = points[h - 1];
      b = { mid, lo80: mid - h80, hi80: mid + h80, lo95: mid - h95, hi95: mid + h95 };
    }
    if (checked) {
      half.h80 = Math.max(half.h80, b.mid - b.lo80, b.hi80 - b.mid);
      half.h95 = Math.max(half.h95, b.mid - b.lo95, b.hi95 - b.mid);
    }
    bands.push({
      horizon: h,
      median: Math.exp(b.mid),
      lo80: Math.exp(b.lo80 - shiftWiden),
      hi80: Math.exp(b.hi80 + shiftWiden),
      lo95: Math.exp(b.lo95 - shiftWiden),
      hi95: Math.exp(b.hi95 + shiftWiden),
    });
  }
  return {
    from,
    level: Math.exp(level),
    seasonality: span >= YEARLY_MS ? 'yearly' : 'none',
    bands,
    errorCounts: errors.map((e) => e.length),
    tooShort,
    ...(levelShift === undefined ? {} : { levelShift }),
  };
}

/** The band in force at time t: month h's for t in month h (the first month's before it, the last's after). */
export function bandAt(p: MonthlyProjection, t: number): Band {
  const h = Math.min(p.bands.length, Math.max(1, Math.ceil((t - p.from) / MONTH_MS - 1e-9)));
  return p.bands[h - 1];
}
