/**
 * Floors that do no harm: before floors are published, the same forecaster is replayed on the last weeks of the
 * history itself (learnt from what came before each, through the HPA simulator, against the reactive HPA alone),
 * and a floor is kept only where it paid there. Per margin (the quantile of past errors added on peaks) and per day
 * of the week, floors that cost replica-hours without saving under-provisioned minutes are dropped, and a margin
 * is chosen that keeps the whole week within a replica-hour budget. Outages are excluded from learning, and a level
 * shift in the last days (the model far above or below what happened) falls back to the reactive HPA alone,
 * because a weekly model has not seen the new level yet. Pure.
 */
import { DAY_MS, HOUR_MS, History, WEEK_MS, sliceHistory } from '../shared/history';
import { SimOptions, SimResult, simulateHpa } from './hpa-sim';
import { FloorModel, Forecast, ForecastOptions, fitFloorModel, floorsOf, slotsOf } from './forecast';
import { Excluded, excludeOutages } from './outages';

export interface SafeFloorOptions extends ForecastOptions {
  /** Simulator settings besides the service's (lag, readiness, behaviour). @default - the simulator's defaults */
  readonly sim?: Omit<SimOptions, 'perReplica' | 'target' | 'min' | 'max' | 'floors'>;
  /**
   * Replica-hours the floors may add over the reactive HPA on the validation weeks, as a factor. Below the 1.10
   * target: the week ahead is not the weeks behind.
   * @default 1.05
   */
  readonly budget?: number;
  /**
   * Weeks before `until` the floors are replayed on (each learnt from the history before it).
   * @default 2
   */
  readonly validationWeeks?: number;
  /**
   * The last days' load against the model, as a factor either way, past which the level is taken to have shifted.
   * @default 1.6
   */
  readonly shiftFactor?: number;
  /**
   * Margins tried, as quantiles of the past errors.
   * @default [0.9, 0.75, 0.5]
   */
  readonly marginQuantiles?: readonly number[];
  /**
   * What floors are kept or dropped by: each hour of the day (over every day of the validation weeks), or each day
   * of the week.
   * @default 'hour-of-day'
   */
  readonly parts?: keyof typeof PARTS;
}

/** What the backtest on the history said, printed with the floors. */
export interface Verdict {
  /** `floors`: kept (maybe on some days only); `reactive`: every floor dropped, the HPA alone. */
  readonly decision: 'floors' | 'reactive';
  /** One line: why. */
  readonly reason: string;
  /** Parts of the week that keep their floors: hours of the day (0 = the hour `until` starts) or days (0 = its day). */
  readonly kept: readonly number[];
  /** What `kept` counts. */
  readonly parts: 'hour-of-day' | 'day';
  /** The replay on the validation weeks with the chosen floors (absent when no week could be replayed). */
  readonly replay?: { readonly weeks: number; readonly reactive: Totals; readonly floors: Totals };
  /** Intervals excluded from learning as outages. */
  readonly excluded: readonly Excluded[];
  /** The last days' mean load over the model's, when there were enough days to check. */
  readonly recentVsModel?: number;
}

export interface Totals {
  readonly underProvisionedMinutes: number;
  readonly replicaHours: number;
}

export interface SafeForecast extends Forecast {
  readonly verdict: Verdict;
}

/** Parts of the week floors are kept or dropped by, from the hour of the week (0: the first after `until`). */
const PARTS = {
  day: (h: number) => Math.floor(h / 24),
  'hour-of-day': (h: number) => h % 24,
} as const;

/** Days at the end of the history the level-shift check compares with the model learnt before them. */
const RECENT_DAYS = 2;

const sum = (rs: readonly Totals[]): Totals => ({
  underProvisionedMinutes: rs.reduce((a, r) => a + r.underProvisionedMinutes, 0),
  replicaHours: rs.reduce((a, r) => a + r.replicaHours, 0),
});

/** The last days' mean load over what the model learnt before them predicted (1 when it cannot tell). */
export function recentVsModel(history: History, until: number, slotMs: number): number | undefined {
  const cut = until - RECENT_DAYS * DAY_MS;
  if (cut - history.start < 7 * DAY_MS) return undefined;
  const model = fitFloorModel(sliceHistory(history, history.start, cut), { until: cut, slotMs, trendDamping: 1 });
  const recent = slotsOf(sliceHistory(history, cut, until), until, slotMs);
  const diffs: number[] = [];
  const offset = Math.round((until - cut) / slotMs);
  for (let j = 0; j < recent.mean.length; j++) {
    if (Number.isNaN(recent.mean[j])) continue;
    diffs.push(recent.mean[j] - model.mean.predict(recent.first + j + offset));
  }
  if (diffs.length < (RECENT_DAYS * DAY_MS) / slotMs / 2) return undefined;
  diffs.sort((a, b) => a - b);
  return Math.exp(diffs[diffs.length >> 1]);
}

interface Replay {
  readonly from: number;
  readonly model: FloorModel;
  readonly reactive: readonly Totals[];
  /** Per margin: the per-day figures with floors. */
  readonly byMargin: ReadonlyMap<number, readonly Totals[]>;
}

/** Replays one validation week (from `from`) with floors at each margin, per day. */
function replayWeek(history: History, clean: History, from: number, o: SafeFloorOptions, margins: readonly number[]): Replay {
  const to = from + WEEK_MS;
  const service = { perReplica: o.perReplica, target: o.target, min: o.min, max: o.max };
  const sim = (floors?: Forecast['floors']): SimResult =>
    simulateHpa(history, from, to, { ...o.sim, ...service, floors, bucketMs: HOUR_MS });
  const model = fitFloorModel(sliceHistory(clean, clean.start, from), { ...o, until: from });
  const byMargin = new Map<number, readonly Totals[]>();
  for (const q of margins) byMargin.set(q, sim(floorsOf(model, { ...o, until: from, marginQuantile: q }).floors).buckets!);
  return { from, model, reactive: sim().buckets!, byMargin };
}

/** Time with load data before `until`. */
function usableMs(h: History, until: number): number {
  let n = 0;
  const end = Math.min(h.perMinute.length, Math.ceil((until - h.start) / h.stepMs));
  for (let i = 0; i < end; i++) if (!Number.isNaN(h.perMinute[i])) n++;
  return n * h.stepMs;
}

/**
 * Floors for the week after `options.until` that the history says will pay, with the verdict that justified them.
 */
export function safeFloors(history: History, options: SafeFloorOptions): SafeForecast {
  const slotMs = options.slotMs ?? 15 * 60_000;
  const budget = options.budget ?? 1.05;
  const shift = options.shiftFactor ?? 1.6;
  const margins = options.marginQuantiles ?? [0.9, 0.75, 0.5];
  const parts = options.parts ?? 'hour-of-day';
  const { history: clean, excluded } = excludeOutages(history);
  const model = fitFloorModel(clean, options);
  const reactiveOnly = (reason: string, extra: Partial<Verdict> = {}): SafeForecast => ({
    ...floorsOf(model, options, () => false),
    verdict: { decision: 'reactive', reason, kept: [], parts, excluded, ...extra },
  });

  const recent = recentVsModel(clean, options.until, slotMs);
  if (recent !== undefined && (recent > shift || recent < 1 / shift))
    return reactiveOnly(
      `level shift: the last ${RECENT_DAYS} days ran at x${recent.toFixed(2)} the model learnt before them; ` +
        'floors wait for a week at the new level',
      { recentVsModel: recent },
    );

  // The validation weeks: each needs a week of usable history (outages excluded) before it.
  const weeks: Replay[] = [];
  for (let w = 1; w <= (options.validationWeeks ?? 2); w++) {
    const from = options.until - w * WEEK_MS;
    if (usableMs(clean, from) < WEEK_MS) break;
    weeks.push(replayWeek(history, clean, from, options, margins));
  }
  if (weeks.length === 0)
    return reactiveOnly('under two weeks of usable history: no week to check floors on, so none are published', {
      recentVsModel: recent,
    });

  const partOf = PARTS[parts];
  const keys = [...new Set(Array.from({ length: 168 }, (_, h) => partOf(h)))];
  const byPart = (rows: (w: Replay) => readonly Totals[]) =>
    keys.map((key) => sum(weeks.flatMap((w) => rows(w).filter((_, h) => partOf(h) === key))));
  const reactiveDays = byPart((w) => w.reactive);
  const reactive = sum(reactiveDays);
  let best: { q: number; days: number[]; floors: Totals } | undefined;
  for (const q of margins) {
    const withFloors = byPart((w) => w.byMargin.get(q)!);
    // Days where floors saved minutes, best value for the replica-hours first, while the week stays in budget.
    const gain = (d: number) => reactiveDays[d].underProvisionedMinutes - withFloors[d].underProvisionedMinutes;
    const cost = (d: number) => withFloors[d].replicaHours - reactiveDays[d].replicaHours;
    const order = keys
      .map((_, i) => i)
      .filter((d) => gain(d) > 0)
      .sort((a, b) => gain(b) / Math.max(1e-9, cost(b)) - gain(a) / Math.max(1e-9, cost(a)));
    const days: number[] = [];
    let hours = reactive.replicaHours;
    let under = reactive.underProvisionedMinutes;
    for (const d of order) {
      if (hours + Math.max(0, cost(d)) > budget * reactive.replicaHours) continue;
      days.push(keys[d]);
      hours += cost(d);
      under -= gain(d);
    }
    if (days.length === 0) continue;
    if (
      !best ||
      under < best.floors.underProvisionedMinutes - 1e-9 ||
      (Math.abs(under - best.floors.underProvisionedMinutes) <= 1e-9 && hours < best.floors.replicaHours)
    )
      best = { q, days: days.sort((a, b) => a - b), floors: { underProvisionedMinutes: under, replicaHours: hours } };
  }
  const replay = (floors: Totals) => ({ weeks: weeks.length, reactive, floors });
  if (!best)
    return reactiveOnly(
      `on the ${weeks.length} week(s) before, no floor saved under-provisioned minutes within ${budget.toFixed(2)}x the reactive replica-hours`,
      { replay: replay(reactive), recentVsModel: recent },
    );
  const keep = new Set(best.days);
  const kept = (k: number) => keep.has(partOf(Math.floor((k * slotMs) / HOUR_MS) % 168));
  const chosen = { ...options, marginQuantile: best.q };
  const forecast = floorsOf(model, chosen, kept);
  // The figures printed are a replay of exactly these floors (days dropped included), not the per-day estimate.
  const service = { perReplica: options.perReplica, target: options.target, min: options.min, max: options.max };
  const replayed = sum(
    weeks.map((w) =>
      simulateHpa(history, w.from, w.from + WEEK_MS, {
        ...options.sim,
        ...service,
        floors: floorsOf(w.model, { ...chosen, until: w.from }, kept).floors,
      }),
    ),
  );
  best = { ...best, floors: replayed };
  const ratio = replayed.replicaHours / reactive.replicaHours;
  const left = reactive.underProvisionedMinutes > 0 ? replayed.underProvisionedMinutes / reactive.underProvisionedMinutes : 0;
  return {
    ...forecast,
    verdict: {
      decision: 'floors',
      reason:
        `on the ${weeks.length} week(s) before, these floors left ${(left * 100).toFixed(0)}% of the reactive HPA's ` +
        `under-provisioned minutes for ${ratio.toFixed(3)}x its replica-hours (budget ${budget.toFixed(2)}x); ` +
        `kept for ${best.days.length} of ${keys.length} ${parts === 'day' ? 'days of the week' : 'hours of the day'}, margin at the ` +
        `${Math.round(best.q * 100)}th percentile of past errors`,
      kept: best.days,
      parts,
      replay: replay(best.floors),
      excluded,
      recentVsModel: recent,
    },
  };
}
