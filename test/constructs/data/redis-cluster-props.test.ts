import { Duration, Size } from 'cdk8s';
import { DEFAULT_CLUSTER_NODE_TIMEOUT, resolveDefaults } from '../../../constructs/data/redis-cluster-props';
import { KeyValueEngine } from '../../../constructs/data/redis-engine';
import { REDIS_PROPS } from '../../support/redis-props';

describe('resolveDefaults (RedisCluster)', () => {
  it('applies every default where an optional prop is left out', () => {
    const r = resolveDefaults('cache', REDIS_PROPS);
    expect(r).toMatchObject({
      name: 'cache',
      maxmemoryBytes: 1536 * 1024 * 1024,
      maxmemoryPolicy: 'allkeys-lru',
      persistence: 'aof-and-rdb',
      clusterNodeTimeout: DEFAULT_CLUSTER_NODE_TIMEOUT,
      storageClass: undefined,
      auth: { secretName: 'redis-auth', key: 'password' },
      monitoringNamespace: 'monitoring',
      labels: {},
    });
    expect(r.engine.name).toBe('valkey');
    expect(DEFAULT_CLUSTER_NODE_TIMEOUT.toMilliseconds()).toBe(2000);
  });

  it('keeps every value given, and the required props as they are', () => {
    const given = {
      ...REDIS_PROPS,
      name: 'sessions',
      maxmemory: Size.mebibytes(1000),
      maxmemoryPolicy: 'noeviction' as const,
      persistence: 'none' as const,
      clusterNodeTimeout: Duration.millis(1500),
      storageClass: 'gp3',
      auth: { secretName: 'redis-auth', key: 'secret' },
      engine: KeyValueEngine.redis(),
      monitoringNamespace: 'observability',
      labels: { team: 'web' },
    };
    const r = resolveDefaults('cache', given);
    expect(r).toMatchObject({
      name: 'sessions',
      maxmemoryBytes: 1000 * 1024 * 1024,
      maxmemoryPolicy: 'noeviction',
      persistence: 'none',
      clusterNodeTimeout: given.clusterNodeTimeout,
      storageClass: 'gp3',
      auth: { secretName: 'redis-auth', key: 'secret' },
      monitoringNamespace: 'observability',
      labels: { team: 'web' },
      shards: 3,
      memory: REDIS_PROPS.memory,
    });
    expect(r.engine.name).toBe('redis');
  });

  it('keeps no raw maxmemory beside the resolved byte count', () => {
    expect('maxmemory' in resolveDefaults('cache', { ...REDIS_PROPS, maxmemory: Size.mebibytes(512) })).toBe(false);
  });
});
