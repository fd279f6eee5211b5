import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';

import { FAILOVER_TARGET_SECONDS, RedisHarness } from './support/redis-harness';
import { startSynthesizedRedis } from './support/synthesized';

describeWithPrograms('Redis Cluster of prod losing a whole zone, on real redis-server', ['redis-server', 'redis-cli'], () => {
  // 9 nodes, 3 per zone, as the StatefulSet's zone spread (maxSkew 1, DoNotSchedule) leaves them.
  let harness: RedisHarness;
  const zoneOf = (port: number) => harness.nodes.find((n) => n.port === port)!.zone;

  beforeAll(async () => {
    harness = await startSynthesizedRedis(prod);
    await harness.bootstrap();
    await harness.waitForClusterOk(harness.nodes[0]);
    await harness.waitForTopology(harness.nodes[0]);
    await harness.waitForReplicasInSync();
  }, 120000);
  afterAll(() => harness?.stop());

  it('spreads every shard over the three zones: a master and one replica in each other zone', async () => {
    const topo = await harness.topology(harness.nodes[0]);
    const masters = [...topo.entries()].filter(([, t]) => t.role === 'master');
    expect(masters).toHaveLength(3);
    for (const [port, master] of masters) {
      const zones = [port, ...[...topo.entries()].filter(([, t]) => t.masterId === master.id).map(([p]) => p)].map(zoneOf);
      expect(zones.sort()).toEqual(['zone-a', 'zone-b', 'zone-c']);
    }
  });

  it('serves every slot again within 5 s when all 3 nodes of a zone die, keeps every acknowledged write and a replica per shard', async () => {
    const acked = await harness.writeAcknowledged(200);
    expect(acked.size).toBe(600);

    const { seconds, survivor } = await harness.killZoneAndTimeRecovery('zone-a');
    process.stdout.write(`redis zone loss: every slot served again after ${seconds.toFixed(2)} s\n`);
    expect(seconds).toBeLessThanOrEqual(FAILOVER_TARGET_SECONDS);

    // Every shard still has a replica, so WAIT 1 still acknowledges writes while the zone is out.
    const deadline = Date.now() + 20000;
    let perMaster: number[] = [];
    while (Date.now() < deadline) {
      const topo = await harness.topology(survivor);
      const masters = [...topo.entries()].filter(([, t]) => t.role === 'master');
      perMaster = masters.map(([, m]) => [...topo.values()].filter((t) => t.masterId === m.id).length);
      if (masters.length === 3 && perMaster.every((n) => n === 1)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(perMaster).toEqual([1, 1, 1]);
    const cluster = harness.cluster();
    try {
      const keys = [...acked.keys()];
      const values = await Promise.all(keys.map((k) => cluster.get(k)));
      expect(keys.filter((k, i) => values[i] !== acked.get(k))).toEqual([]);
    } finally {
      cluster.disconnect();
    }
    await harness.waitForReplicasInSync();
    const after = await harness.writeAcknowledged(20, 'after');
    expect(after.size).toBe(60);
  }, 90000);
});
