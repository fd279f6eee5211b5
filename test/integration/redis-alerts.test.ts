import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { redisAlertRules } from '../../constructs/data/redis-rules';
import { chartsOf } from '../support/environments';
import { describeWithPrograms } from './support/programs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const exporter = 'namespace="web",service="redis-metrics"';
const rebalancer = 'namespace="web",service="redis-rebalancer"';
const labels = (severity: string, extra: Record<string, string>) => ({ severity, component: 'redis', cluster: 'redis', ...extra });

/** The annotations of one of prod's Redis alerts, with `summary` as Prometheus renders it. */
function annotations(alert: string, summary: string): Record<string, string> {
  const rule = redisAlertRules({ cluster: 'redis', namespace: 'web', nodes: 9, rebalanced: true }).rules.find((r) => r.alert === alert)!;
  return { ...rule.annotations, summary };
}

/** Nine healthy nodes: every one knows nine, sees every slot assigned and none failing, reports cluster_state ok. */
function healthy(minutes: number, except: readonly string[] = []): { series: string; values: string }[] {
  return Array.from({ length: 9 }, (_, i) => `redis-${i}`)
    .filter((pod) => !except.includes(pod))
    .flatMap((pod) => [
      { series: `redis_cluster_state{${exporter},pod="${pod}"}`, values: `1x${minutes}` },
      { series: `redis_cluster_known_nodes{${exporter},pod="${pod}"}`, values: `9x${minutes}` },
      { series: `redis_cluster_slots_assigned{${exporter},pod="${pod}"}`, values: `16384x${minutes}` },
      { series: `redis_cluster_slots_fail{${exporter},pod="${pod}"}`, values: `0x${minutes}` },
    ]);
}

describeWithPrograms('The healing alerts of prod’s key-value tier, on real promtool', ['promtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-redis-alerts-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function promtoolTest(tests: Json[]): string {
    const rules = path.join(dir, 'rules.yaml');
    const groups = chartsOf('prod')
      .flatMap((c) => c.objects)
      .filter((o) => o.kind === 'PrometheusRule' && (o.metadata as Json).name === 'redis-alerts')
      .flatMap((o: Json) => o.spec.groups);
    expect(groups.length).toBe(1);
    fs.writeFileSync(rules, stringify({ groups }, { lineWidth: 0 }));
    const file = path.join(dir, 'tests.yaml');
    fs.writeFileSync(file, stringify({ rule_files: [rules], evaluation_interval: '1m', tests }, { lineWidth: 0 }));
    const r = spawnSync(bin.promtool, ['test', 'rules', file], { encoding: 'utf8' });
    return `${r.status} ${r.stdout}${r.stderr}`;
  }

  it('pages on a shard without a master although full coverage is off and cluster_state stays ok', () => {
    // Shard of redis-2 lost with no replica promoted: the six survivors mark its 5462 slots FAIL, state still ok.
    const survivors = ['redis-0', 'redis-1', 'redis-3', 'redis-4', 'redis-6', 'redis-7'];
    const input = [
      ...healthy(20, ['redis-2', 'redis-5', 'redis-8']),
      ...survivors.map((pod) => ({ series: `redis_cluster_slots_fail{${exporter},pod="${pod}"}`, values: '0 0 5462x18' })),
    ];
    const out = promtoolTest([
      {
        interval: '1m',
        input_series: dedupe(input),
        alert_rule_test: [
          { eval_time: '2m', alertname: 'RedisShardWithoutMaster', exp_alerts: [] },
          {
            eval_time: '5m',
            alertname: 'RedisShardWithoutMaster',
            exp_alerts: [
              {
                exp_labels: labels('page', { namespace: 'web' }),
                exp_annotations: annotations('RedisShardWithoutMaster', 'Redis Cluster redis: 5462 hash slots have no live master'),
              },
            ],
          },
          { eval_time: '10m', alertname: 'RedisClusterStateNotOk', exp_alerts: [] },
        ],
      },
    ]);
    expect(out).toMatch(/^0 [\s\S]*SUCCESS/);
  });

  it('pages on slots never assigned (a bootstrap that stopped half-way) and stays quiet on a whole cluster', () => {
    const partial = healthy(10).map((s) => (s.series.startsWith('redis_cluster_slots_assigned') ? { ...s, values: '10922x10' } : s));
    const out = promtoolTest([
      {
        interval: '1m',
        input_series: partial,
        alert_rule_test: [
          {
            eval_time: '3m',
            alertname: 'RedisShardWithoutMaster',
            exp_alerts: [
              {
                exp_labels: labels('page', { namespace: 'web' }),
                exp_annotations: annotations('RedisShardWithoutMaster', 'Redis Cluster redis: 5462 hash slots have no live master'),
              },
            ],
          },
        ],
      },
      {
        interval: '1m',
        input_series: healthy(30),
        alert_rule_test: ['RedisShardWithoutMaster', 'RedisNodeNotInCluster', 'RedisClusterStateNotOk'].map((alertname) => ({
          eval_time: '30m',
          alertname,
          exp_alerts: [],
        })),
      },
    ]);
    expect(out).toMatch(/^0 [\s\S]*SUCCESS/);
  });

  it('tickets a node that never joined, after 5 minutes', () => {
    const input = healthy(10).map((s) =>
      s.series === `redis_cluster_known_nodes{${exporter},pod="redis-7"}` ? { ...s, values: '1x10' } : s,
    );
    const out = promtoolTest([
      {
        interval: '1m',
        input_series: input,
        alert_rule_test: [
          { eval_time: '4m', alertname: 'RedisNodeNotInCluster', exp_alerts: [] },
          {
            eval_time: '6m',
            alertname: 'RedisNodeNotInCluster',
            exp_alerts: [
              {
                exp_labels: labels('ticket', { namespace: 'web', pod: 'redis-7' }),
                exp_annotations: annotations('RedisNodeNotInCluster', 'Redis Cluster redis: redis-7 knows 1 nodes, 9 intended'),
              },
            ],
          },
        ],
      },
    ]);
    expect(out).toMatch(/^0 [\s\S]*SUCCESS/);
  });

  it('tickets a zone holding two masters for 15 minutes, not one that the rebalancer fixes sooner', () => {
    const out = promtoolTest([
      {
        interval: '1m',
        input_series: [
          { series: `up{${rebalancer},pod="redis-rebalancer-x"}`, values: '1x40' },
          { series: `perfstack_redis_masters{${rebalancer},pod="redis-rebalancer-x",zone="eu-west-1a"}`, values: '2x10 1x5 2x25' },
          { series: `perfstack_redis_masters{${rebalancer},pod="redis-rebalancer-x",zone="eu-west-1b"}`, values: '1x40' },
          { series: `perfstack_redis_masters{${rebalancer},pod="redis-rebalancer-x",zone="eu-west-1c"}`, values: '0x10 1x5 0x25' },
        ],
        alert_rule_test: [
          { eval_time: '14m', alertname: 'RedisMastersSharingZone', exp_alerts: [] },
          { eval_time: '28m', alertname: 'RedisMastersSharingZone', exp_alerts: [] },
          {
            eval_time: '32m',
            alertname: 'RedisMastersSharingZone',
            exp_alerts: [
              {
                exp_labels: labels('ticket', { namespace: 'web', zone: 'eu-west-1a' }),
                exp_annotations: annotations('RedisMastersSharingZone', 'Redis Cluster redis: zone eu-west-1a holds 2 masters'),
              },
            ],
          },
          { eval_time: '32m', alertname: 'RedisRebalancerDown', exp_alerts: [] },
        ],
      },
    ]);
    expect(out).toMatch(/^0 [\s\S]*SUCCESS/);
  });

  it('tickets a shard without a replica and a rebalancer that is not scraped', () => {
    const out = promtoolTest([
      {
        interval: '1m',
        input_series: [
          { series: `redis_instance_info{${exporter},pod="redis-1",role="master"}`, values: '1x20' },
          { series: `redis_connected_slaves{${exporter},pod="redis-1"}`, values: '2x3 0x17' },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'RedisShardWithoutReplica', exp_alerts: [] },
          {
            eval_time: '15m',
            alertname: 'RedisShardWithoutReplica',
            exp_alerts: [
              {
                exp_labels: labels('ticket', { namespace: 'web', pod: 'redis-1' }),
                exp_annotations: annotations('RedisShardWithoutReplica', 'Redis Cluster redis: master redis-1 has no replica'),
              },
            ],
          },
          {
            eval_time: '16m',
            alertname: 'RedisRebalancerDown',
            exp_alerts: [
              {
                exp_labels: labels('ticket', { namespace: 'web', service: 'redis-rebalancer' }),
                exp_annotations: annotations('RedisRebalancerDown', 'Redis Cluster redis: the rebalancer is not running'),
              },
            ],
          },
        ],
      },
    ]);
    expect(out).toMatch(/^0 [\s\S]*SUCCESS/);
  });
});

/** The last definition of each series wins: overrides come after the healthy defaults. */
function dedupe(series: { series: string; values: string }[]): { series: string; values: string }[] {
  const bySeries = new Map<string, string>();
  for (const s of series) bySeries.set(s.series, s.values);
  return [...bySeries].map(([s, values]) => ({ series: s, values }));
}
