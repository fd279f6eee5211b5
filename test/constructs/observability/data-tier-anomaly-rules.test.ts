import {
  DataTierAnomalyRules,
  cacheAnomalyRuleGroups,
  dataTierRecords,
  databaseAnomalyRuleGroups,
} from '../../../constructs/observability/data-tier-anomaly-rules';
import { DATABASE_ANOMALY_DEFAULTS } from '../../../constructs/observability/data-tier-anomaly-thresholds';
import { schemaValidator } from '../../support/k8s-schema';
import { freshChart, objectsOf } from '../../support/synth';

const props = { namespace: 'web', redis: { cluster: 'redis' }, postgres: { cluster: 'postgres', database: 'app' } };
/**
 * The series the rules may read, as the exporters name them: redis_exporter v1.75.0 (exporter/exporter.go) and
 * CloudNativePG's default monitoring queries and PgBouncer collector (config/manager/default-monitoring.yaml,
 * pkg/management/pgbouncer/metricsserver/stats.go). The data tier's threshold alerts read the same names.
 */
const EXPORTED = [
  'redis_commands_processed_total',
  'redis_keyspace_hits_total',
  'redis_keyspace_misses_total',
  'redis_evicted_keys_total',
  'cnpg_pg_stat_database_xact_commit',
  'cnpg_pg_stat_database_xact_rollback',
  'cnpg_pg_stat_database_deadlocks',
  'cnpg_pg_replication_lag',
  'cnpg_pgbouncer_stats_total_wait_time',
  'cnpg_pgbouncer_stats_total_xact_count',
];
const alertsOf = (groups: ReturnType<typeof cacheAnomalyRuleGroups>) => groups[groups.length - 1].rules;

describe('data tier anomaly rules', () => {
  it('records a median-of-weeks baseline per signal; for rates an expected rate, a deviation, its noise and a score; for the others a spread and a score', () => {
    const groups = cacheAnomalyRuleGroups('redis', 'web');
    expect(groups.map((g) => g.name)).toEqual(['recordings', 'scores', 'rate-scores', 'alerts'].map((g) => `redis-anomaly-${g}`));
    const [commands, hitRatio, evictions] = ['redis_commands', 'redis_hit_ratio', 'redis_evictions'].map(dataTierRecords);
    expect(groups[0].rules.map((r) => r.record)).toEqual([
      ...[commands.current, commands.baseline, commands.weeks],
      ...[hitRatio, evictions].flatMap((r) => [r.current, r.baseline, r.spread, r.weeks]),
    ]);
    expect(groups[1].rules.map((r) => r.record)).toEqual([commands.expected, commands.deviation, hitRatio.score, evictions.score]);
    expect(groups[2].rules.map((r) => r.record)).toEqual([commands.noise, commands.score]);
    const baseline = groups[0].rules.find((r) => r.record === commands.baseline)!.expr;
    // Four past weeks, each a 1 h window centred on the same time of the week, as the services' baselines.
    expect(baseline).toMatch(/^quantile without \(weeks_ago\) \(0\.5, /);
    expect(baseline).toContain(
      'rate(redis_commands_processed_total{namespace="web",service="redis-metrics"}[1h] offset 671h30m)), "weeks_ago", "4"',
    );
    expect(baseline).not.toContain('"weeks_ago", "5"');
    const m = '{namespace="web",cluster="redis"}';
    // The rate: expected = baseline x the level of 3 hours; a Poisson deviation of the 10-minute count; a day of noise.
    expect(groups[1].rules[0].expr).toBe(
      `${commands.baseline}${m} * clamp(quantile_over_time(0.5, (${commands.current}${m} / (${commands.baseline}${m} > 0))[3h:5m]), 0.5, 2)`,
    );
    expect(groups[1].rules[1].expr).toMatch(/\/ sqrt\(clamp_min\(.*, 1\) \/ 600\)$/);
    expect(groups[2].rules[0].expr).toBe(
      `clamp_min((quantile_over_time(0.75, ${commands.deviation}${m}[1d]) - quantile_over_time(0.25, ${commands.deviation}${m}[1d])) / 1.349, 1)`,
    );
    // A ratio: (current - baseline) / spread, the spread at least one point.
    expect(groups[1].rules[2].expr).toBe(
      `(${hitRatio.current}${m} - ${hitRatio.baseline}${m}) / ((${hitRatio.spread}${m} > clamp_min(${hitRatio.baseline}${m} * 0, 0.01)) or clamp_min(${hitRatio.baseline}${m} * 0, 0.01) > 0) and ${hitRatio.weeks}${m} >= 2`,
    );
    // Every record carries the store, so two clusters in one namespace never record the same series.
    for (const r of groups.slice(0, 3).flatMap((g) => g.rules)) expect(r.labels).toEqual({ cluster: 'redis', component: 'redis' });
    // No score before two weeks of baseline.
    for (const r of [groups[1].rules[2], groups[1].rules[3], groups[2].rules[1]])
      expect(r.expr).toMatch(/ and datatier:[a-z_]+:weeks\{namespace="web",cluster="redis"\} >= 2$/);
  });

  it('alerts only with the score, a practical bound and the sustained duration together', () => {
    const [drop, spike, hitRatio, evictions] = alertsOf(cacheAnomalyRuleGroups('redis', 'web'));
    const m = '{namespace="web",cluster="redis"}';
    expect(drop.expr).toBe(
      `datatier:redis_commands:score${m} <= -2.5 and datatier:redis_commands:current${m} < 0.75 * datatier:redis_commands:expected${m}`,
    );
    expect(spike.expr).toBe(
      `datatier:redis_commands:score${m} >= 3 and datatier:redis_commands:current${m} > 1.5 * datatier:redis_commands:expected${m}`,
    );
    expect(hitRatio.expr).toContain(
      `datatier:redis_hit_ratio:score${m} <= -3 and datatier:redis_hit_ratio:current${m} <= datatier:redis_hit_ratio:baseline${m} - 0.1 and on (namespace) (`,
    );
    expect(hitRatio.expr).toMatch(/\) >= 1$/);
    expect(evictions.expr).toBe(
      `datatier:redis_evictions:score${m} >= 3 and datatier:redis_evictions:current${m} >= 1 and datatier:redis_evictions:current${m} > 1.5 * datatier:redis_evictions:baseline${m}`,
    );
    expect([drop, spike, hitRatio, evictions].map((a) => a.for)).toEqual(['15m', '10m', '15m', '15m']);
  });

  it('labels every alert as the data tier routes: anomaly, a ticket, the store and its cluster, no service (the default team)', () => {
    const alerts = [...alertsOf(cacheAnomalyRuleGroups('redis', 'web')), ...alertsOf(databaseAnomalyRuleGroups('postgres', 'web', 'app'))];
    expect(alerts.map((a) => a.alert)).toEqual([
      'AnomalyRedisCommandsDrop',
      'AnomalyRedisCommandsSpike',
      'AnomalyRedisHitRatioFall',
      'AnomalyRedisEvictionsRise',
      'AnomalyPostgresTransactionsDrop',
      'AnomalyPostgresTransactionsSpike',
      'AnomalyPostgresRollbackRatioRise',
      'AnomalyPostgresDeadlocksRise',
      'AnomalyPostgresReplicationLagRise',
      'AnomalyPgBouncerWaitRise',
    ]);
    for (const a of alerts) {
      expect(a.labels).toEqual({
        severity: 'ticket',
        cluster: expect.stringMatching(/^(redis|postgres)$/),
        component: a.labels!.cluster,
        anomaly: 'true',
      });
      expect(a.annotations!.runbook_url).toMatch(/^https:\/\/runbooks\.perfstack\.dev\/anomaly-[a-z-]+$/);
    }
  });

  it('reads only series the exporters expose, and only the application database', () => {
    const groups = [...cacheAnomalyRuleGroups('redis', 'web'), ...databaseAnomalyRuleGroups('postgres', 'web', 'orders')];
    const read = new Set(
      groups.flatMap((g) => g.rules.flatMap((r) => [...r.expr.matchAll(/\b(redis_[a-z_]+|cnpg_[a-z_]+)\{/g)].map((x) => x[1]))),
    );
    expect([...read].sort()).toEqual([...EXPORTED].sort());
    const transactions = databaseAnomalyRuleGroups('postgres', 'web', 'orders')[0].rules[0].expr;
    expect(transactions).toContain('cnpg_pg_stat_database_xact_commit{namespace="web",pod=~"postgres-[0-9]+",datname="orders"}[10m]');
  });

  it("takes a store's own thresholds, the others' defaults unchanged", () => {
    const rules = new DataTierAnomalyRules(freshChart(), 'a', {
      ...props,
      postgres: { ...props.postgres, thresholds: { weeks: 2, score: 4, minLagSeconds: 10, sustained: '30m' } },
    });
    expect(rules.databaseThresholds).toEqual({ ...DATABASE_ANOMALY_DEFAULTS, weeks: 2, score: 4, minLagSeconds: 10, sustained: '30m' });
    expect(rules.cacheThresholds.score).toBe(3);
    const lag = rules.postgres.groups[3].rules.find((r) => r.alert === 'AnomalyPostgresReplicationLagRise')!;
    expect(lag.expr).toBe(
      'datatier:pg_replication_lag:score{namespace="web",cluster="postgres"} >= 4 and datatier:pg_replication_lag:current{namespace="web",cluster="postgres"} >= 10',
    );
    expect(lag.for).toBe('30m');
    expect(rules.postgres.groups[0].rules[1].expr).not.toContain('"weeks_ago", "3"');
    expect(rules.redis.groups[0].rules[1].expr).toContain('"weeks_ago", "4"');
  });

  it('rejects thresholds that cannot work, one line each, naming the store', () => {
    const bad = () =>
      new DataTierAnomalyRules(freshChart(), 'a', {
        ...props,
        redis: { cluster: 'redis', thresholds: { minHitRatioFall: 1.5 } },
        postgres: { ...props.postgres, thresholds: { weeks: 2, minWeeks: 3 } },
      });
    expect(bad).toThrow(
      [
        "test/a: 'redis.thresholds.minHitRatioFall' (1.5) must be a share above 0 and below 1",
        "test/a: 'postgres.thresholds.minWeeks' (3) must be from 1 to 'weeks' (2)",
      ].join('\n'),
    );
  });

  it('writes one schema-valid PrometheusRule per store', () => {
    const chart = freshChart();
    new DataTierAnomalyRules(chart, 'anomalies', { ...props, labels: { team: 'data' } });
    const objects = objectsOf(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'PrometheusRule/redis-anomalies',
      'PrometheusRule/postgres-anomalies',
    ]);
    for (const o of objects) {
      expect(o.metadata.namespace).toBe('web');
      expect(o.metadata.labels).toEqual({ team: 'data' });
      expect(schemaValidator().validate(o)).toEqual([]);
    }
  });
});
