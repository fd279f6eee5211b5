/**
 * Peak load projected months ahead with prediction intervals: a log-linear trend (with day-of-week effects when
 * the history is too short for weekly peaks) fitted by least squares to the history's peaks, with the textbook
 * prediction interval of a linear model, and a rolling-origin backtest of how often the intervals held. Pure;
 * `planning/capacity-cli.ts` turns it into replicas, nodes and cost.
 */
import { DAY_MS, History, WEEK_MS } from './history';

/** Weekly peaks need this many weeks; shorter histories are modelled on daily peaks. */
export const MIN_WEEKS = 8;

export interface Peak {
  /** Start of the period, epoch ms. */
  readonly t: number;
  /** Highest 15-minute mean rate in the period, requests per minute: the sustained peak capacity is sized for. */
  readonly peak: number;
}

export interface PeakSeries {
  readonly unit: 'week' | 'day';
  readonly points: readonly Peak[];
}

/** Highest 15-minute mean per full week (or per full day, for histories under MIN_WEEKS weeks). */
export function periodPeaks(h: History): PeakSeries {
  const span = h.perMinute.length * h.stepMs;
  const unit = span >= MIN_WEEKS * WEEK_MS ? 'week' : 'day';
  const period = unit === 'week' ? WEEK_MS : DAY_MS;
  const window = Math.max(1, Math.round((15 * 60_000) / h.stepMs));
  const points: Peak[] = [];
  const perPeriod = Math.round(period / h.stepMs);
  for (let i0 = 0; i0 + perPeriod <= h.perMinute.length; i0 += perPeriod) {
    let best = -Infinity;
    let present = 0;
    for (let i = i0; i < i0 + perPeriod; i++) if (!Number.isNaN(h.perMinute[i])) present++;
    if (present < perPeriod * 0.8) continue;
    for (let i = i0; i + window <= i0 + perPeriod; i += 1) {
      let s = 0;
      let n = 0;
      for (let j = i; j < i + window; j++) {
        if (!Number.isNaN(h.perMinute[j])) {
          s += h.perMinute[j];
          n++;
        }
      }
      if (n > 0) best = Math.max(best, s / n);
    }
    if (best > 0) points.push({ t: h.start + i0 * h.stepMs, peak: best });
  }
  return { unit, points };
}

/** z quantiles of the two bands. */
const Z = { 80: 1.2815515655446004, 95: 1.959963984540054 } as const;

/** Student t quantile from the normal one (Cornish-Fisher, exact to ~1e-3 for df >= 5). */
function tQuantile(z: number, df: number): number {
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

/** Solves A x = b (A symmetric positive definite, small) and returns A^-1 too. */
function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const d = m[c][c];
    if (Math.abs(d) < 1e-12) throw new Error('singular design: too few distinct periods to fit a trend');
    for (let j = 0; j < 2 * n; j++) m[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(n));
}

export interface Band {
  readonly median: number;
  readonly lo80: number;
  readonly hi80: number;
  readonly lo95: number;
  readonly hi95: number;
}

export interface TrendModel {
  readonly unit: 'week' | 'day';
  /** Growth of the peak per 30 days, as a factor. */
  readonly monthlyGrowth: number;
  /** Residual standard deviation (log scale) and degrees of freedom. */
  readonly sigma: number;
  readonly df: number;
  /**
   * The period's peak at time t (epoch ms). Daily models project the busiest weekday (a week's peak) unless given
   * a weekday (0 = Sunday, UTC).
   */
  readonly at: (t: number, weekday?: number) => Band;
}

export const dayOfWeek = (t: number) => Math.floor(t / DAY_MS + 4) % 7; // 1970-01-01 was a Thursday (4)

/**
 * Fits log(peak) = a + b * days (+ day-of-week effects for a daily series). Needs at least 4 weekly or 10 daily
 * peaks.
 */
export function fitTrend(series: PeakSeries): TrendModel {
  const pts = series.points;
  const daily = series.unit === 'day';
  const minPoints = daily ? 10 : 4;
  if (pts.length < minPoints) {
    throw new Error(`${pts.length} ${series.unit === 'day' ? 'daily' : 'weekly'} peak(s); a projection needs at least ${minPoints}`);
  }
  const t0 = pts[pts.length - 1].t;
  // Day-of-week dummies (Sunday is the baseline) only where every weekday has data.
  const dows = new Set(pts.map((p) => dayOfWeek(p.t)));
  const seasonal = daily && dows.size === 7;
  const row = (t: number, dow: number) => [1, (t - t0) / DAY_MS, ...(seasonal ? [1, 2, 3, 4, 5, 6].map((d) => (dow === d ? 1 : 0)) : [])];
  const X = pts.map((p) => row(p.t, dayOfWeek(p.t)));
  const y = pts.map((p) => Math.log(p.peak));
  const k = X[0].length;
  const xtx = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => X.reduce((acc, r) => acc + r[i] * r[j], 0)));
  const inv = invert(xtx);
  const xty = Array.from({ length: k }, (_, i) => X.reduce((acc, r, n) => acc + r[i] * y[n], 0));
  const beta = inv.map((r) => r.reduce((acc, v, j) => acc + v * xty[j], 0));
  const fitted = X.map((r) => r.reduce((acc, v, j) => acc + v * beta[j], 0));
  const df = pts.length - k;
  // Scale from the median absolute residual: one burst day must not widen every band (it would with the RMS).
  const abs = y.map((v, i) => Math.abs(v - fitted[i])).sort((a, b) => a - b);
  const mad = abs.length % 2 ? abs[abs.length >> 1] : (abs[abs.length / 2 - 1] + abs[abs.length / 2]) / 2;
  const sigma = 1.4826 * mad * Math.sqrt(pts.length / Math.max(1, df));
  // The busiest weekday carries a week's peak.
  const dowEffect = (d: number) => (seasonal && d > 0 ? beta[1 + d] : 0);
  const peakDow = seasonal ? [0, 1, 2, 3, 4, 5, 6].reduce((best, d) => (dowEffect(d) > dowEffect(best) ? d : best), 0) : 0;
  const at = (t: number, weekday?: number): Band => {
    const x = row(t, weekday ?? peakDow);
    const mean = x.reduce((acc, v, j) => acc + v * beta[j], 0);
    const lever = x.reduce((acc, xi, i) => acc + xi * x.reduce((a2, xj, j) => a2 + inv[i][j] * xj, 0), 0);
    const se = sigma * Math.sqrt(1 + lever);
    const half = (z: number) => tQuantile(z, Math.max(1, df)) * se;
    return {
      median: Math.exp(mean),
      lo80: Math.exp(mean - half(Z[80])),
      hi80: Math.exp(mean + half(Z[80])),
      lo95: Math.exp(mean - half(Z[95])),
      hi95: Math.exp(mean + half(Z[95])),
    };
  };
  return { unit: series.unit, monthlyGrowth: Math.exp(beta[1] * 30), sigma, df, at };
}

export interface Coverage {
  /** Peaks predicted (one period ahead of each origin). */
  readonly count: number;
  /** Share inside the 80% and 95% intervals, 0-1. */
  readonly in80: number;
  readonly in95: number;
}

/**
 * Rolling-origin backtest: from each origin with enough peaks before it, fit on the peaks before and check
 * whether the next period's (the next week's, for daily series the next 7 days') peaks fall inside the bands.
 */
export function backtestCoverage(series: PeakSeries): Coverage {
  const first = series.unit === 'day' ? 14 : 6;
  const ahead = series.unit === 'day' ? 7 : 1;
  let count = 0;
  let in80 = 0;
  let in95 = 0;
  for (let origin = first; origin < series.points.length; origin += ahead) {
    const model = fitTrend({ unit: series.unit, points: series.points.slice(0, origin) });
    for (const p of series.points.slice(origin, origin + ahead)) {
      // Daily series: judge each day against its own weekday's band, not the busiest weekday's.
      const band = model.at(p.t, series.unit === 'day' ? dayOfWeek(p.t) : undefined);
      count++;
      if (p.peak >= band.lo80 && p.peak <= band.hi80) in80++;
      if (p.peak >= band.lo95 && p.peak <= band.hi95) in95++;
    }
  }
  return { count, in80: count ? in80 / count : NaN, in95: count ? in95 / count : NaN };
}
