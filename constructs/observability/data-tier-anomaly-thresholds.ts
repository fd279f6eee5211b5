import { Problems } from '../core/errors';
import { strict, z } from '../core/schema';

/** Thresholds every data store's anomaly alerts share; each can be overridden per store. */
export interface BaselineThresholds {
  /** Past weeks the seasonal baseline is the median of. @default 4 */
  readonly weeks?: number;
  /** Fewest past weeks with data before any anomaly alert may fire (a new cluster has no baseline). @default 2 */
  readonly minWeeks?: number;
  /**
   * Score an alert needs, up or down: for a ratio or a level, spreads of the past weeks from the baseline; for a
   * rate's spike, standard deviations of the store's own noise from the expected rate. @default 3
   */
  readonly score?: number;
  /** Rate-drop alerts: score at or below minus this (in the store's own noise). @default 2.5 */
  readonly dropScore?: number;
  /** Rate-drop alerts: the rate also at least this share below the expected rate. @default 0.25 */
  readonly minDropShare?: number;
  /** Rate-spike alerts: the rate also at least this share above the expected rate (1 is double). @default 0.5 */
  readonly minSpikeShare?: number;
  /**
   * Rates: window of the level (median of current / baseline) that follows drift from week to week, so that
   * expected = baseline x level. Prometheus duration. @default '3h'
   */
  readonly levelWindow?: string;
  /** How long a deviation must last. Prometheus duration. @default '15m' */
  readonly sustained?: string;
  /** How long a rate spike must last: a stampede or a retry storm hurts fast. Prometheus duration. @default '10m' */
  readonly spikeSustained?: string;
}

/** Thresholds of a Valkey/Redis Cluster's anomaly alerts. */
export interface CacheAnomalyThresholds extends BaselineThresholds {
  /** Hit-ratio alert: the ratio also at least this far below its baseline (0.1 is 10 points). @default 0.1 */
  readonly minHitRatioFall?: number;
  /** Hit-ratio alert: only while the cache serves at least this many lookups (hits + misses) a second. @default 1 */
  readonly minLookupsPerSecond?: number;
  /** Evictions alert: at least this many evictions a second (and the spike share above the baseline). @default 1 */
  readonly minEvictionsPerSecond?: number;
}

/** Thresholds of a PostgreSQL cluster's (and its PgBouncer poolers') anomaly alerts. */
export interface DatabaseAnomalyThresholds extends BaselineThresholds {
  /** Rollback-ratio alert: the ratio also at least this far above its baseline (0.03 is 3 points). @default 0.03 */
  readonly minRollbackRise?: number;
  /** Rollback-ratio alert: only while the database commits or rolls back this many transactions a second. @default 1 */
  readonly minTransactionsPerSecond?: number;
  /** Deadlocks alert: at least this many deadlocks an hour. @default 6 */
  readonly minDeadlocksPerHour?: number;
  /** Replication-lag alert: the worst replica at least this many seconds behind. @default 5 */
  readonly minLagSeconds?: number;
  /** Pool-wait alert: clients wait at least this long for a server connection, per transaction. @default 0.005 */
  readonly minPoolWaitSeconds?: number;
}

const BASELINE_DEFAULTS: Required<BaselineThresholds> = {
  weeks: 4,
  minWeeks: 2,
  score: 3,
  dropScore: 2.5,
  minDropShare: 0.25,
  minSpikeShare: 0.5,
  levelWindow: '3h',
  sustained: '15m',
  spikeSustained: '10m',
};

export const CACHE_ANOMALY_DEFAULTS: Required<CacheAnomalyThresholds> = {
  ...BASELINE_DEFAULTS,
  minHitRatioFall: 0.1,
  minLookupsPerSecond: 1,
  minEvictionsPerSecond: 1,
};

export const DATABASE_ANOMALY_DEFAULTS: Required<DatabaseAnomalyThresholds> = {
  ...BASELINE_DEFAULTS,
  minRollbackRise: 0.03,
  minTransactionsPerSecond: 1,
  minDeadlocksPerHour: 6,
  minLagSeconds: 5,
  minPoolWaitSeconds: 0.005,
};

/** Shares (above 0, below 1) and positive numbers; the rest are the baseline's own. */
const SHARES = ['minDropShare', 'minHitRatioFall', 'minRollbackRise'] as const;
const POSITIVE = [
  'score',
  'dropScore',
  'minSpikeShare',
  'minLookupsPerSecond',
  'minEvictionsPerSecond',
  'minTransactionsPerSecond',
  'minDeadlocksPerHour',
  'minLagSeconds',
  'minPoolWaitSeconds',
] as const;

/** The shape (types only) of thresholds with these defaults, for the Environment schema; ranges are checked below. */
function schemaOf<T extends object>(defaults: Required<T>) {
  return strict(
    Object.fromEntries(
      Object.entries(defaults).map(([k, v]) => [k, (typeof v === 'string' ? z.string() : z.number()).optional()]),
    ) as Record<keyof T, z.ZodOptional<z.ZodString> | z.ZodOptional<z.ZodNumber>>,
  );
}

export const cacheAnomalyThresholdsSchema = schemaOf<CacheAnomalyThresholds>(CACHE_ANOMALY_DEFAULTS);
export const databaseAnomalyThresholdsSchema = schemaOf<DatabaseAnomalyThresholds>(DATABASE_ANOMALY_DEFAULTS);

/** Each threshold given, else its default. */
export function resolveThresholds<T extends object>(defaults: Required<T>, t: T | undefined): Required<T> {
  return Object.fromEntries(Object.entries(defaults).map(([k, d]) => [k, t?.[k as keyof T] ?? d])) as Required<T>;
}

/** The ranges of a store's thresholds, one line per problem naming `input.<field>`. */
export function checkDataTierThresholds<T extends BaselineThresholds>(
  problems: Problems,
  input: string,
  defaults: Required<T>,
  t: T | undefined,
): void {
  const r = resolveThresholds(defaults, t) as unknown as Required<BaselineThresholds> & Record<string, number | string>;
  const whole = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  problems.check(whole(r.weeks, 1, 8), `${input}.weeks`, r.weeks, 'must be a whole number of weeks from 1 to 8');
  problems.check(whole(r.minWeeks, 1, r.weeks), `${input}.minWeeks`, r.minWeeks, `must be from 1 to 'weeks' (${r.weeks})`);
  for (const k of SHARES.filter((s) => s in defaults))
    problems.check((r[k] as number) > 0 && (r[k] as number) < 1, `${input}.${k}`, r[k], 'must be a share above 0 and below 1');
  for (const k of POSITIVE.filter((s) => s in defaults))
    problems.check(Number.isFinite(r[k]) && (r[k] as number) > 0, `${input}.${k}`, r[k], 'must be a positive number');
  for (const k of ['levelWindow', 'sustained', 'spikeSustained'] as const)
    problems.check(/^([0-9]+[smh])+$/.test(r[k]), `${input}.${k}`, r[k], "must be a Prometheus duration such as '15m'");
}
