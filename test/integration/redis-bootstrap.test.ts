import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';
import { RedisHarness, RedisNode, sleep } from './support/redis-harness';
import { startSynthesizedRedis } from './support/synthesized';

/** The plan topology.py makes for the harness's nine nodes (zones a, b, c round-robin): masters 0, 1, 2. */
const MASTERS = [0, 1, 2];
const SLOT_RANGES = [
  [0, 5460],
  [5461, 10921],
  [10922, 16383],
];
/** replica -> master, as planned: each shard's nodes in three zones. */
const REPLICA_OF: Record<number, number> = { 4: 0, 5: 1, 3: 2, 8: 0, 6: 1, 7: 2 };

/**
 * The bootstrap Job retried after each way an earlier run can stop half-way, on real valkey-server processes: it
 * completes the intended topology or fails loudly, never exits 0 on a cluster that does not match.
 */
describeWithPrograms(
  'Valkey bootstrap retried after partial failures, prod on real valkey-server',
  ['valkey-server', 'valkey-cli', 'python3'],
  () => {
    let h: RedisHarness;
    beforeAll(async () => {
      h = await startSynthesizedRedis(prod);
    }, 60000);
    afterAll(async () => {
      await h?.stop();
    });

    async function call(node: RedisNode, ...args: (string | number)[]): Promise<unknown> {
      const c = h.client(node);
      try {
        return await c.call(String(args[0]), ...args.slice(1).map(String));
      } finally {
        c.disconnect();
      }
    }

    /** Every node back to a fresh, empty, lone node (no keys are written in this suite). */
    async function reset(): Promise<void> {
      for (let round = 0; round < 2; round++) for (const n of h.nodes) await call(n, 'CLUSTER', 'RESET', 'HARD');
      for (const n of h.nodes) expect(await call(n, 'CLUSTER', 'INFO')).toContain('cluster_known_nodes:1');
    }

    const meet = (via: RedisNode, other: RedisNode) => call(via, 'CLUSTER', 'MEET', '127.0.0.1', other.port);
    const id = async (n: RedisNode) => (await call(n, 'CLUSTER', 'MYID')) as string;

    async function assignSlots(): Promise<void> {
      for (const [k, m] of MASTERS.entries()) await call(h.nodes[m], 'CLUSTER', 'ADDSLOTSRANGE', ...SLOT_RANGES[k]);
    }

    async function waitUntilKnown(via: RedisNode, count: number): Promise<void> {
      const deadline = Date.now() + 20000;
      while (!((await call(via, 'CLUSTER', 'INFO')) as string).includes(`cluster_known_nodes:${count}`)) {
        if (Date.now() > deadline) throw new Error(`node ${via.port} never knew ${count} nodes`);
        await sleep(100);
      }
    }

    /** The whole intended topology, read back from the servers: shards, zones, every node in. */
    async function expectComplete(): Promise<void> {
      await h.waitForSettled(30000);
      const topo = await h.topology(h.nodes[0]);
      const zoneOf = (port: number) => h.nodes.find((n) => n.port === port)!.zone;
      const masters = [...topo.entries()].filter(([, t]) => t.role === 'master');
      expect(masters).toHaveLength(3);
      for (const [port, m] of masters) {
        const shard = [port, ...[...topo.entries()].filter(([, t]) => t.masterId === m.id).map(([p]) => p)];
        expect(shard.map(zoneOf).sort()).toEqual(['zone-a', 'zone-b', 'zone-c']);
      }
      expect(await h.mastersPerZone()).toEqual({ 'zone-a': 1, 'zone-b': 1, 'zone-c': 1 });
    }

    it('fails loudly, naming the pod, while a node never answers, then completes once it does', async () => {
      const absent = h.nodes[7];
      await h.terminate(absent);
      await expect(h.bootstrap(3)).rejects.toThrow(/FAILED[\s\S]*no answer from redis-7/);
      await h.restart(absent);
      expect(await h.bootstrap()).toMatch(/cluster complete: 3 masters, 2 replica\(s\) each/);
      await expectComplete();
    }, 90000);

    it('completes a run that stopped right after assigning slots', async () => {
      await reset();
      await assignSlots();
      const log = await h.bootstrap();
      expect(log).not.toMatch(/bootstrap: slots/);
      expect(log).toMatch(/cluster complete/);
      await expectComplete();
    }, 90000);

    it('completes a run whose add-node failed: masters and two replicas joined, four nodes never met', async () => {
      await reset();
      await assignSlots();
      for (const m of [1, 2, 4, 8]) await meet(h.nodes[0], h.nodes[m]);
      for (const n of [0, 1, 2, 4, 8]) await waitUntilKnown(h.nodes[n], 5);
      await call(h.nodes[4], 'CLUSTER', 'REPLICATE', await id(h.nodes[0]));
      await call(h.nodes[8], 'CLUSTER', 'REPLICATE', await id(h.nodes[0]));
      const log = await h.bootstrap();
      expect(log.match(/bootstrap: meet redis-\d/g)?.sort()).toEqual([
        'bootstrap: meet redis-3',
        'bootstrap: meet redis-5',
        'bootstrap: meet redis-6',
        'bootstrap: meet redis-7',
      ]);
      expect(log).toMatch(/cluster complete/);
      await expectComplete();
    }, 90000);

    it('completes a run whose replica assignment failed: every node joined, none replicating', async () => {
      await reset();
      await assignSlots();
      for (const n of h.nodes.slice(1)) await meet(h.nodes[0], n);
      for (const n of h.nodes) await waitUntilKnown(n, 9);
      const log = await h.bootstrap();
      expect(log.match(/replicates/g)).toHaveLength(6);
      await expectComplete();
    }, 90000);

    it('never reports success for a cluster it cannot make match: a replica in its master’s zone fails loudly', async () => {
      await reset();
      await assignSlots();
      for (const n of h.nodes.slice(1)) await meet(h.nodes[0], n);
      for (const n of h.nodes) await waitUntilKnown(n, 9);
      // redis-3 (zone a) replicates redis-0 (zone a) instead of redis-2; the rest as planned.
      const wrong = { ...REPLICA_OF, 3: 0 };
      for (const [r, m] of Object.entries(wrong)) await call(h.nodes[Number(r)], 'CLUSTER', 'REPLICATE', await id(h.nodes[m]));
      await expect(h.bootstrap(4)).rejects.toThrow(/FAILED[\s\S]*master redis-0 has a replica in its own zone zone-a/);
    }, 90000);
  },
);
