import { AckedWriter } from './support/acked-writer';
import { describeWithPrograms } from './support/programs';
import { RedisHarness, RedisNode } from './support/redis-harness';
import { median, most, readAll, settledCluster } from './support/redis-healing';

/**
 * A rolling update of prod's nine nodes, each stopped through the synthesized preStop hook (a planned CLUSTER
 * FAILOVER when it is a master) and followed by the rebalancer, on real valkey-server processes.
 */
describeWithPrograms(
  'Valkey rolling restart through the preStop hand-over, prod on real valkey-server',
  ['valkey-server', 'valkey-cli', 'python3'],
  () => {
    let rolling: RedisHarness;
    beforeAll(async () => {
      rolling = await settledCluster();
    }, 120000);
    afterAll(async () => {
      await rolling?.stop();
    });

    it('restarts all nine nodes through the preStop hand-over without losing an acknowledged write, one master per zone after each', async () => {
      const writer = new AckedWriter(() => rolling.live().map((n) => n.port), 'rolling');
      const handovers: number[] = [];
      let mastersStopped = 0;
      const roles: string[] = [];
      const perZoneAfter: Record<string, number>[] = [];
      // The StatefulSet's rolling update: highest ordinal first, the next pod only once this one is ready again.
      for (const node of [...rolling.nodes].reverse() as RedisNode[]) {
        const wasMaster = (await rolling.topology(node)).get(node.port)!.role === 'master';
        const t0 = process.hrtime.bigint();
        const output = await rolling.preStop(node);
        if (output.includes('handed over')) handovers.push(Number(process.hrtime.bigint() - t0) / 1e9);
        if (wasMaster) mastersStopped++;
        // Handed over before the stop: a replica now, so SIGTERM causes no unplanned failover.
        roles.push((await rolling.topology(node)).get(node.port)!.role);
        await rolling.terminate(node);
        await rolling.restart(node);
        await rolling.waitForSettled();
        // The rebalancer's next pass (every 30 s; a pod restart in Kubernetes takes longer than that).
        await rolling.rebalanceUntilBalanced();
        perZoneAfter.push(await rolling.mastersPerZone());
      }
      const acked = await writer.stop();
      process.stdout.write(
        `valkey rolling restart: ${mastersStopped} masters stopped, ${handovers.length} planned hand-overs, median ${median(handovers).toFixed(2)} s; ` +
          `${rolling.events.length} rebalancer move(s); ${acked.size} of ${writer.attempts} writes acknowledged\n`,
      );
      // Every master was stopped through a planned failover, never an unplanned one.
      expect(mastersStopped).toBeGreaterThanOrEqual(1);
      expect(handovers).toHaveLength(mastersStopped);
      expect(roles).toEqual(Array.from({ length: 9 }, () => 'replica'));
      expect(perZoneAfter.map((z) => most(z))).toEqual(Array.from({ length: 9 }, () => 1));
      expect(acked.size).toBeGreaterThan(100);
      expect(await readAll(rolling, acked)).toEqual([]);
    }, 240000);
  },
);
