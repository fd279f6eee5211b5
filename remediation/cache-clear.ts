import Redis, { Cluster } from 'ioredis';
import { CACHE_PREFIX } from '../constructs/observability/remediation-policy';

/** What one cache clear did. */
export interface CacheClearResult {
  /** Keys unlinked. */
  readonly deleted: number;
  /** Masters scanned (1 for a single server). */
  readonly masters: number;
  /** SCAN rounds over all masters. */
  readonly rounds: number;
  /** Keys that moved to another master between SCAN and UNLINK (a resharding), left for the next run. */
  readonly moved: number;
}

/**
 * Deletes the keys under `prefix` in rounds of about `batch`: SCAN with MATCH `<prefix>*` on every master (in a
 * cluster each master holds its own slots, and SCAN sees only the node it runs on), then UNLINK of the keys that
 * round found, one command per key in one pipeline (keys of one round span many slots, which a multi-key command
 * refuses in a cluster). Never FLUSHALL, FLUSHDB or KEYS: the rest of the cache stays, and no call blocks the server.
 * The prefix is checked again here, so a policy edited past synth still cannot clear the whole cache.
 */
export async function clearPrefix(client: Redis | Cluster, prefix: string, batch: number): Promise<CacheClearResult> {
  if (!CACHE_PREFIX.test(prefix)) throw new Error(`refused: cache prefix ${JSON.stringify(prefix)} is not a named prefix`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`refused: batch ${batch} is not a whole number above 0`);
  const masters = client instanceof Cluster ? client.nodes('master') : [client];
  let deleted = 0;
  let rounds = 0;
  let moved = 0;
  for (const node of masters) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', batch);
      cursor = next;
      rounds += 1;
      if (keys.length === 0) continue;
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.unlink(key);
      for (const [err, n] of (await pipeline.exec()) ?? []) {
        if (err) moved += 1;
        else deleted += Number(n);
      }
    } while (cursor !== '0');
  }
  return { deleted, masters: masters.length, rounds, moved };
}

/** `host:port` seeds (comma-separated), as the services get them in `REDIS_CLUSTER_SEEDS`. */
export function parseSeeds(seeds: string): { host: string; port: number }[] {
  return seeds
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const i = s.lastIndexOf(':');
      return i < 0 ? { host: s, port: 6379 } : { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
    });
}

/**
 * Connects to the cluster for one clear and disconnects after: the runner acts rarely, and a connection held open
 * between actions would only reconnect through every failover.
 */
export async function clearClusterPrefix(seeds: string, password: string | undefined, prefix: string, batch: number): Promise<string> {
  const cluster = new Cluster(parseSeeds(seeds), {
    redisOptions: { password, connectTimeout: 5000 },
    lazyConnect: true,
    // One answer per action: a cluster that is down fails the action, which escalates.
    clusterRetryStrategy: () => null,
  });
  try {
    await cluster.connect();
    const r = await clearPrefix(cluster, prefix, batch);
    const left = r.moved > 0 ? `; ${r.moved} moved during a resharding and were left` : '';
    return `cleared ${r.deleted} keys under '${prefix}' on ${r.masters} masters in ${r.rounds} SCAN rounds of ${batch}${left}`;
  } finally {
    cluster.disconnect();
  }
}
