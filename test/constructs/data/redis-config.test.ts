import { spawnSync } from 'child_process';
import { Duration, Size } from 'cdk8s';
import fc from 'fast-check';
import { PLACEMENT_AWK, maxmemoryFor, renderBootstrapScript, renderRedisConf } from '../../../constructs/data/redis-config';

/** Runs the placement program with the real awk, as the bootstrap Job does. */
function place(
  pods: readonly [string, string][],
  shards: number,
  replicas: number,
): { masters: string[]; replicas: [string, string][]; code: number } {
  const input = pods.map(([name, zone]) => `${name} ${zone} ${name}:6379`).join('\n') + '\n';
  const r = spawnSync('awk', ['-v', `shards=${shards}`, '-v', `replicas=${replicas}`, PLACEMENT_AWK], { input, encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n').filter(Boolean);
  return {
    masters: lines.filter((l) => l.startsWith('M ')).map((l) => l.split(' ')[1].split(':')[0]),
    replicas: lines
      .filter((l) => l.startsWith('R '))
      .map((l) => [l.split(' ')[1].split(':')[0], l.split(' ')[2].split(':')[0]] as [string, string]),
    code: r.status ?? -1,
  };
}

describe('renderRedisConf', () => {
  const conf = renderRedisConf({ maxmemoryBytes: maxmemoryFor(Size.gibibytes(4)), clusterNodeTimeout: Duration.millis(2000) });

  it('sets maxmemory to 75% of the container limit and evicts LRU', () => {
    expect(conf).toMatch(/^maxmemory 3221225472$/m);
    expect(conf).toMatch(/^maxmemory-policy allkeys-lru$/m);
  });

  it('announces hostnames and keeps nodes.conf in the data directory', () => {
    expect(conf).toMatch(/^cluster-preferred-endpoint-type hostname$/m);
    expect(conf).toMatch(/^cluster-config-file nodes.conf$/m);
    expect(conf).toMatch(/^dir \/data$/m);
    expect(conf).toMatch(/^cluster-node-timeout 2000$/m);
  });

  it('persists with AOF everysec plus RDB snapshots, or not at all', () => {
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^appendfsync everysec$/m);
    expect(conf).toMatch(/^save 3600 1 300 100 60 10000$/m);
    const off = renderRedisConf({ maxmemoryBytes: 1, clusterNodeTimeout: Duration.seconds(2), persistence: 'none' });
    expect(off).toMatch(/^appendonly no$/m);
    expect(off).toMatch(/^save ""$/m);
  });

  it('never contains a secret: auth comes from the run-time include', () => {
    expect(conf).not.toMatch(/requirepass|masterauth/);
    expect(conf.trim().split('\n').pop()).toBe('include /run/redis/runtime.conf');
  });

  it('rounds maxmemory down to whole MiB for any limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 262144 }), (mib) => maxmemoryFor(Size.mebibytes(mib)) === Math.floor(mib * 0.75) * 1048576),
    );
  });
});

describe('the placement program', () => {
  it('puts masters one per zone and each replica in the next zone', () => {
    const pods: [string, string][] = [
      ['r0', 'a'],
      ['r1', 'b'],
      ['r2', 'c'],
      ['r3', 'a'],
      ['r4', 'b'],
      ['r5', 'c'],
    ];
    expect(place(pods, 3, 1)).toEqual({
      masters: ['r0', 'r1', 'r2'],
      replicas: [
        ['r4', 'r0'],
        ['r5', 'r1'],
        ['r3', 'r2'],
      ],
      code: 0,
    });
  });

  it('never shares a zone between a master and its replicas when pods are balanced over 2-4 zones and replicas < zones', () => {
    const scenario = fc
      .record({
        zones: fc.integer({ min: 2, max: 4 }),
        shards: fc.integer({ min: 3, max: 6 }),
        replicas: fc.integer({ min: 1, max: 3 }),
        seed: fc.integer(),
      })
      // More replicas per shard than other zones cannot all avoid the master's zone, by counting alone.
      .filter(({ zones, replicas }) => replicas < zones)
      .chain(({ zones, shards, replicas, seed }) => {
        const n = shards * (1 + replicas);
        // Balanced as topology spread with maxSkew 1 leaves them, in any pod order.
        const zoneOf = Array.from({ length: n }, (_, i) => `z${i % zones}`);
        return fc.shuffledSubarray(zoneOf, { minLength: n, maxLength: n }).map((order) => ({ zones, shards, replicas, seed, order }));
      });
    fc.assert(
      fc.property(scenario, ({ shards, replicas, order }) => {
        const pods = order.map((zone, i) => [`p${i}`, zone] as [string, string]);
        const zone = new Map(pods);
        const plan = place(pods, shards, replicas);
        const used = [...plan.masters, ...plan.replicas.map(([r]) => r)];
        return (
          plan.code === 0 &&
          plan.masters.length === shards &&
          plan.replicas.length === shards * replicas &&
          new Set(used).size === used.length &&
          plan.replicas.every(([r, m]) => zone.get(r) !== zone.get(m))
        );
      }),
      { numRuns: 60 },
    );
  });

  it('puts each of 2 replicas in one of the two other zones, so any one zone lost leaves every shard a master and a replica', () => {
    const scenario = fc.record({ shards: fc.integer({ min: 3, max: 8 }), seed: fc.integer() }).chain(({ shards }) => {
      const n = shards * 3;
      const zoneOf = Array.from({ length: n }, (_, i) => `z${i % 3}`);
      return fc.shuffledSubarray(zoneOf, { minLength: n, maxLength: n }).map((order) => ({ shards, order }));
    });
    fc.assert(
      fc.property(scenario, ({ shards, order }) => {
        const pods = order.map((zone, i) => [`p${i}`, zone] as [string, string]);
        const zone = new Map(pods);
        const plan = place(pods, shards, 2);
        return plan.masters.every((m) => {
          const zones = [m, ...plan.replicas.filter(([, master]) => master === m).map(([r]) => r)].map((p) => zone.get(p));
          return zones.length === 3 && new Set(zones).size === 3;
        });
      }),
      { numRuns: 60 },
    );
  });

  it('falls back to the same zone in a one-zone cluster rather than leaving a replica out', () => {
    const plan = place(
      Array.from({ length: 6 }, (_, i) => [`p${i}`, 'only'] as [string, string]),
      3,
      1,
    );
    expect(plan.replicas).toHaveLength(3);
  });

  it('refuses a pod list that does not match the shape', () => {
    expect(place([['p0', 'a']], 3, 1).code).toBe(2);
  });
});

describe('renderBootstrapScript', () => {
  it('is valid POSIX sh', () => {
    const r = spawnSync('sh', ['-n'], { input: renderBootstrapScript(), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
