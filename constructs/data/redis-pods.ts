/**
 * The pods of a {@link RedisCluster}, as pure functions of its resolved props: the Redis node (runtime-config init
 * container, the server, the exporter sidecar) and the bootstrap Job's pod. The rebalancer mounts the same scripts.
 */
import { k8s } from 'cdk8s-plus-28';
import { imageTag } from '../../manifests/images';
import { appLabels, selectorLabels } from '../core/labels';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { PRIORITY_CLASSES } from '../workload/capacity-class';
import { hostAntiAffinity, topologySpread } from '../workload/topology';
import { ResolvedRedisClusterProps } from './redis-cluster-props';

/** What every object of one Redis Cluster shares. */
export interface SharedSettings {
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  /** Name of the headless Service that gives each pod its stable DNS name. */
  readonly headless: string;
  readonly podSecurity: k8s.PodSecurityContext;
  readonly containerSecurity: k8s.SecurityContext;
  /** `REDISCLI_AUTH` from the auth Secret: redis-cli and the init container read it. */
  readonly password: k8s.EnvVar;
}

export function sharedSettings(r: ResolvedRedisClusterProps): SharedSettings {
  const identity = {
    name: r.name,
    instance: `${r.name}-${r.namespace}`,
    component: 'cache',
    partOf: 'perfstack',
    version: imageTag(r.image),
  };
  return {
    labels: { ...appLabels(identity), ...r.labels },
    selector: selectorLabels(identity),
    headless: `${r.name}-headless`,
    podSecurity: restrictedPodSecurity(999),
    containerSecurity: restrictedContainerSecurity(),
    password: { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: r.auth.secretName, key: r.auth.key } } },
  };
}

/** The Redis pod: runtime-config init container, redis-server and the exporter sidecar, spread over zones and hosts. */
export function redisPodSpec(r: ResolvedRedisClusterProps, s: SharedSettings): k8s.PodSpec {
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    priorityClassName: PRIORITY_CLASSES.critical.name,
    // The preStop hand-over (at most PRESTOP_FAILOVER_SECONDS per replica tried), then a clean shutdown.
    terminationGracePeriodSeconds: 60,
    securityContext: s.podSecurity,
    topologySpreadConstraints: topologySpread(s.selector, r.zones).map((c) => ({ ...c, matchLabelKeys: undefined })),
    affinity: { podAntiAffinity: hostAntiAffinity(s.selector) },
    initContainers: [runtimeConfigContainer(r.image, s)],
    containers: [redisContainer(r, s), exporterContainer(r.exporterImage, s)],
    volumes: [
      configMapVolume('config', r.name, ['redis.conf', 'prestop.sh']),
      { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
    ],
  };
}

/** Writes the run-time include: secrets and the stable per-pod hostname. */
export function runtimeConfigContainer(image: string, s: SharedSettings): k8s.Container {
  const runtimeConf =
    'umask 077; { echo "requirepass $REDISCLI_AUTH"; echo "masterauth $REDISCLI_AUTH"; ' +
    `echo "cluster-announce-hostname $POD_NAME.${s.headless}.$POD_NAMESPACE.svc.cluster.local"; } > /run/redis/runtime.conf`;
  return {
    name: 'runtime-config',
    image,
    command: ['sh', '-c', runtimeConf],
    env: [s.password, fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('POD_NAMESPACE', 'metadata.namespace')],
    securityContext: s.containerSecurity,
    resources: smallResources('10m', '16Mi', '32Mi'),
    volumeMounts: [{ name: 'run', mountPath: '/run/redis' }],
  };
}

export function redisContainer(r: ResolvedRedisClusterProps, s: SharedSettings): k8s.Container {
  const memory = k8s.Quantity.fromString(`${Math.round(r.memory.toMebibytes())}Mi`);
  const ping = ['sh', '-c', `${r.engine.cli} ping | grep -q PONG`];
  return {
    name: 'redis',
    image: r.image,
    command: [r.engine.server, '/etc/redis/redis.conf'],
    ports: [
      { name: 'redis', containerPort: 6379, protocol: 'TCP' },
      { name: 'bus', containerPort: 16379, protocol: 'TCP' },
    ],
    env: [s.password, { name: 'PRESTOP_FAILOVER_SECONDS', value: '20' }],
    resources: { requests: { cpu: k8s.Quantity.fromString(r.cpu.amount), memory }, limits: { memory } },
    securityContext: s.containerSecurity,
    // PING answers LOADING while the AOF replays: the startup probe allows for that, then liveness applies.
    startupProbe: { exec: { command: ping }, periodSeconds: 5, failureThreshold: 120, timeoutSeconds: 3 },
    readinessProbe: { exec: { command: ping }, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 3 },
    livenessProbe: {
      tcpSocket: { port: k8s.IntOrString.fromString('redis') },
      periodSeconds: 10,
      failureThreshold: 6,
      timeoutSeconds: 3,
    },
    lifecycle: { preStop: { exec: { command: ['sh', '/etc/redis/prestop.sh', '6379'] } } },
    volumeMounts: [
      { name: 'data', mountPath: '/data' },
      { name: 'config', mountPath: '/etc/redis' },
      { name: 'run', mountPath: '/run/redis' },
    ],
  };
}

export function exporterContainer(image: string, s: SharedSettings): k8s.Container {
  const health = { httpGet: { path: '/health', port: k8s.IntOrString.fromString('metrics') } };
  return {
    name: 'exporter',
    image,
    ports: [{ name: 'metrics', containerPort: 9121, protocol: 'TCP' }],
    env: [
      { name: 'REDIS_ADDR', value: 'redis://127.0.0.1:6379' },
      { name: 'REDIS_PASSWORD', valueFrom: s.password.valueFrom },
    ],
    resources: smallResources('25m', '32Mi', '64Mi'),
    securityContext: s.containerSecurity,
    readinessProbe: { ...health, periodSeconds: 10 },
    livenessProbe: { ...health, periodSeconds: 30, failureThreshold: 3 },
  };
}

export function dataVolumeClaim(selector: Record<string, string>, r: ResolvedRedisClusterProps): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name: 'data', labels: { ...selector } },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: r.storageClass,
      resources: { requests: { storage: k8s.Quantity.fromString(`${r.storage.toGibibytes()}Gi`) } },
    },
  };
}

/**
 * The bootstrap pod: the zone lookup (placement.py) writes the placement file, then `topology.py bootstrap` creates
 * or completes the cluster from it, both in the python image.
 */
export function bootstrapPodSpec(jobName: string, nodes: number, r: ResolvedRedisClusterProps, s: SharedSettings): k8s.PodSpec {
  const python = (name: string, command: string[]): k8s.Container => ({
    name,
    image: r.placementImage,
    command: ['python3', '-B', ...command],
    securityContext: s.containerSecurity,
    resources: smallResources('50m', '64Mi', '128Mi'),
    volumeMounts: [
      { name: 'work', mountPath: '/work' },
      { name: 'scripts', mountPath: '/scripts' },
    ],
  });
  const placement = ['/scripts/placement.py', r.namespace, podSelectorText(s.selector), String(nodes), s.headless, '/work/placement'];
  const topology = ['/scripts/topology.py', 'bootstrap', '/work/placement', String(r.shards), String(r.replicasPerShard)];
  return {
    serviceAccountName: jobName,
    automountServiceAccountToken: true,
    restartPolicy: 'OnFailure',
    securityContext: s.podSecurity,
    initContainers: [python('placement', placement)],
    containers: [{ ...python('create-cluster', topology), env: [s.password] }],
    volumes: [{ name: 'work', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Mi') } }, scriptsVolume(r.name)],
  };
}

/** The cluster's Python scripts (topology.py and placement.py) from its ConfigMap, for the bootstrap and the rebalancer. */
export function scriptsVolume(configMap: string): k8s.Volume {
  return configMapVolume('scripts', configMap, ['topology.py', 'placement.py']);
}

/** A volume of ConfigMap keys, each a file of the same name. */
function configMapVolume(volume: string, configMap: string, keys: readonly string[]): k8s.Volume {
  return { name: volume, configMap: { name: configMap, items: keys.map((key) => ({ key, path: key })) } };
}

/** Requests for a small helper container and a memory limit (no CPU limit: throttling only slows it down). */
export function smallResources(cpu: string, memory: string, memoryLimit: string): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory) },
    limits: { memory: k8s.Quantity.fromString(memoryLimit) },
  };
}

/** `k=v,k=v`: a label selector as the Kubernetes API takes it in a query. */
export function podSelectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function fieldEnv(name: string, fieldPath: string): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}
