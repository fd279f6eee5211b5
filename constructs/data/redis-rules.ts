import { RuleGroup, runbook } from '../observability/rule-groups';

export interface RedisAlertOptions {
  readonly cluster: string;
  readonly namespace: string;
  /** Nodes of the intended topology: shards x (1 + replicas per shard). */
  readonly nodes: number;
  /** The cluster has a rebalancer, whose metrics give masters per zone. */
  readonly rebalanced: boolean;
}

/** Time a zone may hold more than one master: a rolling update passes through that, the rebalancer undoes it in 1-2 passes. */
export const MASTERS_PER_ZONE_FOR = '15m';

/** The series of a cluster's redis_exporter, as its ServiceMonitor labels them. */
export function redisExporterSelector(cluster: string, namespace: string): string {
  return `namespace="${namespace}",service="${cluster}-metrics"`;
}

/**
 * Alerts for one Valkey/Redis Cluster, from redis_exporter series (`redis_*`) scraped with `namespace` and `service`
 * labels by its ServiceMonitor, and the rebalancer's `perfstack_redis_*` series.
 *
 * A shard without a master is read from the slots in FAIL (or never assigned), not from `cluster_state`: with
 * `cluster-require-full-coverage no` the surviving nodes keep reporting `cluster_state:ok` while a third of the
 * slots have no master.
 *
 * @see https://github.com/oliver006/redis_exporter
 */
export function redisAlertRules(o: RedisAlertOptions): RuleGroup {
  const { cluster, namespace } = o;
  const sel = redisExporterSelector(cluster, namespace);
  const rebalancerSel = `namespace="${namespace}",service="${cluster}-rebalancer"`;
  const labels = (severity: 'page' | 'ticket') => ({ severity, component: 'redis', cluster });
  return {
    name: `redis-${cluster}`,
    rules: [
      {
        alert: 'RedisShardWithoutMaster',
        expr:
          `max by (namespace) (redis_cluster_slots_fail{${sel}}) > 0` +
          ` or 16384 - min by (namespace) (redis_cluster_slots_assigned{${sel}}) > 0`,
        for: '1m',
        labels: labels('page'),
        annotations: {
          summary: `Redis Cluster ${cluster}: {{ $value }} hash slots have no live master`,
          description:
            'A shard lost its master and no replica took over (or slots were never assigned): every request for those keys fails. cluster_state may still say ok, since full coverage is not required.',
          runbook_url: runbook('redis-shard-without-master'),
        },
      },
      {
        alert: 'RedisNodeNotInCluster',
        expr: `max by (namespace, pod) (redis_cluster_known_nodes{${sel}}) != ${o.nodes}`,
        for: '5m',
        labels: labels('ticket'),
        annotations: {
          summary: `Redis Cluster ${cluster}: {{ $labels.pod }} knows {{ $value }} nodes, ${o.nodes} intended`,
          description:
            'A node never joined (it knows only itself, the others fewer than all), or a replaced node left a stale entry behind: rerun the bootstrap Job, or CLUSTER FORGET the stale id.',
          runbook_url: runbook('redis-node-not-in-cluster'),
        },
      },
      ...(o.rebalanced
        ? [
            {
              alert: 'RedisMastersSharingZone',
              expr: `max by (namespace, zone) (perfstack_redis_masters{${rebalancerSel}}) > 1`,
              for: MASTERS_PER_ZONE_FOR,
              labels: labels('ticket'),
              annotations: {
                summary: `Redis Cluster ${cluster}: zone {{ $labels.zone }} holds {{ $value }} masters`,
                description:
                  'Losing this zone loses a majority of masters: no failover can happen and every shard is down for as long as the zone is. The rebalancer did not move them apart: see its Events.',
                runbook_url: runbook('redis-masters-sharing-zone'),
              },
            },
            {
              alert: 'RedisRebalancerDown',
              expr: `max by (namespace) (up{${rebalancerSel}}) == 0 or absent(up{${rebalancerSel}})`,
              for: MASTERS_PER_ZONE_FOR,
              labels: labels('ticket'),
              annotations: {
                summary: `Redis Cluster ${cluster}: the rebalancer is not running`,
                description: 'Masters are no longer moved back to one per zone after failovers, and masters per zone are not measured.',
                runbook_url: runbook('redis-rebalancer'),
              },
            },
          ]
        : []),
      {
        alert: 'RedisClusterStateNotOk',
        expr: `max by (namespace, pod) (redis_cluster_state{${sel}}) == 0`,
        for: '1m',
        labels: labels('page'),
        annotations: {
          summary: `Redis Cluster ${cluster}: node {{ $labels.pod }} reports cluster_state fail`,
          description: 'Some hash slots are not served: requests for them fail until a replica is promoted or the shard returns.',
          runbook_url: runbook('redis-cluster-state'),
        },
      },
      {
        alert: 'RedisShardWithoutReplica',
        expr: `max by (namespace, pod) (redis_connected_slaves{${sel}} and on (namespace, pod) redis_instance_info{${sel},role="master"}) < 1`,
        for: '10m',
        labels: labels('ticket'),
        annotations: {
          summary: `Redis Cluster ${cluster}: master {{ $labels.pod }} has no replica`,
          description: 'Losing this node now loses its slots and their data; the next failure is an outage.',
          runbook_url: runbook('redis-shard-without-replica'),
        },
      },
      {
        alert: 'RedisMemoryNearMaxmemory',
        expr: `max by (namespace, pod) (redis_memory_used_bytes{${sel}} / (redis_memory_max_bytes{${sel}} > 0)) > 0.85`,
        for: '15m',
        labels: labels('ticket'),
        annotations: {
          summary: `Redis Cluster ${cluster}: {{ $labels.pod }} uses {{ $value | humanizePercentage }} of maxmemory`,
          description: 'Evictions will rise and the cache hit ratio fall; add shards or memory.',
          runbook_url: runbook('redis-memory'),
        },
      },
      {
        alert: 'RedisEvictingKeys',
        expr: `sum by (namespace, pod) (rate(redis_evicted_keys_total{${sel}}[5m])) > 0`,
        for: '15m',
        labels: labels('ticket'),
        annotations: {
          summary: `Redis Cluster ${cluster}: {{ $labels.pod }} evicts {{ $value | humanize }} keys/s`,
          description: 'The working set no longer fits maxmemory.',
          runbook_url: runbook('redis-evictions'),
        },
      },
      {
        alert: 'RedisRejectedConnections',
        expr: `sum by (namespace, pod) (increase(redis_rejected_connections_total{${sel}}[5m])) > 0`,
        for: '5m',
        labels: labels('page'),
        annotations: {
          summary: `Redis Cluster ${cluster}: {{ $labels.pod }} rejects connections`,
          description: 'maxclients is reached: clients get errors. Check for connection leaks or raise maxclients.',
          runbook_url: runbook('redis-rejected-connections'),
        },
      },
    ],
  };
}
