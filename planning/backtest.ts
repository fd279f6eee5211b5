/**
 * Backtest of forecast floors: for each test week, learn floors from the history before it only, then replay the
 * week through the HPA simulator with and without them. Pure; `planning/backtest-cli.ts` is the CLI.
 */
import { ForecastOptions, forecastFloors } from './forecast';
import { History, WEEK_MS, historyEnd, sliceHistory } from './history';
import { SimOptions, SimResult, simulateHpa } from './hpa-sim';

export interface BacktestOptions extends Omit<ForecastOptions, 'until'> {
  /** Simulator settings besides the service's (lag, readiness, behaviour). @default - the simulator's defaults */
  readonly sim?: Omit<SimOptions, 'perReplica' | 'target' | 'min' | 'max' | 'floors'>;
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
}

export function backtestWeek(history: History, from: number, options: BacktestOptions): WeekResult {
  const to = Math.min(from + WEEK_MS, historyEnd(history));
  const past = sliceHistory(history, history.start, from);
  const forecast = forecastFloors(past, { ...options, until: from });
  const service = { perReplica: options.perReplica, target: options.target, min: options.min, max: options.max };
  const reactive = simulateHpa(history, from, to, { ...options.sim, ...service });
  const withFloors = simulateHpa(history, from, to, { ...options.sim, ...service, floors: forecast.floors });
  return {
    from,
    to,
    trainDays: (from - history.start) / 86_400_000,
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
  };
}

/**
 * Every week that starts `minTrainDays` or more after the history's start, learning from all that came before.
 * The last one is the held-out week.
 */
export function backtest(history: History, options: BacktestOptions & { readonly minTrainDays?: number }): WeekResult[] {
  const minTrain = (options.minTrainDays ?? 14) * 86_400_000;
  const end = historyEnd(history);
  const weeks: WeekResult[] = [];
  // Test weeks are aligned to the end of the history, so the last one is as long as the data allows.
  const lastFrom = history.start + Math.floor((end - history.start - 86_400_000) / WEEK_MS) * WEEK_MS;
  for (let from = lastFrom; from - history.start >= minTrain; from -= WEEK_MS) weeks.unshift(backtestWeek(history, from, options));
  return weeks;
}
