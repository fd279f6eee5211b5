import { Duration, Size } from 'cdk8s';
import fc from 'fast-check';
import { maxmemoryFor, renderRedisConf } from '../../../constructs/data/redis-config';

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
