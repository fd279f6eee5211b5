import { RuleGroup, runbook } from '../observability/rule-groups';

/**
 * Alerts for one Redis Cluster, from redis_exporter series (`redis_*`) scraped with `namespace` and `service`
 * labels by its ServiceMonitor.
 *
 * @see https://github.com/oliver006/redis_exporter
 */
export function redisAlertRules(cluster: string, namespace: string): RuleGroup {
  const sel = `namespace="${namespace}",service="${cluster}-metrics"`;
  const labels = (severity: 'page' | 'ticket') => ({ severity, component: 'redis', cluster });
  return {
    name: `redis-${cluster}`,
    rules: [
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
