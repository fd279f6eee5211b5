/**
 * Backtest of forecast floors: for each test week, learn floors from the history before it only, then replay the
 * week through the HPA simulator with and without them. Pure; `planning/backtest-cli.ts` is the CLI.
 */
import { DEFAULT_MAX_TRIGGERS, cronTriggers } from '../../constructs/workload/forecast-floors';
import { DEFAULT_MIN_TRAIN_DAYS, Floor } from './forecast';
import { SafeFloorOptions, Verdict, safeFloors } from './do-no-harm';
import { DAY_MS, History, WEEK_MS, historyEnd, sliceHistory } from '../shared/history';
import { SimResult, simulateHpa } from './hpa-sim';

export interface BacktestOptions extends Omit<SafeFloorOptions, 'until'> {
  /** Cron triggers the deployed floors may take (ForecastFloors.maxTriggers). @default DEFAULT_MAX_TRIGGERS (40) */
  readonly maxTriggers?: number;
}

export interface WeekResult {
  /** Start and end (exclusive) of the test week, epoch ms. */
  readonly from: number;
  readonly to: number;
  /** Days of history the floors were learnt from. */
  readonly trainDays: number;
  readonly reactive: SimResult;
  readonly withFloors: SimResult;
  /** Under-provisioned minutes with floors / reactive (0 when reactive had none and floors none either). */
  readonly underRatio: number;
  /** Replica-hours with floors / reactive. */
  readonly replicaHoursRatio: number;
  /** Floors (intervals) the forecast produced for the week. */
  readonly floorCount: number;
  /** What the backtest on the history before the week decided, as `npm run forecast` prints it. */
  readonly verdict: Verdict;
  /** With the floors as deployed: at most `maxTriggers` KEDA cron triggers (merged, coarsened). */
  readonly deployed: {
    readonly triggers: number;
    readonly result: SimResult;
    readonly underRatio: number;
    readonly replicaHoursRatio: number;
  };
}

export function backtestWeek(history: History, from: number, options: BacktestOptions): WeekResult {
  const to = Math.min(from + WEEK_MS, historyEnd(history));
  const past = sliceHistory(history, history.start, from);
  const forecast = safeFloors(past, { ...options, until: from });
  const service = { perReplica: options.perReplica, target: options.target, min: options.min, max: options.max };
  const reactive = simulateHpa(history, from, to, { ...options.sim, ...service });
  const withFloors = simulateHpa(history, from, to, { ...options.sim, ...service, floors: forecast.floors });
  const maxTriggers = options.maxTriggers ?? DEFAULT_MAX_TRIGGERS;
  const asDeployed = deployedFloors(forecast.floors, options.min, maxTriggers, from, to);
  const deployed = simulateHpa(history, from, to, { ...options.sim, ...service, floors: asDeployed });
  const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? 0 : Infinity) : a / b);
  return {
    from,
    to,
    trainDays: (from - history.start) / DAY_MS,
    reactive,
    withFloors,
    underRatio:
      reactive.underProvisionedMinutes === 0
        ? withFloors.underProvisionedMinutes === 0
          ? 0
          : Infinity
        : withFloors.underProvisionedMinutes / reactive.underProvisionedMinutes,
    replicaHoursRatio: withFloors.replicaHours / reactive.replicaHours,
    floorCount: forecast.floors.length,
    verdict: forecast.verdict,
    deployed: {
      triggers: cronTriggers({
        forecast: {
          timeZone: 'UTC',
          maxTriggers,
          floors: forecast.floors.map((f) => ({
            from: new Date(f.from).toISOString(),
            to: new Date(f.to).toISOString(),
            minReplicas: f.minReplicas,
          })),
        },
        min: options.min,
      }).length,
      result: deployed,
      underRatio: ratio(deployed.underProvisionedMinutes, reactive.underProvisionedMinutes),
      replicaHoursRatio: deployed.replicaHours / reactive.replicaHours,
    },
  };
}

/**
 * Every week that starts `minTrainDays` or more after the history's start, learning from all that came before.
 * The last one is the held-out week.
 */
export function backtest(history: History, options: BacktestOptions & { readonly minTrainDays?: number }): WeekResult[] {
  const minTrain = (options.minTrainDays ?? DEFAULT_MIN_TRAIN_DAYS) * DAY_MS;
  const end = historyEnd(history);
  const weeks: WeekResult[] = [];
  // Test weeks are aligned to the end of the history, so the last one is as long as the data allows.
  const lastFrom = history.start + Math.floor((end - history.start - DAY_MS) / WEEK_MS) * WEEK_MS;
  for (let from = lastFrom; from - history.start >= minTrain; from -= WEEK_MS) weeks.unshift(backtestWeek(history, from, options));
  return weeks;
}

/**
 * The floors as the platform deploys them: rendered to KEDA cron triggers (merged, at most `maxTriggers`, in UTC)
 * and read back as the intervals KEDA's cron scaler is active over `from`..`to`: from each start to the first end
 * after it.
 */
export function deployedFloors(floors: readonly Floor[], min: number, maxTriggers: number, from: number, to: number): Floor[] {
  const triggers = cronTriggers({
    forecast: {
      timeZone: 'UTC',
      maxTriggers,
      floors: floors.map((f) => ({ from: new Date(f.from).toISOString(), to: new Date(f.to).toISOString(), minReplicas: f.minReplicas })),
    },
    min,
  });
  // Sunday 00:00 UTC on or before `from`, a week earlier so windows running into the period are included.
  const sunday = Math.floor((from - 3 * DAY_MS) / WEEK_MS) * WEEK_MS + 3 * DAY_MS - WEEK_MS;
  const times = (cron: string): number[] => {
    const [m, h, , , days] = cron.split(' ');
    const ds = days.split(',').flatMap((p) => {
      const [a, b] = p.split('-').map(Number);
      return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
    });
    const out: number[] = [];
    for (let week = sunday; week < to + WEEK_MS; week += WEEK_MS)
      for (const d of ds) out.push(week + d * DAY_MS + (Number(h) * 60 + Number(m)) * 60_000);
    return out.sort((a, b) => a - b);
  };
  const out: Floor[] = [];
  for (const t of triggers) {
    const ends = times(t.metadata.end);
    for (const start of times(t.metadata.start)) {
      const end = ends.find((e) => e > start);
      if (end !== undefined && end > from && start < to)
        out.push({ from: start, to: end, minReplicas: Number(t.metadata.desiredReplicas) });
    }
  }
  // The simulator reads one floor at a time: overlapping windows become the max over each piece.
  const cuts = [...new Set(out.flatMap((f) => [f.from, f.to]))].sort((a, b) => a - b);
  const pieces: Floor[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const value = Math.max(0, ...out.filter((f) => f.from <= cuts[i] && f.to > cuts[i]).map((f) => f.minReplicas));
    if (value > 0) pieces.push({ from: cuts[i], to: cuts[i + 1], minReplicas: value });
  }
  return pieces;
}
