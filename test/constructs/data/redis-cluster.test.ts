import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { KeyValueEngine } from '../../../constructs/data/redis-engine';
import { RedisCluster, RedisClusterProps } from '../../../constructs/data/redis-cluster';
import { schemaValidator } from '../../support/k8s-schema';
import { REDIS_PROPS } from '../../support/redis-props';
import { findObject, freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const base = REDIS_PROPS;

function synth(overrides: Partial<RedisClusterProps> = {}) {
  const chart = freshChart();
  const redis = new RedisCluster(chart, 'redis', { ...base, ...overrides });
  const objects = objectsOf(chart);
  return { redis, objects, get: (kind: string, name?: string): Json => findObject(objects, kind, name) };
}

describe('RedisCluster', () => {
  const { redis, objects, get } = synth();
  const sts = get('StatefulSet');
  const pod = sts.spec.template.spec;

  it('runs shards x (1 + replicas) nodes, started in parallel', () => {
    expect(sts.spec.replicas).toBe(6);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.serviceName).toBe('redis-headless');
  });

  it('detects failures after 1.5 s by default, for a failover within 5 s', () => {
    expect(redis.redisConf).toMatch(/^cluster-node-timeout 2000$/m);
  });

  it('limits memory to the node size and sets maxmemory to 75% of it', () => {
    expect(pod.containers[0].resources.limits.memory).toBe('2048Mi');
    expect(redis.redisConf).toMatch(/^maxmemory 1610612736$/m);
  });

  it('keeps nodes.conf and data on a persistent volume that outlives the pod', () => {
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  it('announces a stable hostname per pod and reads the password from the Secret only', () => {
    const init = pod.initContainers[0];
    expect(init.command[2]).toContain('cluster-announce-hostname $POD_NAME.redis-headless.$POD_NAMESPACE.svc.cluster.local');
    expect(init.env[0]).toEqual({ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } });
    expect(JSON.stringify(objects)).not.toMatch(/requirepass [^$]/);
  });

  it('publishes not-ready peers on the headless Service so the cluster can form', () => {
    const headless = get('Service', 'redis-headless');
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(headless.spec.ports.map((p: Json) => p.port)).toEqual([6379, 16379]);
  });

  it('spreads nodes over zones and hosts', () => {
    expect(pod.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
    });
    expect(pod.topologySpreadConstraints[0].matchLabelKeys).toBeUndefined();
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe(
      'kubernetes.io/hostname',
    );
  });

  it('bootstraps with the shape of the cluster and the zone lookup it needs', () => {
    const job = get('Job');
    expect(job.spec.template.spec.containers[0].command).toEqual([
      'python3',
      '-B',
      '/scripts/topology.py',
      'bootstrap',
      '/work/placement',
      '3',
      '1',
    ]);
    expect(job.spec.template.spec.containers[0].image).toBe('registry.example.com/cloudnative-pg/postgresql:16.4');
    expect(get('ConfigMap').data['topology.py']).toContain('def bootstrap(');
    const placement = job.spec.template.spec.initContainers[0];
    expect(placement.image).toBe('registry.example.com/cloudnative-pg/postgresql:16.4');
    expect(placement.command).toEqual([
      'python3',
      '-B',
      '/scripts/placement.py',
      'web',
      expect.stringContaining('app.kubernetes.io/name=redis'),
      '6',
      'redis-headless',
      '/work/placement',
    ]);
    expect(get('ConfigMap').data['placement.py']).toContain('topology.kubernetes.io/zone');
    expect(get('ClusterRole').rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }]);
    expect(get('Role').rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
  });

  it('lets one node at a time go', () => {
    expect(get('PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  it('admits labelled clients, peers on the bus and Prometheus on the exporter only', () => {
    const np = get('NetworkPolicy', 'redis');
    expect(np.spec.ingress[0]).toEqual({
      from: [{ podSelector: { matchLabels: { 'redis.perfstack.io/client': 'redis' } } }],
      ports: [{ port: 6379, protocol: 'TCP' }],
    });
    expect(np.spec.ingress[1].ports.map((p: Json) => p.port)).toEqual([6379, 16379]);
    expect(np.spec.ingress[3]).toEqual({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis-rebalancer' } } }],
      ports: [{ port: 6379, protocol: 'TCP' }],
    });
    expect(np.spec.ingress[4].ports).toEqual([{ port: 9121, protocol: 'TCP' }]);
  });

  it('runs Valkey by default: its server, its client in the probes and the preStop hand-over', () => {
    const [server] = pod.containers;
    expect(redis.engine.name).toBe('valkey');
    expect(server.command).toEqual(['valkey-server', '/etc/redis/redis.conf']);
    expect(server.readinessProbe.exec.command).toEqual(['sh', '-c', 'valkey-cli ping | grep -q PONG']);
    expect(server.lifecycle.preStop.exec.command).toEqual(['sh', '/etc/redis/prestop.sh', '6379']);
    expect(get('ConfigMap').data['prestop.sh']).toContain('valkey-cli -h "$ip" -p "$rport" cluster failover');
    expect(pod.volumes[0].configMap.items.map((i: Json) => i.key)).toEqual(['redis.conf', 'prestop.sh']);
    // Room for the hand-over (at most 20 s per replica tried) before the kubelet kills the server.
    expect(pod.terminationGracePeriodSeconds).toBe(60);
  });

  it('runs Redis where chosen, with redis-cli everywhere Valkey used valkey-cli', () => {
    const chosen = synth({ engine: KeyValueEngine.redis(), image: 'registry.example.com/library/redis:7.2.5' });
    const server = chosen.get('StatefulSet').spec.template.spec.containers[0];
    expect(server.command[0]).toBe('redis-server');
    expect(server.startupProbe.exec.command[2]).toBe('redis-cli ping | grep -q PONG');
    expect(chosen.get('ConfigMap').data['prestop.sh']).not.toContain('valkey-cli');
    expect(KeyValueEngine.redis().licence).toMatch(/BSD-3-Clause up to 7\.2\.x; RSALv2\/SSPLv1 from 7\.4/);
  });

  it('rebalances masters with one loop, least privilege, Events and metrics', () => {
    const deployment = get('Deployment', 'redis-rebalancer');
    expect(deployment.spec.replicas).toBe(1);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.command).toEqual([
      'python3',
      '-B',
      '/scripts/topology.py',
      'rebalance',
      'web',
      expect.stringContaining('app.kubernetes.io/name=redis'),
    ]);
    expect(container.image).toBe(base.placementImage);
    expect(get('Role', 'redis-rebalancer').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
    expect(get('ClusterRole', 'web-redis-rebalancer').rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]);
    const np = get('NetworkPolicy', 'redis-rebalancer');
    expect(np.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 443, protocol: 'TCP' }] }]);
    expect(np.spec.ingress[0].ports).toEqual([{ port: 9122, protocol: 'TCP' }]);
    expect(get('ServiceMonitor', 'redis-rebalancer').spec.selector.matchLabels['perfstack.io/metrics']).toBe('redis-rebalancer');
    expect(get('Service', 'redis-rebalancer').metadata.labels['perfstack.io/metrics']).toBe('redis-rebalancer');
  });

  it('scrapes the exporter and alerts on the cluster', () => {
    expect(get('ServiceMonitor').spec.endpoints).toEqual([{ port: 'metrics', interval: '15s' }]);
    const alerts = get('PrometheusRule').spec.groups[0].rules.map((r: Json) => r.alert);
    expect(alerts).toEqual([
      'RedisShardWithoutMaster',
      'RedisNodeNotInCluster',
      'RedisMastersSharingZone',
      'RedisRebalancerDown',
      'RedisClusterStateNotOk',
      'RedisShardWithoutReplica',
      'RedisMemoryNearMaxmemory',
      'RedisEvictingKeys',
      'RedisRejectedConnections',
    ]);
  });

  it('runs every container non-root with a read-only root filesystem', () => {
    const containers = [
      ...pod.initContainers,
      ...pod.containers,
      ...get('Job').spec.template.spec.initContainers,
      ...get('Job').spec.template.spec.containers,
      ...get('Deployment').spec.template.spec.containers,
    ];
    for (const c of containers)
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  it('is schema-valid', () => {
    const v = schemaValidator();
    expect(objects.flatMap((o) => v.validate(o))).toEqual([]);
  });

  it.each([
    [{ shards: 2 }, "test/redis: 'shards' (2) must be at least 3"],
    [{ shards: 3.5 }, "test/redis: 'shards' (3.5) must be a whole number >= 3"],
    [{ zones: 2.5 }, "test/redis: 'zones' (2.5) must be a whole number >= 1"],
    [{ replicasPerShard: 0 }, "test/redis: 'replicasPerShard' (0) must be at least 1 when the cluster spans 3 zones"],
    [{ maxmemory: Size.gibibytes(3) }, "test/redis: 'maxmemory' (3072Mi) must not exceed the container memory limit (2048Mi)"],
    [{ clusterNodeTimeout: Duration.millis(100) }, "test/redis: 'clusterNodeTimeout' (100ms) must be between 500ms and 60s"],
  ] as [Partial<RedisClusterProps>, string][])('rejects %o', (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });

  it('allows a dev cluster without replicas in one zone, with nothing to rebalance', () => {
    const dev = synth({ zones: 1, replicasPerShard: 0 });
    expect(dev.get('StatefulSet').spec.replicas).toBe(3);
    expect(dev.redis.rebalancer).toBeUndefined();
    expect(dev.objects.filter((o) => o.kind === 'Deployment')).toEqual([]);
    expect(dev.get('PrometheusRule').spec.groups[0].rules.map((r: Json) => r.alert)).not.toContain('RedisMastersSharingZone');
  });
});

describe('RedisCluster input checks', () => {
  const errorOf = (overrides: Partial<RedisClusterProps>): string => {
    try {
      synth(overrides);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('refuses a memory so small that maxmemory rounds to 0, naming the memory written and the derived value second', () => {
    expect(errorOf({ memory: Size.mebibytes(1) })).toBe(
      "test/redis: 'memory' (1Mi) must be at least 2Mi: maxmemory, 75% of it in whole MiB, would be 0Mi, which Redis reads as no limit at all",
    );
    expect(() => synth({ memory: Size.mebibytes(2) })).not.toThrow();
  });

  it('refuses an explicit maxmemory of 0', () => {
    expect(errorOf({ maxmemory: Size.mebibytes(0) })).toBe("test/redis: 'maxmemory' (0Mi) must be above zero");
  });

  it('checks storage before converting it to GiB, instead of a cdk8s stack trace', () => {
    expect(errorOf({ storage: Size.mebibytes(512) })).toBe(
      "test/redis: 'storage' (512Mi) must be a whole number of gibibytes, e.g. Size.gibibytes(1)",
    );
  });

  it('refuses a node timeout that cannot be written in milliseconds, and CPU of zero', () => {
    expect(errorOf({ cpu: Cpu.millis(0), clusterNodeTimeout: Duration.seconds(0) }).split('\n')).toEqual([
      "test/redis: 'cpu' (0m) must be above zero, e.g. Cpu.millis(250)",
      "test/redis: 'clusterNodeTimeout' (0 seconds) must be above zero",
    ]);
  });
});
