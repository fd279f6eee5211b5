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
 * redis.conf for one Redis Cluster node. Integration tests start real redis-server processes with exactly this text
 * (port, dir and include substituted), so every directive is one the real program accepts.
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

/**
 * The awk program that places masters and replicas across zones. Input lines: `<pod> <zone> <host:port>`.
 * Masters go round-robin over zones; replica r of a master in zone i goes to zone i+r (the r-th other zone), then
 * the zones after it. With pods balanced over zones, as the StatefulSet's zone spread makes them, no replica shares
 * its master's zone, and with `replicas <= zones - 1` a shard's nodes sit in as many zones as it has nodes: with 2
 * replicas over 3 zones, losing any zone leaves every shard a master and a replica.
 * Output lines: `M <addr>` per master, then `R <addr> <master addr>` per replica.
 */
export const PLACEMENT_AWK = `
{ pod[NR] = $1; zone[NR] = $2; addr[NR] = $3; n = NR
  if (!($2 in zidx)) { zidx[$2] = ++nz; zones[nz] = $2 } }
END {
  if (n != shards * (1 + replicas)) { printf "placement: %d pods listed, %d expected\\n", n, shards * (1 + replicas) > "/dev/stderr"; exit 2 }
  m = 0; z = 0
  while (m < shards) {
    want = zones[(z % nz) + 1]; z++
    for (i = 1; i <= n; i++) if (!used[i] && zone[i] == want) { used[i] = 1; master[++m] = i; print "M", addr[i]; break }
  }
  for (r = 1; r <= replicas; r++) for (k = 1; k <= shards; k++) {
    home = zidx[zone[master[k]]]; pick = 0
    for (s = 0; s < nz - 1 && !pick; s++) {
      want = zones[((home - 1 + ((r - 1 + s) % (nz - 1)) + 1) % nz) + 1]
      for (i = 1; i <= n; i++) if (!used[i] && zone[i] == want) { pick = i; break }
    }
    # One zone, or pods not balanced: any free pod rather than a shard short of a replica.
    for (i = 1; i <= n && !pick; i++) if (!used[i]) pick = i
    used[pick] = 1; print "R", addr[pick], addr[master[k]]
  }
}`;

/**
 * The bootstrap Job's script: waits for every node, does nothing when a cluster already exists, else creates it
 * with the zone-aware placement above: masters first (`--cluster create`), then each replica attached to its
 * master (`--cluster add-node --cluster-slave`). Auth comes from REDISCLI_AUTH. The integration tests run this
 * very script against real redis-server processes.
 *
 * Usage: `bootstrap.sh PLACEMENT_FILE SHARDS REPLICAS_PER_SHARD`
 */
export function renderBootstrapScript(): string {
  return `#!/bin/sh
# Rendered by perfstack (constructs/data/redis-config.ts).
set -eu
placement=$1; shards=$2; replicas=$3
timeout=\${BOOTSTRAP_TIMEOUT_SECONDS:-600}
deadline=$(( $(date +%s) + timeout ))
cli() { addr=$1; shift; redis-cli -h "\${addr%:*}" -p "\${addr##*:}" "$@"; }

# Done when any reachable node already knows its peers (the cluster exists, even with a node down); go on
# to create it only once every listed node answers.
while :; do
  answered=0
  for addr in $(awk '{ print $3 }' "$placement"); do
    info=$(cli "$addr" cluster info 2>/dev/null | tr -d '\\r') || continue
    known=$(echo "$info" | awk -F: '$1 == "cluster_known_nodes" { print $2 }')
    [ -n "$known" ] || continue
    if [ "$known" -gt 1 ]; then
      echo "bootstrap: $addr already knows $known nodes; the cluster exists, nothing to do"
      exit 0
    fi
    answered=$((answered + 1))
  done
  [ "$answered" -lt $((shards * (1 + replicas))) ] || break
  [ "$(date +%s)" -lt "$deadline" ] || { echo "bootstrap: only $answered nodes answered within \${timeout}s" >&2; exit 1; }
  sleep 1
done

plan=$(awk -v shards="$shards" -v replicas="$replicas" '${PLACEMENT_AWK.replace(/'/g, "'\\''")}' "$placement")
echo "bootstrap: plan"; echo "$plan"
masters=$(echo "$plan" | awk '$1 == "M" { printf "%s ", $2 }')
# shellcheck disable=SC2086
redis-cli --cluster create $masters --cluster-replicas 0 --cluster-yes
echo "$plan" | awk '$1 == "R" { print $2, $3 }' | while read -r replica master; do
  id=$(cli "$master" cluster myid | tr -d '\\r')
  redis-cli --cluster add-node "$replica" "$master" --cluster-slave --cluster-master-id "$id"
done

until [ "$(cli "$(awk 'NR == 1 { print $3 }' "$placement")" cluster info | tr -d '\\r' | awk -F: '$1 == "cluster_state" { print $2 }')" = ok ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "bootstrap: cluster_state not ok within \${timeout}s" >&2; exit 1; }
  sleep 1
done
echo "bootstrap: cluster created: $shards masters, $replicas replica(s) each"
`;
}
