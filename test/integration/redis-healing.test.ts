import { AckedWriter } from './support/acked-writer';
import { describeWithPrograms } from './support/programs';
import { FAILOVER_TARGET_SECONDS, RedisHarness } from './support/redis-harness';
import { masterPorts, median, most, readAll, settledCluster } from './support/redis-healing';

/**
 * One master per zone, kept after unplanned failovers: the rebalancer (topology.py `rebalance`), as synthesized for
 * prod, against nine real valkey-server processes, then the loss of a whole zone.
 */
describeWithPrograms(
  'Valkey masters back to one per zone after failovers, prod on real valkey-server',
  ['valkey-server', 'valkey-cli', 'python3'],
  () => {
    let kills: RedisHarness;
    beforeAll(async () => {
      kills = await settledCluster();
    }, 120000);
    afterAll(async () => {
      await kills?.stop();
    });

    it('after five single-master kills the rebalancer restores one master per zone, and then a lost zone is served again within 5 s with no acknowledged write lost', async () => {
      const writer = new AckedWriter(() => kills.live().map((n) => n.port), 'kills');
      const failovers: number[] = [];
      const killOneMaster = async (k: number) => {
        const masters = await masterPorts(kills);
        const victim = kills.nodes.find((n) => n.port === masters[k % masters.length])!;
        const { seconds } = await kills.killMasterAndTimeFailover(victim.port);
        failovers.push(seconds);
        // The pod comes back from its volume and rejoins as a replica of the node that took its place.
        await kills.restart(victim);
        await kills.waitForSettled();
        return kills.mastersPerZone();
      };
      let perZone: Record<string, number> = {};
      for (let k = 0; k < 5; k++) perZone = await killOneMaster(k);
      // Each unplanned failover promotes a replica into a zone that already has a master; which one is up to the
      // election, so a later kill can happen to even them out again: kill on (at most 6 more) until two share a zone.
      for (let k = 5; most(perZone) < 2 && k < 11; k++) perZone = await killOneMaster(k);
      expect(most(perZone)).toBeGreaterThanOrEqual(2);
      const worst = most(perZone);
      const worstZone = Object.keys(perZone).find((z) => perZone[z] === worst)!;

      const moves = await kills.rebalanceUntilBalanced();
      expect(moves).toBeGreaterThanOrEqual(1);
      expect(Object.values(await kills.mastersPerZone())).toEqual([1, 1, 1]);
      expect(kills.events.map((e) => [e.type, e.reason])).toEqual(Array.from({ length: moves }, () => ['Normal', 'MasterMoved']));

      // The zone that held the most masters before the rebalancer: the loss that used to take every shard down.
      const { seconds } = await kills.killZoneAndTimeRecovery(worstZone);
      const acked = await writer.stop();
      process.stdout.write(
        `valkey: ${failovers.length} master kills, failover median ${median(failovers).toFixed(2)} s (${failovers.map((s) => s.toFixed(2)).join(', ')}); ` +
          `up to ${worst} masters in ${worstZone}, ${moves} rebalancer move(s); ${worstZone} lost: every slot served after ${seconds.toFixed(2)} s; ` +
          `${acked.size} of ${writer.attempts} writes acknowledged\n`,
      );
      // Each kill failed over (killMasterAndTimeFailover gives up after 30 s); a loaded shared machine may stretch one
      // past 5 s, so the target holds the median here and the zone loss, the case this suite is about, on its own.
      expect(median(failovers)).toBeLessThanOrEqual(FAILOVER_TARGET_SECONDS);
      expect(seconds).toBeLessThanOrEqual(FAILOVER_TARGET_SECONDS);
      expect(acked.size).toBeGreaterThan(100);
      expect(await readAll(kills, acked)).toEqual([]);
    }, 240000);
  },
);
