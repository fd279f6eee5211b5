import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';

import { FAILOVER_TARGET_SECONDS, RedisHarness } from './support/redis-harness';
import { startSynthesizedRedis } from './support/synthesized';

/** Starts prod's Redis Cluster on real redis-server nodes with its bootstrap script, and waits until it is settled. */
async function settledCluster(): Promise<{ harness: RedisHarness; bootstrapLog: string }> {
  const harness = await startSynthesizedRedis(prod);
  const bootstrapLog = await harness.bootstrap();
  await harness.waitForClusterOk(harness.nodes[0]);
  await harness.waitForTopology(harness.nodes[0]);
  await harness.waitForReplicasInSync();
  return { harness, bootstrapLog };
}

/**
 * Two clusters of prod, one per failure, brought up side by side: most of a bring-up is waiting (redis-cli's cluster
 * creation, replicas' first sync), so one suite waits once instead of two suites each holding a test worker.
 */
describeWithPrograms('Redis Cluster from the synthesized prod ConfigMap, on real redis-server', ['redis-server', 'redis-cli'], () => {
  let harness: RedisHarness;
  let zoneLoss: RedisHarness;
  let bootstrapLog = '';

  beforeAll(async () => {
    const [first, second] = await Promise.allSettled([settledCluster(), settledCluster()]);
    if (first.status === 'fulfilled') ({ harness, bootstrapLog } = first.value);
    if (second.status === 'fulfilled') zoneLoss = second.value.harness;
    for (const r of [first, second]) if (r.status === 'rejected') throw r.reason;
  }, 120000);
  afterAll(async () => {
    await harness?.stop();
    await zoneLoss?.stop();
  });

  describe('a master lost', () => {
    it('is created by the bootstrap Job script as 3 masters with 2 replicas each', async () => {
      expect([harness.options.shards, harness.options.replicasPerShard]).toEqual([3, 2]);
      expect(bootstrapLog).toContain('bootstrap: cluster created: 3 masters, 2 replica(s) each');
      const topo = await harness.topology(harness.nodes[0]);
      expect([...topo.values()].filter((t) => t.role === 'master')).toHaveLength(3);
      expect([...topo.values()].filter((t) => t.role === 'replica')).toHaveLength(6);
    });

    it('places every replica in another zone than its master', async () => {
      const topo = await harness.topology(harness.nodes[0]);
      const zoneOf = (port: number) => harness.nodes.find((n) => n.port === port)!.zone;
      const byId = new Map([...topo.entries()].map(([port, t]) => [t.id, port]));
      const pairs = [...topo.entries()]
        .filter(([, t]) => t.role === 'replica')
        .map(([port, t]) => [zoneOf(port), zoneOf(byId.get(t.masterId!)!)]);
      expect(pairs).toHaveLength(6);
      for (const [replicaZone, masterZone] of pairs) expect(replicaZone).not.toBe(masterZone);
    });

    it('does nothing when run again on the existing cluster', async () => {
      expect(await harness.bootstrap()).toMatch(/the cluster exists, nothing to do/);
    });

    it('fails over a SIGKILLed master within 5 s and keeps every acknowledged key', async () => {
      const acked = await harness.writeAcknowledged(200);
      expect(acked.size).toBe(600);
      const topo = await harness.topology(harness.nodes[0]);
      const victim = [...topo.entries()].find(([, t]) => t.role === 'master')![0];
      const { seconds, newMaster } = await harness.killMasterAndTimeFailover(victim);
      process.stdout.write(`redis failover: ${seconds.toFixed(2)} s\n`);
      expect(seconds).toBeLessThanOrEqual(FAILOVER_TARGET_SECONDS);

      await harness.waitForClusterOk(newMaster);
      const cluster = harness.cluster();
      try {
        const keys = [...acked.keys()];
        const values = await Promise.all(keys.map((k) => cluster.get(k)));
        const lost = keys.filter((k, i) => values[i] !== acked.get(k));
        expect(lost).toEqual([]);
      } finally {
        cluster.disconnect();
      }
    }, 60000);
  });

  describe('a whole zone lost', () => {
    // 9 nodes, 3 per zone, as the StatefulSet's zone spread (maxSkew 1, DoNotSchedule) leaves them.
    const zoneOf = (port: number) => zoneLoss.nodes.find((n) => n.port === port)!.zone;

    it('spreads every shard over the three zones: a master and one replica in each other zone', async () => {
      const topo = await zoneLoss.topology(zoneLoss.nodes[0]);
      const masters = [...topo.entries()].filter(([, t]) => t.role === 'master');
      expect(masters).toHaveLength(3);
      for (const [port, master] of masters) {
        const zones = [port, ...[...topo.entries()].filter(([, t]) => t.masterId === master.id).map(([p]) => p)].map(zoneOf);
        expect(zones.sort()).toEqual(['zone-a', 'zone-b', 'zone-c']);
      }
    });

    it('serves every slot again within 5 s when all 3 nodes of a zone die, keeps every acknowledged write and a replica per shard', async () => {
      const acked = await zoneLoss.writeAcknowledged(200);
      expect(acked.size).toBe(600);

      const { seconds, survivor } = await zoneLoss.killZoneAndTimeRecovery('zone-a');
      process.stdout.write(`redis zone loss: every slot served again after ${seconds.toFixed(2)} s\n`);
      expect(seconds).toBeLessThanOrEqual(FAILOVER_TARGET_SECONDS);

      // Every shard still has a replica, so WAIT 1 still acknowledges writes while the zone is out.
      const deadline = Date.now() + 20000;
      let perMaster: number[] = [];
      while (Date.now() < deadline) {
        const topo = await zoneLoss.topology(survivor);
        const masters = [...topo.entries()].filter(([, t]) => t.role === 'master');
        perMaster = masters.map(([, m]) => [...topo.values()].filter((t) => t.masterId === m.id).length);
        if (masters.length === 3 && perMaster.every((n) => n === 1)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(perMaster).toEqual([1, 1, 1]);
      const cluster = zoneLoss.cluster();
      try {
        const keys = [...acked.keys()];
        const values = await Promise.all(keys.map((k) => cluster.get(k)));
        expect(keys.filter((k, i) => values[i] !== acked.get(k))).toEqual([]);
      } finally {
        cluster.disconnect();
      }
      await zoneLoss.waitForReplicasInSync();
      const after = await zoneLoss.writeAcknowledged(20, 'after');
      expect(after.size).toBe(60);
    }, 90000);
  });
});
