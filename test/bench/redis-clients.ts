/**
 * What a client sees when a master is lost without a TCP reset (a node or zone gone: packets unanswered, as SIGSTOP
 * leaves them), on prod's cluster of real valkey-server processes: seconds from the loss until a write to a key of
 * that master's shard succeeds again, with ioredis' defaults and with the settings docs/data-tier.md recommends.
 *
 * `npx tsx test/bench/redis-clients.ts [tries]`; prints a Markdown table. About a minute per try.
 */
import calculateSlot from 'cluster-key-slot';
import { Cluster, ClusterOptions } from 'ioredis';
import { prod } from '../../stacks/prod';
import { which } from '../integration/support/programs';
import { PASSWORD, RedisHarness, sleep } from '../integration/support/redis-harness';
import { startSynthesizedRedis } from '../integration/support/synthesized';

/** The recommended ioredis settings: fail a command fast, then learn the new slot owners at once. */
export const TUNED: ClusterOptions = {
  redisOptions: { password: PASSWORD, connectTimeout: 1000, commandTimeout: 1000, maxRetriesPerRequest: 1 },
  slotsRefreshTimeout: 1000,
  slotsRefreshInterval: 1000,
  retryDelayOnFailover: 100,
  retryDelayOnClusterDown: 100,
  retryDelayOnTryAgain: 100,
};

const DEFAULTS: ClusterOptions = { redisOptions: { password: PASSWORD } };

/** Seconds from SIGSTOP of a master until `client` completes a SET on a key of its shard (bounded by `limitS`). */
async function gap(h: RedisHarness, options: ClusterOptions, limitS = 60): Promise<number> {
  const client = new Cluster(
    h.live().map((n) => ({ host: '127.0.0.1', port: n.port })),
    options,
  );
  client.on('error', () => undefined);
  try {
    const topo = await h.topology(h.nodes[0]);
    const [port] = [...topo.entries()].find(([, t]) => t.role === 'master')!;
    const owned = (await h.slotOwners(h.nodes[0])).filter(([, , p]) => p === port);
    let i = 0;
    while (!owned.some(([a, b]) => calculateSlot(`gap:${i}`) >= a && calculateSlot(`gap:${i}`) <= b)) i++;
    const key = `gap:${i}`;
    await client.set(key, 'before');
    const victim = h.nodes.find((n) => n.port === port)!;
    const t0 = process.hrtime.bigint();
    victim.process!.kill('SIGSTOP');
    const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
    try {
      while (elapsed() < limitS) {
        // Each attempt bounded by the limit: a default client may never answer at all.
        const ok = await Promise.race([
          client.set(key, 'after').then(
            () => true,
            () => false,
          ),
          sleep((limitS - elapsed()) * 1000).then(() => false),
        ]);
        if (ok) return elapsed();
        await sleep(20);
      }
      return limitS;
    } finally {
      victim.process!.kill('SIGKILL');
    }
  } finally {
    client.disconnect();
  }
}

async function main(): Promise<void> {
  if (!which('valkey-server') || !which('python3')) throw new Error('needs valkey-server and python3');
  const tries = Number(process.argv[2] ?? 3);
  const rows: [string, number[]][] = [
    ['ioredis defaults', []],
    ['ioredis, docs/data-tier.md settings', []],
  ];
  for (let t = 0; t < tries; t++) {
    for (const [name, samples] of rows) {
      const h = await startSynthesizedRedis(prod);
      try {
        await h.bootstrap();
        await h.waitForSettled();
        samples.push(await gap(h, name.startsWith('ioredis defaults') ? DEFAULTS : TUNED));
        process.stderr.write(`${name}: ${samples[samples.length - 1].toFixed(2)} s\n`);
      } finally {
        await h.stop();
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log('| client | writes to the lost master’s shard back after (median) | samples |');
  console.log('| --- | --- | --- |');
  for (const [name, s] of rows) console.log(`| ${name} | ${median(s).toFixed(1)} s | ${s.map((x) => x.toFixed(1)).join(', ')} |`);
}

if (require.main === module) void main();
