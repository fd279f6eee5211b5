/**
 * Outages and gaps in a request-rate history: steps the source marks as an outage (a CSV `outage` column) and runs
 * of zero or near-zero load where the same hour of day normally has plenty. Neither is demand: a model that learnt
 * them would lower its floors (or its projection) for a shutdown that will not come back on schedule. Pure.
 */
import { History, HOUR_MS } from '../shared/history';

export interface OutageOptions {
  /**
   * A step counts as near zero below this share of its hour of day's median load.
   * @default 0.05
   */
  readonly nearZero?: number;
  /**
   * Shortest run of near-zero steps taken as an outage (shorter ones are quiet minutes, kept).
   * @default 30 minutes
   */
  readonly minRunMs?: number;
}

export interface Excluded {
  readonly from: number;
  readonly to: number;
  readonly reason: 'marked outage' | 'near-zero load';
}

const median = (xs: number[]): number => {
  const s = xs.sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The history with outages and near-zero runs turned into gaps (NaN), and the intervals that were excluded. */
export function excludeOutages(h: History, options: OutageOptions = {}): { history: History; excluded: Excluded[] } {
  const share = options.nearZero ?? 0.05;
  const minRun = Math.max(1, Math.round((options.minRunMs ?? 30 * 60_000) / h.stepMs));
  const n = h.perMinute.length;
  const bridge = Math.max(1, Math.round((5 * 60_000) / h.stepMs));
  const hourOf = (i: number) => Math.floor(((h.start + i * h.stepMs) % (24 * HOUR_MS)) / HOUR_MS);
  const byHour: number[][] = Array.from({ length: 24 }, () => []);
  for (let i = 0; i < n; i++) if (!Number.isNaN(h.perMinute[i]) && !h.outage?.[i]) byHour[hourOf(i)].push(h.perMinute[i]);
  // Daily (or coarser) data has one hour of day: its median is the whole series'.
  const typical = byHour.map((xs) => median(xs));
  const near = (i: number) => {
    const t = typical[hourOf(i)];
    return !Number.isNaN(h.perMinute[i]) && t > 0 && h.perMinute[i] <= share * t;
  };
  const perMinute = Float64Array.from(h.perMinute);
  const excluded: Excluded[] = [];
  const add = (i0: number, i1: number, reason: Excluded['reason']) => {
    for (let i = i0; i < i1; i++) perMinute[i] = NaN;
    excluded.push({ from: h.start + i0 * h.stepMs, to: h.start + i1 * h.stepMs, reason });
  };
  for (let i = 0; i < n;) {
    if (h.outage?.[i]) {
      let j = i;
      while (j < n && h.outage[j]) j++;
      add(i, j, 'marked outage');
      i = j;
    } else if (near(i)) {
      // The run goes on through a few stray requests (a health check, a crawler) between near-zero steps.
      let end = i + 1;
      for (let j = i + 1; j < n && j - end <= bridge && !h.outage?.[j]; j++) if (near(j)) end = j + 1;
      if (end - i >= minRun) add(i, end, 'near-zero load');
      i = end;
    } else i++;
  }
  return { history: { start: h.start, stepMs: h.stepMs, perMinute }, excluded };
}
