import { clearClusterPrefix } from '../../remediation/cache-clear';
import { dev } from '../../stacks/dev';
import { describeWithPrograms } from './support/programs';
import { PASSWORD, RedisHarness } from './support/redis-harness';
import { startSynthesizedRedis } from './support/synthesized';

/** `INFO commandstats` of one node as command -> calls. */
async function commandCalls(harness: RedisHarness, port: number): Promise<Record<string, number>> {
  const node = harness.nodes.find((n) => n.port === port)!;
  const client = harness.client(node);
  try {
    const info = await client.info('commandstats');
    return Object.fromEntries([...info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
  } finally {
    client.disconnect();
  }
}

/**
 * The runner's cache clear against dev's key-value tier as synthesized (Valkey, a cluster of three masters), on real
 * valkey-server processes: the keys under the prefix go, in SCAN rounds on every master; every other key stays,
 * including keys that merely start with the same letters; no FLUSHALL, FLUSHDB or KEYS reaches any node.
 */
describeWithPrograms('remediation cache clear on a real Valkey cluster', ['valkey-server', 'valkey-cli', 'python3'], () => {
  let harness: RedisHarness;

  beforeAll(async () => {
    harness = await startSynthesizedRedis(dev);
    await harness.bootstrap();
    await harness.waitForSettled();
  }, 120000);
  afterAll(async () => {
    await harness?.stop();
  });

  it('deletes every key under the prefix on every master in batches, leaves every other key, and never flushes', async () => {
    const cluster = harness.cluster();
    const others = ['user:1', 'session', 'sessions:1', 'xsession:1', 'Session:1', 'page:session:1'];
    try {
      // Across all slots, so not one pipeline: the cluster client sends each to its master.
      const keys = [
        ...Array.from({ length: 1500 }, (_, i) => `session:${i}`),
        ...Array.from({ length: 300 }, (_, i) => `user:${i}`),
        ...others,
      ];
      await Promise.all(keys.map((k) => cluster.set(k, 'v')));
    } finally {
      cluster.disconnect();
    }
    const masters = harness.nodes.map((n) => n.port);
    expect(masters).toHaveLength(3);

    const outcome = await clearClusterPrefix(`localhost:${masters[0]}`, PASSWORD, 'session:', 100);
    // 1500 keys over three masters: at least five rounds of 100 on each.
    const m = /^cleared 1500 keys under 'session:' on 3 masters in (\d+) SCAN rounds of 100$/.exec(outcome);
    expect([outcome, m !== null]).toEqual([outcome, true]);
    expect(Number(m![1])).toBeGreaterThanOrEqual(15);

    // Every node is a master in dev (no replicas): read each one's keys directly.
    const left: string[] = [];
    for (const node of harness.nodes) {
      const client = harness.client(node);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
          cursor = next;
          left.push(...keys);
        } while (cursor !== '0');
      } finally {
        client.disconnect();
      }
    }
    expect(left.filter((k) => k.startsWith('session:'))).toEqual([]);
    expect(left.filter((k) => k.startsWith('user:'))).toHaveLength(300);
    expect(left.filter((k) => others.includes(k)).sort()).toEqual([...others].sort());
    const calls = await Promise.all(masters.map((p) => commandCalls(harness, p)));
    for (const c of calls) {
      expect([c.flushall, c.flushdb, c.keys]).toEqual([undefined, undefined, undefined]);
      expect(c.scan).toBeGreaterThanOrEqual(5);
    }
    expect(calls.reduce((n, c) => n + (c.unlink ?? 0), 0)).toBe(1500);
  }, 60000);

  it('refuses a wildcard or empty prefix before it reaches the cache', async () => {
    for (const prefix of ['*', '', 'session:*', 'a?']) {
      await expect(clearClusterPrefix(`localhost:${harness.nodes[0].port}`, PASSWORD, prefix, 100)).rejects.toThrow(
        `refused: cache prefix ${JSON.stringify(prefix)} is not a named prefix`,
      );
    }
  });
});
