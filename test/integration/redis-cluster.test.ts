import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';

import { FAILOVER_TARGET_SECONDS, RedisHarness } from './support/redis-harness';
import { startSynthesizedRedis } from './support/synthesized';

describeWithPrograms('Redis Cluster from the synthesized prod ConfigMap, on real redis-server', ['redis-server', 'redis-cli'], () => {
  let harness: RedisHarness;
  let bootstrapLog = '';

  beforeAll(async () => {
    harness = await startSynthesizedRedis(prod);
    bootstrapLog = await harness.bootstrap();
    await harness.waitForClusterOk(harness.nodes[0]);
    await harness.waitForTopology(harness.nodes[0]);
    await harness.waitForReplicasInSync();
  }, 120000);
  afterAll(() => harness?.stop());

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
