import { Duration, Size } from 'cdk8s';

/** How a Redis node keeps data across restarts. */
export type RedisPersistence = 'aof-and-rdb' | 'none';

export interface RedisConfOptions {
  /** Bytes of data Redis may hold before evicting. */
  readonly maxmemoryBytes: number;
  /** @default 'allkeys-lru' */
  readonly maxmemoryPolicy?: string;
  /** @default 'aof-and-rdb' */
  readonly persistence?: RedisPersistence;
  /** Failure-detection timeout of the cluster bus. */
  readonly clusterNodeTimeout: Duration;
  /** @default 6379 */
  readonly port?: number;
  /** Working directory holding nodes.conf, the AOF and RDB files: the persistent volume. @default '/data' */
  readonly dir?: string;
  /**
   * File included last, with the values only known at run time: `requirepass`, `masterauth` and
   * `cluster-announce-hostname`. Secrets never appear in the rendered config.
   * @default '/run/redis/runtime.conf'
   */
  readonly runtimeInclude?: string;
}

/** The default share of the container memory limit Redis may fill; the rest covers fork copy-on-write and buffers. */
export const MAXMEMORY_SHARE = 0.75;

/** maxmemory for a container memory limit: 75% by default, rounded down to a whole MiB. */
export function maxmemoryFor(limit: Size, share = MAXMEMORY_SHARE): number {
  return Math.floor(limit.toMebibytes() * share) * 1024 * 1024;
}

/**
 * redis.conf for one Valkey or Redis Cluster node. Integration tests start real valkey-server and redis-server
 * processes with exactly this text (port, dir and include substituted), so every directive is one both accept.
 *
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/config-file/
 */
export function renderRedisConf(o: RedisConfOptions): string {
  const persistence = o.persistence ?? 'aof-and-rdb';
  const lines = [
    '# Rendered by perfstack (constructs/data/redis-config.ts). Do not edit: change the RedisCluster props.',
    '# Network',
    'bind * -::*',
    'protected-mode no',
    `port ${o.port ?? 6379}`,
    'tcp-backlog 511',
    'tcp-keepalive 60',
    'timeout 0',
    '',
    '# Cluster: nodes.conf lives on the volume, so a pod rejoins with its identity after a restart.',
    'cluster-enabled yes',
    'cluster-config-file nodes.conf',
    `cluster-node-timeout ${o.clusterNodeTimeout.toMilliseconds()}`,
    '# Clients and peers are told hostnames, which survive pod IP changes.',
    'cluster-preferred-endpoint-type hostname',
    '# One shard down must not take the slots of the others down with it.',
    'cluster-require-full-coverage no',
    'cluster-allow-reads-when-down no',
    'cluster-replica-validity-factor 10',
    'cluster-migration-barrier 1',
    'cluster-allow-replica-migration yes',
    '',
    '# Replication: a new replica is eligible for failover only after its first full sync; start that at once.',
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 0',
    'replica-lazy-flush yes',
    '',
    '# Memory: a cache evicts instead of refusing writes.',
    `maxmemory ${o.maxmemoryBytes}`,
    `maxmemory-policy ${o.maxmemoryPolicy ?? 'allkeys-lru'}`,
    'lazyfree-lazy-eviction yes',
    'lazyfree-lazy-expire yes',
    'lazyfree-lazy-server-del yes',
    '',
    '# Persistence',
    `dir ${o.dir ?? '/data'}`,
    ...(persistence === 'aof-and-rdb'
      ? [
          'appendonly yes',
          'appendfsync everysec',
          'aof-use-rdb-preamble yes',
          'auto-aof-rewrite-percentage 100',
          'auto-aof-rewrite-min-size 64mb',
          'save 3600 1 300 100 60 10000',
          '# A full disk must not turn the cache read-only; the disk alert pages instead.',
          'stop-writes-on-bgsave-error no',
        ]
      : ['appendonly no', 'save ""']),
    '',
    '# Run-time values (auth, announced hostname), written by the init container.',
    `include ${o.runtimeInclude ?? '/run/redis/runtime.conf'}`,
    '',
  ];
  return lines.join('\n');
}
