import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { postgresSelectors } from '../data/postgres-rules';
import { redisExporterSelector } from '../data/redis-rules';
import { CURRENT_WINDOW, ERROR_WINDOW, deviationExpr, levelExpr, noiseExpr, seasonalRecordings, seasonalScoreExpr } from './anomaly-rules';
import {
  BaselineThresholds,
  CACHE_ANOMALY_DEFAULTS,
  CacheAnomalyThresholds,
  DATABASE_ANOMALY_DEFAULTS,
  DatabaseAnomalyThresholds,
  checkDataTierThresholds,
  resolveThresholds,
} from './data-tier-anomaly-thresholds';
import { Rule, RuleGroup, RuleGroups, runbook } from './rule-groups';
import { roundNumber as number } from './slo';

/**
 * Seasonal baselines and anomaly alerts of the data tier's own signals, with the machinery of the services' anomaly
 * rules (anomaly-rules.ts): the baseline is the median of the same hour of the week over the past weeks (one week's
 * incident does not move it). Rates (commands, transactions) are scored as the services' request rate, against an
 * expected rate and the store's own noise; ratios and levels (hit ratio, rollback ratio, deadlocks, lag, pool wait)
 * as the services' error ratio, (current - baseline) / spread, the spread being the inter-quartile range of the past
 * weeks, floored so that weeks that agree exactly do not make every wobble significant. An alert needs the score, a
 * practical bound (a share, a number of points, an absolute floor) and `sustained`, and never fires before
 * `minWeeks` past weeks have data. Every alert is a ticket: the data tier's threshold alerts page on outages.
 *
 * The series are the ones the platform's exporters expose, the same the data tier's other alerts read:
 * - redis_exporter v1.75.0 (exporter/exporter.go, INFO field -> metric): total_commands_processed ->
 *   `redis_commands_processed_total`, keyspace_hits / keyspace_misses -> `redis_keyspace_hits_total` /
 *   `redis_keyspace_misses_total`, evicted_keys -> `redis_evicted_keys_total`;
 * - CloudNativePG's default monitoring queries (config/manager/default-monitoring.yaml, `cnpg_<query>_<column>`):
 *   pg_stat_database -> `cnpg_pg_stat_database_xact_commit`, `_xact_rollback`, `_deadlocks` (counters, label
 *   `datname`); pg_replication -> `cnpg_pg_replication_lag` (seconds);
 * - CloudNativePG's PgBouncer exporter (pkg/management/pgbouncer/metricsserver/stats.go): SHOW STATS ->
 *   `cnpg_pgbouncer_stats_total_wait_time` (microseconds clients waited for a server) and
 *   `cnpg_pgbouncer_stats_total_xact_count`.
 *
 * @see https://github.com/oliver006/redis_exporter
 * @see https://cloudnative-pg.io/documentation/current/monitoring/
 */

/** One signal of a store, one series per namespace: its value over `range`, `offset` ago (empty for now). */
interface Signal {
  /** The middle of its record names: `datatier:<name>:current`. */
  readonly name: string;
  /** Window of the current value (the baselines use a 1 h window centred on the same time). */
  readonly window: string;
  readonly value: (range: string, offset: string) => string;
  /**
   * A ratio or a level: the least spread the score divides by, from the baseline (past weeks may agree exactly).
   * A rate (events a second) has none: it is scored as the services' traffic is, against an expected rate.
   */
  readonly floor?: (baseline: string) => string;
  /** A rate: the least expected rate its deviation is counted against (a quiet hour may be empty). */
  readonly minRate?: number;
}

/** An alert on one signal: the score beyond the threshold one way, and a practical bound on current and baseline. */
interface SignalAlert {
  readonly alert: string;
  readonly signal: string;
  readonly direction: 'rise' | 'fall';
  /** `baseline` is the expected rate for a rate signal. */
  readonly bound: (current: string, baseline: string) => string;
  /** @default - the store's `score` */
  readonly score?: number;
  readonly summary: string;
  readonly description: string;
  /** @default - the store's `sustained` */
  readonly for?: string;
}

/** The recorded series of one signal; `expected`, `deviation` and `noise` only for rates. */
export function dataTierRecords(signal: string) {
  const r = (s: string) => `datatier:${signal}:${s}`;
  return {
    current: r('current'),
    baseline: r('baseline'),
    spread: r('spread'),
    weeks: r('weeks'),
    expected: r('expected'),
    deviation: r('deviation'),
    noise: r('noise'),
    score: r('score'),
  };
}

/** A store's recorded series: every record carries the namespace and the cluster. */
const storeMatcher = (namespace: string, cluster: string) => `{namespace="${namespace}",cluster="${cluster}"}`;

/** What a store's rules are built from: its signals and alerts, and where its series live. */
interface StoreRules {
  readonly cluster: string;
  readonly namespace: string;
  readonly component: 'redis' | 'postgres';
  readonly signals: readonly Signal[];
  readonly alerts: readonly SignalAlert[];
}

/**
 * Recordings, then scores (they read the recordings), then the rates' noise and scores (a day of recorded
 * deviations), then alerts: backfilled and evaluated group by group.
 *
 * Ratios and levels: score = (current - baseline) / spread. Rates as the services' request rate (anomaly-rules.ts):
 * expected = baseline x level, the level (median of current / baseline over `levelWindow`, bounded) following the
 * drift from week to week that a seasonal baseline alone reads as a drop; a Poisson deviation of the count over the
 * current window, divided by the store's own noise (robust spread of its deviations over a day, at least 1): a
 * request is many commands or transactions, so their counts vary far more than Poisson, and the noise measures by
 * how much instead of assuming it.
 */
function storeRuleGroups(s: StoreRules, t: Required<BaselineThresholds>): RuleGroup[] {
  const labels = { cluster: s.cluster, component: s.component };
  const m = storeMatcher(s.namespace, s.cluster);
  const isRate = (sig: Signal) => sig.floor === undefined;
  const recordings: Rule[] = s.signals.flatMap((sig) => {
    const r = dataTierRecords(sig.name);
    return seasonalRecordings({ ...r, spread: isRate(sig) ? undefined : r.spread }, sig.value, sig.window, t.weeks, labels);
  });
  const enough = (sig: Signal) => `${dataTierRecords(sig.name).weeks}${m} >= ${t.minWeeks}`;
  const scores: Rule[] = s.signals.flatMap((sig) => {
    const r = dataTierRecords(sig.name);
    const [cur, base] = [`${r.current}${m}`, `${r.baseline}${m}`];
    if (isRate(sig)) {
      const expected = `${base} * ${levelExpr(cur, base, t.levelWindow)}`;
      return [
        { record: r.expected, expr: expected, labels },
        { record: r.deviation, expr: deviationExpr(cur, expected, sig.minRate!), labels },
      ];
    }
    return [{ record: r.score, expr: `${seasonalScoreExpr(cur, base, `${r.spread}${m}`, sig.floor!(base))} and ${enough(sig)}`, labels }];
  });
  const rateScores: Rule[] = s.signals.filter(isRate).flatMap((sig) => {
    const r = dataTierRecords(sig.name);
    const noise = noiseExpr(`${r.deviation}${m}`);
    return [
      { record: r.noise, expr: noise, labels },
      { record: r.score, expr: `${r.deviation}${m} / ${noise} and ${enough(sig)}`, labels },
    ];
  });
  const median = `the median of the same hour over the past ${t.weeks} weeks`;
  const alerts: Rule[] = s.alerts.map((a) => {
    const r = dataTierRecords(a.signal);
    const rate = isRate(s.signals.find((sig) => sig.name === a.signal)!);
    const beyond = a.direction === 'rise' ? `>= ${a.score ?? t.score}` : `<= -${a.score ?? t.score}`;
    const against = rate
      ? `standard deviations of the store's own noise from the expected rate (${median}, times the level of the last ${t.levelWindow})`
      : `spreads from ${median}`;
    return {
      alert: a.alert,
      expr: `${r.score}${m} ${beyond} and ${a.bound(`${r.current}${m}`, `${rate ? r.expected : r.baseline}${m}`)}`,
      for: a.for ?? t.sustained,
      labels: { severity: 'ticket', ...labels, anomaly: 'true' },
      annotations: {
        summary: `${s.component === 'redis' ? 'Redis Cluster' : 'PostgreSQL'} ${s.cluster}: ${a.summary}`,
        description: `${a.description} The score is {{ $value | humanize }} ${against}, for ${a.for ?? t.sustained}.`,
        runbook_url: runbook(`anomaly-${a.signal.replace(/_/g, '-')}`),
      },
    };
  });
  const group = (g: string) => `${s.cluster}-anomaly-${g}`;
  return [
    { name: group('recordings'), interval: '1m', rules: recordings },
    { name: group('scores'), interval: '1m', rules: scores },
    ...(rateScores.length > 0 ? [{ name: group('rate-scores'), interval: '1m', rules: rateScores }] : []),
    { name: group('alerts'), rules: alerts },
  ];
}

const share = (x: number) => `${number(x * 100)}%`;

/** A floor of `relative` x baseline, and at least `absolute`. */
const floorOf = (relative: number, absolute: number) => (baseline: string) => `clamp_min(${baseline} * ${relative}, ${absolute})`;

/** Drop and spike alerts of a rate signal. */
function rateAlerts(signal: string, alert: string, what: string, t: Required<BaselineThresholds>): SignalAlert[] {
  return [
    {
      alert: `${alert}Drop`,
      signal,
      direction: 'fall',
      score: t.dropScore,
      bound: (current, expected) => `${current} < ${number(1 - t.minDropShare)} * ${expected}`,
      summary: `${what} well below the expected rate`,
      description: `${what} is at least ${share(t.minDropShare)} below the expected rate: clients stopped reaching the store, or their work moved elsewhere.`,
    },
    {
      alert: `${alert}Spike`,
      signal,
      direction: 'rise',
      for: t.spikeSustained,
      bound: (current, expected) => `${current} > ${number(1 + t.minSpikeShare)} * ${expected}`,
      summary: `${what} well above the expected rate`,
      description: `${what} is at least ${share(t.minSpikeShare)} above the expected rate: a retry storm, a cache stampede or a new caller.`,
    },
  ];
}

/**
 * A Valkey/Redis Cluster's anomaly rules. Its traffic (commands a second, over every node: replicas replay their
 * master's writes, so the sum moves with the clients), its keyspace hit ratio (a fall is a cold or thrashing cache,
 * whose misses land on the database) and its evictions (the memory pressure that moves; used / maxmemory sits at
 * the ceiling in an allkeys-lru cache, and RedisMemoryNearMaxmemory already watches it).
 */
export function cacheAnomalyRuleGroups(cluster: string, namespace: string, thresholds?: CacheAnomalyThresholds): RuleGroup[] {
  const t = resolveThresholds(CACHE_ANOMALY_DEFAULTS, thresholds);
  const sel = redisExporterSelector(cluster, namespace);
  const rate = (metric: string, w: string, o: string) => `sum by (namespace) (rate(${metric}{${sel}}[${w}]${o}))`;
  const hits = (w: string, o: string) => rate('redis_keyspace_hits_total', w, o);
  const lookups = (w: string, o: string) => `(${hits(w, o)} + ${rate('redis_keyspace_misses_total', w, o)})`;
  return storeRuleGroups(
    {
      cluster,
      namespace,
      component: 'redis',
      signals: [
        {
          name: 'redis_commands',
          window: CURRENT_WINDOW,
          value: (w, o) => rate('redis_commands_processed_total', w, o),
          minRate: 1,
        },
        // A ratio's spread floor is absolute: one point.
        {
          name: 'redis_hit_ratio',
          window: CURRENT_WINDOW,
          value: (w, o) => `${hits(w, o)} / (${lookups(w, o)} > 0)`,
          floor: floorOf(0, 0.01),
        },
        {
          name: 'redis_evictions',
          window: CURRENT_WINDOW,
          value: (w, o) => rate('redis_evicted_keys_total', w, o),
          floor: floorOf(0.3, 0.1),
        },
      ],
      alerts: [
        ...rateAlerts('redis_commands', 'AnomalyRedisCommands', 'the commands rate', t),
        {
          alert: 'AnomalyRedisHitRatioFall',
          signal: 'redis_hit_ratio',
          direction: 'fall',
          // The lookups are the exporter's own series, one per namespace: matched on it alone.
          bound: (current, baseline) =>
            `${current} <= ${baseline} - ${t.minHitRatioFall} and on (namespace) ${lookups(CURRENT_WINDOW, '')} >= ${t.minLookupsPerSecond}`,
          summary: 'keyspace hit ratio well below the seasonal baseline',
          description: `The hit ratio is at least ${number(t.minHitRatioFall * 100)} points below its baseline: the cache is cold (a restart, a flush, a failover without its data) or thrashing, and its misses go to the database.`,
        },
        {
          alert: 'AnomalyRedisEvictionsRise',
          signal: 'redis_evictions',
          direction: 'rise',
          bound: (current, baseline) =>
            `${current} >= ${t.minEvictionsPerSecond} and ${current} > ${number(1 + t.minSpikeShare)} * ${baseline}`,
          summary: 'evictions well above the seasonal baseline',
          description: `Keys are evicted at least ${t.minEvictionsPerSecond} a second and ${share(t.minSpikeShare)} above the baseline: the working set outgrew maxmemory (new keys, longer TTLs, larger values).`,
        },
      ],
    },
    t,
  );
}

/**
 * A PostgreSQL cluster's and its poolers' anomaly rules, on the application's database: its transactions a second
 * (commits and rollbacks on every instance: replicas count the read-only ones), the share rolled back and the
 * deadlocks (a rise is a failing release or lock contention), the worst replica's lag against its own baseline (far
 * under the 30 s page, a replica falling behind its usual pace), and the time clients wait for a server connection
 * in PgBouncer per transaction (the pool too small for the load, or transactions holding connections longer). Waiting
 * clients themselves are PgBouncerClientsWaiting's: any wait is already a ticket there.
 */
export function databaseAnomalyRuleGroups(
  cluster: string,
  namespace: string,
  database: string,
  thresholds?: DatabaseAnomalyThresholds,
): RuleGroup[] {
  const t = resolveThresholds(DATABASE_ANOMALY_DEFAULTS, thresholds);
  const { pods, poolers } = postgresSelectors(cluster, namespace);
  const db = `${pods},datname="${database}"`;
  const rate = (metric: string, sel: string, w: string, o: string) => `sum by (namespace) (rate(${metric}{${sel}}[${w}]${o}))`;
  const transactions = (w: string, o: string) =>
    `(${rate('cnpg_pg_stat_database_xact_commit', db, w, o)} + ${rate('cnpg_pg_stat_database_xact_rollback', db, w, o)})`;
  const records = dataTierRecords('pg_transactions');
  const m = storeMatcher(namespace, cluster);
  return storeRuleGroups(
    {
      cluster,
      namespace,
      component: 'postgres',
      signals: [
        { name: 'pg_transactions', window: CURRENT_WINDOW, value: transactions, minRate: 0.1 },
        {
          name: 'pg_rollback_ratio',
          window: CURRENT_WINDOW,
          value: (w, o) => `${rate('cnpg_pg_stat_database_xact_rollback', db, w, o)} / (${transactions(w, o)} > 0)`,
          floor: floorOf(0.3, 0.005),
        },
        {
          name: 'pg_deadlocks',
          window: ERROR_WINDOW,
          value: (w, o) => `${rate('cnpg_pg_stat_database_deadlocks', db, w, o)} * 3600`,
          floor: floorOf(0.3, 1),
        },
        {
          name: 'pg_replication_lag',
          window: CURRENT_WINDOW,
          value: (w, o) => `max by (namespace) (avg_over_time(cnpg_pg_replication_lag{${pods}}[${w}]${o}))`,
          floor: floorOf(0.3, 1),
        },
        {
          name: 'pgbouncer_wait',
          window: CURRENT_WINDOW,
          value: (w, o) =>
            `${rate('cnpg_pgbouncer_stats_total_wait_time', poolers, w, o)} / 1e6 / (${rate('cnpg_pgbouncer_stats_total_xact_count', poolers, w, o)} > 0)`,
          floor: floorOf(0.3, 0.001),
        },
      ],
      alerts: [
        ...rateAlerts('pg_transactions', 'AnomalyPostgresTransactions', `the transactions rate of database ${database}`, t),
        {
          alert: 'AnomalyPostgresRollbackRatioRise',
          signal: 'pg_rollback_ratio',
          direction: 'rise',
          bound: (current, baseline) =>
            `${current} >= ${baseline} + ${t.minRollbackRise} and ${records.current}${m} >= ${t.minTransactionsPerSecond}`,
          summary: 'rollback ratio well above the seasonal baseline',
          description: `At least ${number(t.minRollbackRise * 100)} points more of the transactions on ${database} roll back than usual over ${CURRENT_WINDOW}: a failing release, constraint violations, serialization failures or timeouts.`,
        },
        {
          alert: 'AnomalyPostgresDeadlocksRise',
          signal: 'pg_deadlocks',
          direction: 'rise',
          bound: (current) => `${current} >= ${t.minDeadlocksPerHour}`,
          summary: 'deadlocks well above the seasonal baseline',
          description: `Database ${database} detects at least ${t.minDeadlocksPerHour} deadlocks an hour over ${ERROR_WINDOW}: transactions take locks in conflicting orders (a new code path or a migration).`,
        },
        {
          alert: 'AnomalyPostgresReplicationLagRise',
          signal: 'pg_replication_lag',
          direction: 'rise',
          bound: (current) => `${current} >= ${t.minLagSeconds}`,
          summary: 'replication lag well above the seasonal baseline',
          description: `The worst replica is at least ${t.minLagSeconds} s behind on average over ${CURRENT_WINDOW}: a write burst, a slow disk or network, or a long query holding replay. Reads from the ro pooler are stale, and a failover would wait or lose that much.`,
        },
        {
          alert: 'AnomalyPgBouncerWaitRise',
          signal: 'pgbouncer_wait',
          direction: 'rise',
          bound: (current) => `${current} >= ${t.minPoolWaitSeconds}`,
          summary: 'PgBouncer client wait well above the seasonal baseline',
          description: `Clients wait at least ${number(t.minPoolWaitSeconds * 1000)} ms for a server connection per transaction: the pool is too small for the load, or transactions hold connections longer (slow queries, idle in transaction).`,
        },
      ],
    },
    t,
  );
}

export interface DataTierAnomalyRulesProps {
  /** Namespace of the data tier and of its rules. */
  readonly namespace: string;
  /** The Valkey/Redis Cluster (its exporter's Service is `<cluster>-metrics`). */
  readonly redis: { readonly cluster: string; /** @default - CACHE_ANOMALY_DEFAULTS */ readonly thresholds?: CacheAnomalyThresholds };
  /** The CloudNativePG cluster and the application's database. */
  readonly postgres: {
    readonly cluster: string;
    readonly database: string;
    /** @default - DATABASE_ANOMALY_DEFAULTS */
    readonly thresholds?: DatabaseAnomalyThresholds;
  };
  /** Labels on the PrometheusRules. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The data tier's seasonal baselines and anomaly alerts: one PrometheusRule per store, `<cluster>-anomalies`. */
export class DataTierAnomalyRules extends Construct {
  public readonly cacheThresholds: Required<CacheAnomalyThresholds>;
  public readonly databaseThresholds: Required<DatabaseAnomalyThresholds>;
  public readonly redis: RuleGroups;
  public readonly postgres: RuleGroups;

  constructor(scope: Construct, id: string, props: DataTierAnomalyRulesProps) {
    super(scope, id);
    const problems = Problems.of(this);
    checkDataTierThresholds(problems, 'redis.thresholds', CACHE_ANOMALY_DEFAULTS, props.redis.thresholds);
    checkDataTierThresholds(problems, 'postgres.thresholds', DATABASE_ANOMALY_DEFAULTS, props.postgres.thresholds);
    problems.throwIfAny();
    this.cacheThresholds = resolveThresholds(CACHE_ANOMALY_DEFAULTS, props.redis.thresholds);
    this.databaseThresholds = resolveThresholds(DATABASE_ANOMALY_DEFAULTS, props.postgres.thresholds);
    const rules = (id: string, cluster: string, groups: RuleGroup[]) =>
      new RuleGroups(this, id, { name: `${cluster}-anomalies`, namespace: props.namespace, groups, labels: props.labels });
    this.redis = rules('Redis', props.redis.cluster, cacheAnomalyRuleGroups(props.redis.cluster, props.namespace, this.cacheThresholds));
    const pg = props.postgres;
    this.postgres = rules(
      'Postgres',
      pg.cluster,
      databaseAnomalyRuleGroups(pg.cluster, props.namespace, pg.database, this.databaseThresholds),
    );
  }
}
