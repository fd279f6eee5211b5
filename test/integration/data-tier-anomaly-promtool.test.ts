import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { cacheAnomalyRuleGroups, databaseAnomalyRuleGroups, dataTierRecords } from '../../constructs/observability/data-tier-anomaly-rules';
import { RuleGroup } from '../../constructs/observability/rule-groups';
import { describeWithPrograms } from './support/programs';
import { durationSeconds } from './support/prometheus-harness';

/** One week of baseline is enough to test every rule (the median over more weeks is the same code) and keeps promtool fast. */
const ONE_WEEK = { weeks: 1, minWeeks: 1 };
const STEP = 5; // minutes between samples
const WEEK = 7 * 24 * 60;
const SCENARIO_DAY = WEEK + 1440;
const DAYS = 9;
/** Minutes into day 9 (the second day after the baseline week) of each one-hour scenario, 3 hours apart. */
const SLOTS = [60, 240, 420, 600, 780, 960, 1140] as const;
const QUIET = 1320;
const at = (start: number, plus: number) => `${SCENARIO_DAY + start + plus}m`;

type Rates = Record<string, number>;

/**
 * Counters and gauges sampled every 5 minutes: `normal` (per second for counters, the value for gauges) except in
 * the hour of a scenario, where its own values replace them.
 */
function inputSeries(normal: Rates, scenarios: Record<number, Rates>, gauges: readonly string[]): { series: string; values: string }[] {
  const values: Record<string, number[]> = {};
  const totals: Record<string, number> = {};
  for (let m = 0; m <= DAYS * 1440; m += STEP) {
    const slot = SLOTS.find((s) => m >= SCENARIO_DAY + s && m < SCENARIO_DAY + s + 60);
    const now = { ...normal, ...(slot === undefined ? {} : scenarios[slot]) };
    for (const [series, v] of Object.entries(now)) {
      totals[series] = gauges.includes(series) ? v : (totals[series] ?? 0) + v * STEP * 60;
      (values[series] ??= []).push(totals[series]);
    }
  }
  return Object.entries(values).map(([series, v]) => ({ series, values: v.join(' ') }));
}

function promtoolTest(bin: string, dir: string, name: string, groups: RuleGroup[], test: object): string {
  const rules = path.join(dir, `${name}.rules.yaml`);
  // promtool evaluates every group at the test's evaluation_interval when the group sets none: 10 minutes keeps
  // 9 days quick; `sustained` (15m) is held at the second evaluation.
  fs.writeFileSync(rules, stringify({ groups: groups.map((g) => ({ name: g.name, rules: g.rules })) }, { lineWidth: 0 }));
  const file = path.join(dir, `${name}.test.yaml`);
  // Each group reads the one before it: promtool evaluates them in no set order unless told.
  const order = groups.map((g) => g.name);
  fs.writeFileSync(
    file,
    stringify({ rule_files: [rules], evaluation_interval: '10m', group_eval_order: order, tests: [test] }, { lineWidth: 0 }),
  );
  const r = spawnSync(bin, ['test', 'rules', file], { encoding: 'utf8' });
  return r.status === 0 ? 'SUCCESS' : `${r.stdout}${r.stderr}`;
}

/**
 * The test: recorded values on a quiet hour; each alert firing (read from ALERTS: labels only) `firesAt` minutes
 * into its own scenario; and every alert silent on every other scenario, on the quiet hour and in the baseline week.
 */
function scenarioTest(
  input: { series: string; values: string }[],
  groups: RuleGroup[],
  labels: string,
  quietValues: [string, number][],
  own: Record<string, number>,
  firesAt: Record<string, number>,
) {
  const alerts = groups[groups.length - 1].rules.map((r) => r.alert!);
  const forMinutes = Object.fromEntries(groups[groups.length - 1].rules.map((r) => [r.alert!, durationSeconds(r.for!) / 60]));
  const sel = labels.replace(/,component="[a-z]+"/, '');
  return {
    interval: `${STEP}m`,
    input_series: input,
    promql_expr_test: [
      ...quietValues.map(([record, value]) => ({
        expr: `round(${record}{${sel}}, 0.0001)`,
        eval_time: at(QUIET, 0),
        exp_samples: [{ labels: `{${labels}}`, value }],
      })),
      ...alerts.map((alertname) => ({
        expr: `ALERTS{alertname="${alertname}",alertstate="firing"}`,
        eval_time: at(own[alertname], firesAt[alertname] ?? 40),
        exp_samples: [
          {
            labels: `{__name__="ALERTS",alertname="${alertname}",alertstate="firing",anomaly="true",${labels},severity="ticket"}`,
            value: 1,
          },
        ],
      })),
    ],
    alert_rule_test: alerts.flatMap((alertname) => [
      ...SLOTS.filter((s) => s !== own[alertname]).map((s) => ({ alertname, eval_time: at(s, 50), exp_alerts: [] })),
      { alertname, eval_time: at(QUIET, 0), exp_alerts: [] },
      // The baseline week: no past week to compare with, no alert whatever the series do.
      { alertname, eval_time: at(-SCENARIO_DAY + own[alertname], 40), exp_alerts: [] },
      // Not yet sustained: the last evaluation (every 10 minutes) before its `for` has passed.
      { alertname, eval_time: at(own[alertname], Math.floor((forMinutes[alertname] - 1) / 10) * 10), exp_alerts: [] },
    ]),
  };
}

describeWithPrograms('anomaly rules of the data tier, on real promtool', ['promtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-datatier-promtool-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes promtool check rules with the defaults', () => {
    const groups = [...cacheAnomalyRuleGroups('redis', 'web'), ...databaseAnomalyRuleGroups('postgres', 'web', 'app')];
    const file = path.join(dir, 'defaults.rules.yaml');
    fs.writeFileSync(file, stringify({ groups }, { lineWidth: 0 }));
    const r = spawnSync(bin.promtool, ['check', 'rules', file], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain(`SUCCESS: ${groups.reduce((n, g) => n + g.rules.length, 0)} rules found`);
  });

  it('fires each Valkey alert on its scenario and no other: commands drop and spike, hit-ratio fall, evictions', () => {
    const exporter = (pod: string, metric: string) => `${metric}{namespace="web",service="redis-metrics",pod="${pod}"}`;
    // Two nodes share 1,000 commands and 100 lookups a second (90% hits); nothing is evicted.
    const both = (metric: string, total: number): Rates => ({
      [exporter('redis-0', metric)]: total / 2,
      [exporter('redis-1', metric)]: total / 2,
    });
    const normal = {
      ...both('redis_commands_processed_total', 1000),
      ...both('redis_keyspace_hits_total', 90),
      ...both('redis_keyspace_misses_total', 10),
      ...both('redis_evicted_keys_total', 0),
    };
    const own = {
      AnomalyRedisCommandsDrop: 60,
      AnomalyRedisCommandsSpike: 240,
      AnomalyRedisHitRatioFall: 420,
      AnomalyRedisEvictionsRise: 600,
    };
    const scenarios = {
      60: both('redis_commands_processed_total', 500),
      240: both('redis_commands_processed_total', 3000),
      420: { ...both('redis_keyspace_hits_total', 60), ...both('redis_keyspace_misses_total', 40) },
      600: both('redis_evicted_keys_total', 5),
      // Under every practical bound: a 20% drop, 5 points of hit ratio lost, half an eviction a second.
      780: {
        ...both('redis_commands_processed_total', 800),
        ...both('redis_keyspace_hits_total', 85),
        ...both('redis_keyspace_misses_total', 15),
        ...both('redis_evicted_keys_total', 0.5),
      },
    };
    const groups = cacheAnomalyRuleGroups('redis', 'web', ONE_WEEK);
    const r = (s: string) => dataTierRecords(s);
    const quiet: [string, number][] = [
      [r('redis_commands').current, 1000],
      [r('redis_commands').baseline, 1000],
      [r('redis_commands').weeks, 1],
      [r('redis_commands').expected, 1000],
      [r('redis_commands').deviation, 0],
      // Counters this even vary less than Poisson: the noise stays at its floor.
      [r('redis_commands').noise, 1],
      [r('redis_commands').score, 0],
      [r('redis_hit_ratio').spread, 0],
      [r('redis_hit_ratio').current, 0.9],
      [r('redis_hit_ratio').baseline, 0.9],
      [r('redis_hit_ratio').score, 0],
      [r('redis_evictions').current, 0],
      [r('redis_evictions').score, 0],
    ];
    const test = scenarioTest(
      inputSeries(normal, scenarios, []),
      groups,
      'cluster="redis",component="redis",namespace="web"',
      quiet,
      own,
      {},
    );
    expect(promtoolTest(bin.promtool, dir, 'redis', groups, test)).toBe('SUCCESS');
  }, 120000);

  it('fires each PostgreSQL and PgBouncer alert on its scenario and no other, reading only the application database', () => {
    const pg = (pod: string, metric: string, datname = 'app') => `${metric}{namespace="web",pod="${pod}",datname="${datname}"}`;
    const pooler = (metric: string) => `${metric}{namespace="web",pod="postgres-pooler-rw-7d9f-x2v4q",database="app",user="app"}`;
    const LAG = 'cnpg_pg_replication_lag{namespace="web",pod="postgres-2"}';
    // The primary commits 100 a second and rolls back 1, the replica 50 read-only; the exporter's own queries in
    // database postgres never count. The replica is half a second behind; clients wait 0.1 ms per transaction.
    const xacts = (commits: number, rollbacks: number): Rates => ({
      [pg('postgres-1', 'cnpg_pg_stat_database_xact_commit')]: commits - 50,
      [pg('postgres-2', 'cnpg_pg_stat_database_xact_commit')]: 50,
      [pg('postgres-1', 'cnpg_pg_stat_database_xact_rollback')]: rollbacks,
      [pg('postgres-2', 'cnpg_pg_stat_database_xact_rollback')]: 0,
    });
    const wait = (ms: number): Rates => ({ [pooler('cnpg_pgbouncer_stats_total_wait_time')]: 151 * ms * 1000 });
    const normal = {
      ...xacts(150, 1),
      [pg('postgres-1', 'cnpg_pg_stat_database_xact_commit', 'postgres')]: 2,
      [pg('postgres-1', 'cnpg_pg_stat_database_deadlocks')]: 0,
      [LAG]: 0.5,
      [pooler('cnpg_pgbouncer_stats_total_xact_count')]: 151,
      ...wait(0.1),
    };
    const own = {
      AnomalyPostgresTransactionsDrop: 60,
      AnomalyPostgresTransactionsSpike: 240,
      AnomalyPostgresRollbackRatioRise: 420,
      AnomalyPostgresDeadlocksRise: 600,
      AnomalyPostgresReplicationLagRise: 780,
      AnomalyPgBouncerWaitRise: 960,
    };
    const scenarios = {
      60: { ...xacts(75, 0.5), [pg('postgres-1', 'cnpg_pg_stat_database_xact_commit', 'postgres')]: 200 },
      240: xacts(450, 3),
      // 20 of 170 roll back: 12% where 0.7% did.
      420: xacts(150, 20),
      // 12 deadlocks an hour.
      600: { [pg('postgres-1', 'cnpg_pg_stat_database_deadlocks')]: 12 / 3600 },
      780: { [LAG]: 20 },
      960: wait(20),
      // Under every practical bound: 20% fewer transactions, 2.6 points more rollbacks, 3 deadlocks an hour, 4 s of
      // lag and 4 ms of wait, each well beyond the spread floor.
      1140: { ...xacts(120, 4), [pg('postgres-1', 'cnpg_pg_stat_database_deadlocks')]: 3 / 3600, [LAG]: 4, ...wait(4) },
    };
    const groups = databaseAnomalyRuleGroups('postgres', 'web', 'app', ONE_WEEK);
    const r = (s: string) => dataTierRecords(s);
    const quiet: [string, number][] = [
      [r('pg_transactions').current, 151],
      [r('pg_transactions').baseline, 151],
      [r('pg_transactions').expected, 151],
      [r('pg_transactions').score, 0],
      [r('pg_rollback_ratio').current, Math.round(10000 / 151) / 10000],
      [r('pg_rollback_ratio').score, 0],
      [r('pg_deadlocks').current, 0],
      [r('pg_replication_lag').current, 0.5],
      [r('pg_replication_lag').weeks, 1],
      [r('pgbouncer_wait').current, 0.0001],
      [r('pgbouncer_wait').baseline, 0.0001],
    ];
    // The deadlocks' 30-minute window is full of the scenario by 50 minutes in.
    const firesAt = { AnomalyPostgresDeadlocksRise: 50 };
    const test = scenarioTest(
      inputSeries(normal, scenarios, [LAG]),
      groups,
      'cluster="postgres",component="postgres",namespace="web"',
      quiet,
      own,
      firesAt,
    );
    expect(promtoolTest(bin.promtool, dir, 'postgres', groups, test)).toBe('SUCCESS');
  }, 120000);
});
