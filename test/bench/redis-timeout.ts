/**
 * The cluster-node-timeout trade-off, measured on real valkey-server processes with the synthesized prod redis.conf
 * (only the timeout changed): for each timeout, how long a SIGKILLed master takes to be replaced, and how often a
 * master that merely stalls (SIGSTOP for N s, then SIGCONT) is replaced anyway (a false failover: its writes since
 * the last replication ack are lost and clients see errors for nothing).
 *
 * `npx tsx test/bench/redis-timeout.ts [tries] [timeoutMs...]`; prints a Markdown table. Takes a few minutes.
 */
import { prod } from '../../stacks/prod';
import { which } from '../integration/support/programs';
import { RedisHarness, RedisNode, sleep } from '../integration/support/redis-harness';
import { synthesizedRedisOptions } from '../integration/support/synthesized';

export interface TimeoutRow {
  readonly timeoutMs: number;
  /** Seconds from SIGKILL of a master to a replica answering ROLE as master, one per try. */
  readonly failoverSeconds: number[];
  /** Stall seconds -> false failovers out of tries. */
  readonly falseFailovers: Record<number, number>;
  readonly tries: number;
}

async function role(h: RedisHarness, node: RedisNode): Promise<string> {
  const c = h.client(node);
  try {
    return ((await c.call('ROLE')) as [string])[0];
  } finally {
    c.disconnect();
  }
}

/** Waits until the cluster is whole again (a restarted node may not listen yet: retry until it does). */
async function settle(h: RedisHarness): Promise<void> {
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      await h.waitForClusterOk(h.nodes[0]);
      await h.waitForTopology(h.nodes[0]);
      await h.waitForReplicasInSync();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(500);
    }
  }
}

export async function measureTimeout(timeoutMs: number, stalls: readonly number[], tries: number, basePort: number): Promise<TimeoutRow> {
  const options = synthesizedRedisOptions(prod);
  const h = new RedisHarness({
    ...options,
    redisConf: options.redisConf.replace(/^cluster-node-timeout \d+$/m, `cluster-node-timeout ${timeoutMs}`),
    basePort,
  });
  const falseFailovers: Record<number, number> = {};
  const failoverSeconds: number[] = [];
  try {
    await h.start();
    await h.bootstrap();
    await settle(h);
    for (const seconds of stalls) {
      falseFailovers[seconds] = 0;
      for (let t = 0; t < tries; t++) {
        const topo = await h.topology(h.nodes[0]);
        const port = [...topo.entries()].filter(([, x]) => x.role === 'master')[t % options.shards][0];
        const victim = h.nodes.find((n) => n.port === port)!;
        await h.stall(victim, seconds * 1000);
        // Give the cluster the time a failover would take to finish before looking.
        await sleep(Math.max(2000, timeoutMs * 2));
        if ((await role(h, victim)) !== 'master') falseFailovers[seconds]++;
        await settle(h);
      }
    }
    for (let t = 0; t < tries; t++) {
      const topo = await h.topology(h.nodes[0]);
      const port = [...topo.entries()].filter(([, x]) => x.role === 'master')[t % options.shards][0];
      const victim = h.nodes.find((n) => n.port === port)!;
      const { seconds } = await h.killMasterAndTimeFailover(port);
      failoverSeconds.push(seconds);
      h.launch(victim);
      await settle(h);
    }
  } finally {
    await h.stop();
  }
  return { timeoutMs, failoverSeconds, falseFailovers, tries };
}

async function main(): Promise<void> {
  if (!which('valkey-server') || !which('python3'))
    throw new Error('needs valkey-server and python3 (apt-get install -t bookworm-backports valkey-server; apt-get install python3)');
  const tries = Number(process.argv[2] ?? 3);
  const stalls = [1, 2, 3];
  const rows: TimeoutRow[] = [];
  let port = 17100;
  const timeouts = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1500, 2000, 3000];
  for (const timeoutMs of timeouts) {
    rows.push(await measureTimeout(timeoutMs, stalls, tries, port));
    port += 20;
    process.stderr.write(`${JSON.stringify(rows[rows.length - 1])}\n`);
  }
  const fmt = (xs: number[]) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)} s`;
  process.stdout.write(
    `| cluster-node-timeout | failover after SIGKILL | ${stalls.map((s) => `false failovers, ${s} s stall`).join(' | ')} |\n` +
      `|---|---|${stalls.map(() => '---').join('|')}|\n` +
      rows
        .map(
          (r) =>
            `| ${r.timeoutMs} ms | ${fmt(r.failoverSeconds)} | ${stalls.map((s) => `${r.falseFailovers[s]}/${r.tries}`).join(' | ')} |`,
        )
        .join('\n') +
      '\n',
  );
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
