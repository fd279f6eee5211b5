/**
 * How well monthly projections held on a history: from rolling origins, each projection learnt from the history
 * before its origin only, the actual monthly peaks 1-N months later are checked against the 80% and 95% bands and
 * the median. What `npm run capacity:backtest` prints, and the coverage `npm run capacity` shows beside a projection.
 * Pure.
 */
import { DAY_MS, History } from '../shared/history';
import { DailyPeaks, MONTH_MS, monthPeakAt, projectMonthly } from './monthly-projection';

export interface HorizonScore {
  readonly horizon: number;
  /** Monthly peaks checked. */
  readonly count: number;
  /** Share inside the 80% and the 95% band, 0-1. */
  readonly in80: number;
  readonly in95: number;
  /** Share above the 80% band's upper bound (peaks under-forecast), 0-1. */
  readonly above80: number;
  /** Median of |actual / median - 1|. */
  readonly medianAbsError: number;
}

export interface ProjectionScore {
  readonly origins: number;
  readonly byHorizon: readonly HorizonScore[];
  readonly all: Omit<HorizonScore, 'horizon'>;
}

/** The history up to day index `end` (exclusive). */
export const daysBefore = (p: DailyPeaks, end: number): DailyPeaks => ({ start: p.start, values: p.values.slice(0, end) });

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Hit {
  readonly h: number;
  readonly in80: boolean;
  readonly in95: boolean;
  readonly above80: boolean;
  readonly absError: number;
}

const score = (hits: readonly Hit[]) => ({
  count: hits.length,
  in80: hits.filter((x) => x.in80).length / hits.length,
  in95: hits.filter((x) => x.in95).length / hits.length,
  above80: hits.filter((x) => x.above80).length / hits.length,
  medianAbsError: median(hits.map((x) => x.absError)),
});

/**
 * Rolling origins every `stepDays` from `firstOrigin` (epoch ms) while `months` months of actuals follow; every
 * horizon whose month has data is scored. `originOk` can skip origins (say, whose horizon straddles a change in
 * what the series counts).
 */
export function scoreProjections(
  p: DailyPeaks,
  o: { readonly months: number; readonly firstOrigin: number; readonly stepDays?: number; readonly originOk?: (t: number) => boolean },
): ProjectionScore {
  const hits: Hit[] = [];
  let origins = 0;
  const step = (o.stepDays ?? 30) * DAY_MS;
  const last = p.start + p.values.length * DAY_MS - o.months * MONTH_MS;
  for (let t = o.firstOrigin; t <= last; t += step) {
    if (o.originOk && !o.originOk(t)) continue;
    const end = Math.floor((t - p.start) / DAY_MS);
    const projection = projectMonthly(daysBefore(p, end), o.months);
    const origin = p.start + end * DAY_MS;
    let any = false;
    for (const b of projection.bands) {
      const actual = Math.exp(monthPeakAt(p, origin, b.horizon));
      if (!Number.isFinite(actual)) continue;
      any = true;
      hits.push({
        h: b.horizon,
        in80: actual >= b.lo80 && actual <= b.hi80,
        in95: actual >= b.lo95 && actual <= b.hi95,
        above80: actual > b.hi80,
        absError: Math.abs(actual / b.median - 1),
      });
    }
    if (any) origins++;
  }
  const byHorizon = Array.from({ length: o.months }, (_, i) => ({ horizon: i + 1, ...score(hits.filter((x) => x.h === i + 1)) }));
  return { origins, byHorizon, all: score(hits) };
}

/**
 * Daily peaks of a history: for daily (or coarser) data the day's rate, else the highest 15-minute mean rate of each
 * UTC day, NaN for days with under 80% of their steps.
 */
export function dailyPeaks(h: History): DailyPeaks {
  const start = Math.floor(h.start / DAY_MS) * DAY_MS;
  const days = Math.ceil((h.start + h.perMinute.length * h.stepMs - start) / DAY_MS);
  const values = new Float64Array(days).fill(NaN);
  if (h.stepMs >= DAY_MS) {
    h.perMinute.forEach((v, i) => {
      values[Math.floor((h.start + i * h.stepMs - start) / DAY_MS)] = v;
    });
    return { start, values };
  }
  const window = Math.max(1, Math.round((15 * 60_000) / h.stepMs));
  const perDay = Math.round(DAY_MS / h.stepMs);
  for (let d = 0; d < days; d++) {
    const i0 = Math.round((start + d * DAY_MS - h.start) / h.stepMs);
    let present = 0;
    let best = -Infinity;
    for (let i = Math.max(0, i0); i < Math.min(h.perMinute.length, i0 + perDay); i++) {
      if (Number.isNaN(h.perMinute[i])) continue;
      present++;
      let s = 0;
      let n = 0;
      for (let j = i; j < Math.min(h.perMinute.length, i + window, i0 + perDay); j++) {
        if (!Number.isNaN(h.perMinute[j])) {
          s += h.perMinute[j];
          n++;
        }
      }
      best = Math.max(best, s / n);
    }
    if (present >= 0.8 * perDay && best > 0) values[d] = best;
  }
  return { start, values };
}
