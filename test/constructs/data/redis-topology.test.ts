import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { renderTopologyScript } from '../../../constructs/data/redis-topology';
import { describeWithPrograms } from '../../integration/support/programs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Calls pure functions of the rendered topology.py in one python3 process: `calls` is a list of [function, args];
 * returns each result, or `{ error }` for a ValueError.
 */
function python(dir: string, calls: readonly [string, readonly unknown[]][]): Json[] {
  const program = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(dir)})`,
    'import topology',
    'out = []',
    'for name, args in json.load(sys.stdin):',
    '    try:',
    '        out.append(getattr(topology, name)(*args))',
    '    except ValueError as e:',
    '        out.append({"error": str(e)})',
    'print(json.dumps(out, default=list))',
  ].join('\n');
  const r = spawnSync('python3', ['-B', '-c', program], { input: JSON.stringify(calls), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

interface Plan {
  readonly masters: string[];
  /** [replica, master] */
  readonly replicas: [string, string][];
  readonly error?: string;
}

describeWithPrograms('topology.py, its pure functions on real python3', ['python3'], () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-topology-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  /** Every call the tests make, registered while the suite is defined and run in one python3 process (it starts slowly). */
  const batch: [string, readonly unknown[]][] = [];
  let results: Json[] = [];
  const later = (name: string, args: readonly unknown[]) => batch.push([name, args]) - 1;
  beforeAll(() => {
    fs.writeFileSync(path.join(dir, 'topology.py'), renderTopologyScript());
    results = python(dir, batch);
  });

  /** Registers plan() for each case (pods as [name, zone] in ordinal order); the returned function reads the plans. */
  function plans(cases: readonly { pods: readonly [string, string][]; shards: number; replicas: number }[]): () => Plan[] {
    const at = cases.map((c) => later('plan', [c.pods.map(([name, zone]) => [name, zone, `${name}:6379`]), c.shards, c.replicas]));
    return () =>
      at.map((k, i) => {
        const r = results[k];
        if (r.error) return { masters: [], replicas: [], error: r.error };
        const name = (j: number) => cases[i].pods[j][0];
        const [masters, replicaOf] = r as [number[], Record<string, number>];
        return { masters: masters.map(name), replicas: Object.entries(replicaOf).map(([rep, m]) => [name(Number(rep)), name(m)]) };
      });
  }

  describe('plan: the placement', () => {
    const sixPods: [string, string][] = [
      ['r0', 'a'],
      ['r1', 'b'],
      ['r2', 'c'],
      ['r3', 'a'],
      ['r4', 'b'],
      ['r5', 'c'],
    ];
    const six = plans([{ pods: sixPods, shards: 3, replicas: 1 }]);
    it('puts masters one per zone and each replica in the next zone', () => {
      const plan = six()[0];
      expect(plan.masters).toEqual(['r0', 'r1', 'r2']);
      expect(plan.replicas.sort()).toEqual([
        ['r3', 'r2'],
        ['r4', 'r0'],
        ['r5', 'r1'],
      ]);
    });

    const balancedScenario = (() => {
      const scenario = fc
        .record({ zones: fc.integer({ min: 2, max: 4 }), shards: fc.integer({ min: 3, max: 6 }), replicas: fc.integer({ min: 1, max: 3 }) })
        // More replicas per shard than other zones cannot all avoid the master's zone, by counting alone.
        .filter(({ zones, replicas }) => replicas < zones)
        .chain(({ zones, shards, replicas }) => {
          const n = shards * (1 + replicas);
          // Balanced as topology spread with maxSkew 1 leaves them, in any pod order.
          const zoneOf = Array.from({ length: n }, (_, i) => `z${i % zones}`);
          return fc.shuffledSubarray(zoneOf, { minLength: n, maxLength: n }).map((order) => ({ shards, replicas, order }));
        });
      // One python3 run for all cases: fc.sample draws them (seeded), the assertions check each.
      const cases = fc.sample(scenario, { numRuns: 150, seed: 27 }).map(({ shards, replicas, order }) => ({
        shards,
        replicas,
        pods: order.map((zone, i) => [`p${i}`, zone] as [string, string]),
      }));
      return { cases, plans: plans(cases) };
    })();
    it('never shares a zone between a master and its replicas when pods are balanced over 2-4 zones and replicas < zones', () => {
      const { cases } = balancedScenario;
      balancedScenario.plans().forEach((plan, i) => {
        const { shards, replicas, pods } = cases[i];
        const zone = new Map(pods);
        const used = [...plan.masters, ...plan.replicas.map(([r]) => r)];
        expect(plan.masters).toHaveLength(shards);
        expect(plan.replicas).toHaveLength(shards * replicas);
        expect(new Set(used).size).toBe(used.length);
        expect(plan.replicas.filter(([r, m]) => zone.get(r) === zone.get(m))).toEqual([]);
      });
    });

    const twoReplicas = (() => {
      const scenario = fc.integer({ min: 3, max: 8 }).chain((shards) => {
        const zoneOf = Array.from({ length: shards * 3 }, (_, i) => `z${i % 3}`);
        return fc.shuffledSubarray(zoneOf, { minLength: shards * 3, maxLength: shards * 3 }).map((order) => ({ shards, order }));
      });
      const cases = fc.sample(scenario, { numRuns: 100, seed: 27 }).map(({ shards, order }) => ({
        shards,
        replicas: 2,
        pods: order.map((zone, i) => [`p${i}`, zone] as [string, string]),
      }));
      return { cases, plans: plans(cases) };
    })();
    it('puts each of 2 replicas in one of the two other zones, so any one zone lost leaves every shard a master and a replica', () => {
      const { cases } = twoReplicas;
      twoReplicas.plans().forEach((plan, i) => {
        const zone = new Map(cases[i].pods);
        for (const m of plan.masters) {
          const zones = [m, ...plan.replicas.filter(([, master]) => master === m).map(([r]) => r)].map((p) => zone.get(p));
          expect(new Set(zones).size).toBe(3);
        }
      });
    });

    const oneZone = plans([{ pods: Array.from({ length: 6 }, (_, i) => [`p${i}`, 'only'] as [string, string]), shards: 3, replicas: 1 }]);
    it('falls back to the same zone in a one-zone cluster rather than leaving a replica out', () => {
      expect(oneZone()[0].replicas).toHaveLength(3);
    });

    const misshapen = plans([{ pods: [['p0', 'a']], shards: 3, replicas: 1 }]);
    it('refuses a pod list that does not match the shape', () => {
      expect(misshapen()[0].error).toBe('1 pods listed, 6 expected');
    });
  });

  describe('choose_move: the rebalancer decision', () => {
    const node = (pod: string, zone: string, role: 'master' | 'replica', master = '-', linkUp = true) => ({
      id: pod,
      pod,
      zone,
      role,
      master,
      link_up: linkUp,
    });
    /** prod after a failover: r1 (zone b) took over r0's shard, so b holds two masters and a none. */
    const skewed = [
      node('r0', 'a', 'replica', 'r1'),
      node('r1', 'b', 'master'),
      node('r2', 'c', 'replica', 'r1'),
      node('r3', 'a', 'replica', 'r4'),
      node('r4', 'b', 'master'),
      node('r5', 'c', 'replica', 'r4'),
      node('r6', 'a', 'replica', 'r8'),
      node('r7', 'b', 'replica', 'r8'),
      node('r8', 'c', 'master'),
    ];
    /** Registers choose_move(nodes); the returned function reads [master pod, replica pod] or null. */
    const move = (nodes: Json[]) => {
      const at = later('choose_move', [nodes]);
      return () => (results[at] === null ? null : [results[at][0].pod, results[at][1].pod]);
    };

    const fromSkewed = move(skewed);
    it('promotes the replica of a doubled-up zone’s master that sits in the zone without one', () => {
      expect(fromSkewed()).toEqual(['r1', 'r0']);
    });

    const balanced = move(
      skewed.map((n) =>
        n.pod === 'r0'
          ? node('r0', 'a', 'master')
          : n.pod === 'r1'
            ? node('r1', 'b', 'replica', 'r0')
            : n.master === 'r1'
              ? { ...n, master: 'r0' }
              : n,
      ),
    );
    it('does nothing when every zone holds one master', () => {
      expect(balanced()).toBeNull();
    });

    const linkDown = move(skewed.map((n) => (n.pod === 'r0' || n.pod === 'r3' ? { ...n, link_up: false } : n)));
    it('never promotes a replica whose link to its master is down (it could lack acknowledged writes)', () => {
      expect(linkDown()).toBeNull();
    });

    // Zone a is down (its nodes absent): b holds 2 masters, c 1.
    const zoneDown = move(skewed.filter((n) => n.zone !== 'a'));
    it('never moves a master into a zone that would then hold as many: a lost zone leaves 2 and 1, not worth a failover', () => {
      expect(zoneDown()).toBeNull();
    });
  });

  describe('shard_problems: the topology check', () => {
    const zoneOf = { m1: 'a', m2: 'b', m3: 'c', r1: 'b', r2: 'c', r3: 'a' };
    const view = (over: Record<string, Json> = {}) => ({
      m1: { addr: 'm1', flags: ['master'], master: '-', slots: [[0, 5460]] },
      m2: { addr: 'm2', flags: ['master'], master: '-', slots: [[5461, 10922]] },
      m3: { addr: 'm3', flags: ['master'], master: '-', slots: [[10923, 16383]] },
      r1: { addr: 'r1', flags: ['slave'], master: 'm1', slots: [] },
      r2: { addr: 'r2', flags: ['slave'], master: 'm2', slots: [] },
      r3: { addr: 'r3', flags: ['slave'], master: 'm3', slots: [] },
      ...over,
    });
    // flags arrive as lists from JSON; the script tests membership with `in`, which works on both.
    const problems = (v: Json) => {
      const at = later('shard_problems', [v, zoneOf, 3, 1]);
      return () => results[at] as string[];
    };

    const intended = problems(view());
    it('finds nothing wrong with the intended shape', () => {
      expect(intended()).toEqual([]);
    });

    const unattached = problems(view({ r2: { addr: 'r2', flags: ['master'], master: '-', slots: [] } }));
    it('names a replica that never attached (an empty master) and the shard left without it', () => {
      expect(unattached()).toEqual(['r2 is an empty master (not yet a replica)', 'master m2 has 0 replicas, 1 intended']);
    });

    const misplaced = problems(
      view({
        m3: { addr: 'm3', flags: ['master'], master: '-', slots: [[10923, 16000]] },
        r1: { addr: 'r1', flags: ['slave'], master: 'm2', slots: [] },
        r2: { addr: 'r2', flags: ['slave'], master: 'm1', slots: [] },
      }),
    );
    it('names unserved slots and a replica in its master’s zone', () => {
      expect(misplaced()).toEqual(['16001 of 16384 slots served', 'master m2 has a replica in its own zone b']);
    });
  });
});
