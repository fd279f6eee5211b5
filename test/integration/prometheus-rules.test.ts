import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { ENVIRONMENTS } from '../../stacks/environments';
import { postgresAlertRules } from '../../constructs/data/postgres-rules';
import { redisAlertRules } from '../../constructs/data/redis-rules';
import { describeWithPrograms } from './support/programs';
import { chartsOf } from '../support/environments';

/** The static annotations of an alert as the rule functions define them, with `summary` as Prometheus renders it. */
function annotations(alert: string, summary: string): Record<string, string> {
  const rule = [
    ...redisAlertRules({ cluster: 'redis', namespace: 'web', nodes: 9, rebalanced: true }).rules,
    ...postgresAlertRules('postgres', 'web').rules,
  ].find((r) => r.alert === alert)!;
  return { ...rule.annotations, summary };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function ruleGroups(envName: string): Json[] {
  return chartsOf(envName)
    .flatMap((c) => c.objects)
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o: Json) => o.spec.groups);
}

describeWithPrograms('Prometheus rules of every environment, on real promtool', ['promtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-rules-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(ENVIRONMENTS))('%s: promtool check rules accepts every group', (env) => {
    const groups = ruleGroups(env);
    expect(groups.length).toBeGreaterThan(0);
    const file = path.join(dir, `${env}.rules.yaml`);
    fs.writeFileSync(file, stringify({ groups }, { lineWidth: 0 }));
    const r = spawnSync(bin.promtool, ['check', 'rules', file], { encoding: 'utf8' });
    expect(r.stderr + r.stdout).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
  });

  it('fires the data-tier alerts on their conditions and stays quiet on healthy series', () => {
    const file = path.join(dir, 'prod.rules.yaml');
    fs.writeFileSync(file, stringify({ groups: ruleGroups('prod') }, { lineWidth: 0 }));
    const redis = 'namespace="web",service="redis-metrics"';
    const tests = {
      rule_files: [file],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: `redis_cluster_state{${redis},pod="redis-0"}`, values: '1x5 0x10' },
            { series: `redis_cluster_state{${redis},pod="redis-1"}`, values: '1x15' },
            { series: `redis_memory_used_bytes{${redis},pod="redis-1"}`, values: '90x30' },
            { series: `redis_memory_max_bytes{${redis},pod="redis-1"}`, values: '100x30' },
            { series: `redis_memory_used_bytes{${redis},pod="redis-2"}`, values: '50x30' },
            { series: `redis_memory_max_bytes{${redis},pod="redis-2"}`, values: '100x30' },
            { series: 'cnpg_pgbouncer_pools_cl_waiting{namespace="web",pod="postgres-pooler-rw-abc"}', values: '0 0 3x10' },
          ],
          alert_rule_test: [
            { eval_time: '4m', alertname: 'RedisClusterStateNotOk', exp_alerts: [] },
            {
              eval_time: '10m',
              alertname: 'RedisClusterStateNotOk',
              exp_alerts: [
                {
                  exp_labels: { severity: 'page', component: 'redis', cluster: 'redis', namespace: 'web', pod: 'redis-0' },
                  exp_annotations: annotations('RedisClusterStateNotOk', 'Redis Cluster redis: node redis-0 reports cluster_state fail'),
                },
              ],
            },
            {
              eval_time: '20m',
              alertname: 'RedisMemoryNearMaxmemory',
              exp_alerts: [
                {
                  exp_labels: { severity: 'ticket', component: 'redis', cluster: 'redis', namespace: 'web', pod: 'redis-1' },
                  exp_annotations: annotations('RedisMemoryNearMaxmemory', 'Redis Cluster redis: redis-1 uses 90% of maxmemory'),
                },
              ],
            },
            {
              eval_time: '6m',
              alertname: 'PgBouncerClientsWaiting',
              exp_alerts: [
                {
                  exp_labels: {
                    severity: 'ticket',
                    component: 'postgres',
                    cluster: 'postgres',
                    namespace: 'web',
                    pod: 'postgres-pooler-rw-abc',
                  },
                  exp_annotations: annotations(
                    'PgBouncerClientsWaiting',
                    'PgBouncer postgres-pooler-rw-abc: 3 clients wait for a server connection',
                  ),
                },
              ],
            },
          ],
        },
      ],
    };
    const testFile = path.join(dir, 'tests.yaml');
    fs.writeFileSync(testFile, stringify(tests, { lineWidth: 0 }));
    const r = spawnSync(bin.promtool, ['test', 'rules', testFile], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });
});
