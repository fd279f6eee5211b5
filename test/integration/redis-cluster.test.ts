import { Environment } from '../../stacks/environment';
import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';

import { FAILOVER_TARGET_SECONDS, RedisHarness } from './support/redis-harness';
import { startSynthesizedRedis } from './support/synthesized';

/** prod with the Redis engine an environment may still choose: Redis 7.2.x, its last BSD-licensed line. */
const prodOnRedis: Environment = { ...prod, dataTier: { ...prod.dataTier, redis: { ...prod.dataTier.redis, engine: 'redis' } } };

/**
 * prod's cluster with `engine: 'redis'` on real redis-server nodes, created with its bootstrap. The Valkey default is
 * proven in redis-healing, redis-rolling-restart and redis-bootstrap; this keeps the Redis choice working.
 */
describeWithPrograms(
  'Redis Cluster (engine redis) from the synthesized prod ConfigMap, on real redis-server',
  ['redis-server', 'redis-cli', 'python3'],
  () => {
    let harness: RedisHarness;
    let bootstrapLog = '';

    beforeAll(async () => {
      harness = await startSynthesizedRedis(prodOnRedis);
      bootstrapLog = await harness.bootstrap();
      await harness.waitForSettled();
    }, 120000);
    afterAll(async () => {
      await harness?.stop();
    });

    describe('a master lost', () => {
      it('is created by the bootstrap Job script as 3 masters with 2 replicas each', async () => {
        expect([harness.options.shards, harness.options.replicasPerShard]).toEqual([3, 2]);
        expect(harness.options.server).toBe('redis-server');
        expect(bootstrapLog).toContain('bootstrap: cluster complete: 3 masters, 2 replica(s) each');
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
        const again = await harness.bootstrap();
        expect(again).toMatch(/cluster complete/);
        expect(again).not.toMatch(/bootstrap: (slots|meet|redis-\d replicates)/);
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
  },
);
