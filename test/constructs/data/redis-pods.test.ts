import { resolveDefaults } from '../../../constructs/data/redis-cluster-props';
import { bootstrapPodSpec, redisPodSpec, runtimeConfigContainer, scriptsVolume, sharedSettings } from '../../../constructs/data/redis-pods';
import { REDIS_PROPS } from '../../support/redis-props';

describe('the RedisCluster pod builders, alone', () => {
  const r = resolveDefaults('redis', REDIS_PROPS);
  const shared = sharedSettings(r);

  it('builds the pod: runtime config first, then redis and the exporter, spread over zones and hosts', () => {
    const pod = redisPodSpec(r, shared);
    expect(pod.initContainers!.map((c) => c.name)).toEqual(['runtime-config']);
    expect(pod.containers.map((c) => c.name)).toEqual(['redis', 'exporter']);
    expect(pod.topologySpreadConstraints!.map((c) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
  });

  it('mounts redis.conf and the preStop script from the ConfigMap named like the cluster, each as its own file', () => {
    expect(redisPodSpec(r, shared).volumes![0]).toEqual({
      name: 'config',
      configMap: {
        name: 'redis',
        items: [
          { key: 'redis.conf', path: 'redis.conf' },
          { key: 'prestop.sh', path: 'prestop.sh' },
        ],
      },
    });
  });

  it('runs the resolved engine: Valkey when none is chosen', () => {
    const server = redisPodSpec(r, shared).containers[0];
    expect(server.command).toEqual(['valkey-server', '/etc/redis/redis.conf']);
    expect(server.readinessProbe!.exec!.command).toEqual(['sh', '-c', 'valkey-cli ping | grep -q PONG']);
  });

  it('reads the password from the resolved Secret key, "password" when none is given', () => {
    expect(shared.password).toEqual({ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } });
    const custom = sharedSettings(resolveDefaults('redis', { ...REDIS_PROPS, auth: { secretName: 's', key: 'k' } }));
    expect(custom.password.valueFrom).toEqual({ secretKeyRef: { name: 's', key: 'k' } });
  });

  it('announces the stable per-pod hostname through the headless Service', () => {
    expect(runtimeConfigContainer('redis:7', shared).command![2]).toContain('$POD_NAME.redis-headless.$POD_NAMESPACE.svc.cluster.local');
  });

  it('hands the bootstrap the shape of the cluster and the zone lookup its namespace, selector and node count', () => {
    const pod = bootstrapPodSpec('redis-bootstrap', 6, r, shared);
    expect(pod.initContainers![0].command!.slice(3)).toEqual([
      'web',
      expect.stringContaining('app.kubernetes.io/name=redis'),
      '6',
      'redis-headless',
      '/work/placement',
    ]);
    expect(pod.containers[0].command!.slice(2)).toEqual(['/scripts/topology.py', 'bootstrap', '/work/placement', '3', '1']);
    expect(pod.containers[0].env).toEqual([shared.password]);
    expect(pod.initContainers![0].env).toBeUndefined();
  });

  it('gives the bootstrap and the rebalancer the same two scripts, each as its own file', () => {
    expect(bootstrapPodSpec('redis-bootstrap', 6, r, shared).volumes![1]).toEqual(scriptsVolume('redis'));
    expect(scriptsVolume('redis').configMap!.items).toEqual([
      { key: 'topology.py', path: 'topology.py' },
      { key: 'placement.py', path: 'placement.py' },
    ]);
  });
});
