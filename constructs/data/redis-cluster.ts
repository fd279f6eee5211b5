import { Duration, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceMonitor } from '../../imports/servicemonitors-monitoring.coreos.com';
import { Problems, shown } from '../core/errors';
import { ApiServerAccess, apiServerEgress, checkApiServer, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { imageTag } from '../../manifests/images';
import { checkQuantities } from '../core/quantities';
import { appLabels, exemptionAnnotations, isDnsLabel, labelValue, selectorLabels } from '../core/labels';
import { RuleGroups } from '../observability/rule-groups';
import { PRIORITY_CLASSES } from '../workload/capacity-class';
import { hostAntiAffinity, topologySpread } from '../workload/topology';
import { MAXMEMORY_SHARE, RedisPersistence, maxmemoryFor, renderRedisConf } from './redis-config';
import { KeyValueEngine } from './redis-engine';
import { renderPlacementScript } from './redis-placement';
import { renderPreStopScript } from './redis-prestop';
import { RedisRebalancer } from './redis-rebalancer';
import { redisAlertRules } from './redis-rules';
import { renderTopologyScript } from './redis-topology';

/**
 * The default failure-detection timeout, chosen from both sides of the trade-off, measured on real redis-server
 * processes with the prod configuration (9 nodes, `npx tsx test/bench/redis-timeout.ts`, 3 tries each, on a shared
 * 2-core machine): failover after SIGKILL of a master / false failovers when a master stalls (SIGSTOP) for 1, 2, 3 s:
 * - 1500 ms: 2.8-2.9 s / 0, 1, 3 of 3: a 2 s stall (a slow fork, a big DEL, a VM pause) already costs a failover;
 * - 2000 ms: 3.5-4.7 s / 0, 0, 1 of 3: within the 5 s target, rides out 2 s stalls;
 * - 3000 ms: 5.4-6.1 s / 0, 0, 0 of 3: misses the 5 s target.
 * A false failover loses the writes since the last replication ack and fails clients for nothing, so 2000 ms: the
 * highest timeout that keeps failover under 5 s. Keep commands short (no KEYS, no big-key DEL) either way.
 */
export const DEFAULT_CLUSTER_NODE_TIMEOUT = Duration.millis(2000);

/** Label a client pod carries to be admitted by the cluster's NetworkPolicy: `redis.perfstack.io/client: <name>`. */
export const REDIS_CLIENT_LABEL = 'redis.perfstack.io/client';

export interface RedisClusterProps {
  /** @default - the construct id */
  readonly name?: string;
  readonly namespace: string;
  /** Masters; at least 3 (a failover needs a majority of masters). */
  readonly shards: number;
  /** Replicas per master; at least 1 whenever the cluster spans more than one zone. */
  readonly replicasPerShard: number;
  /** Zones the cluster spans: with 3 or more, each master's replica is placed in another zone. */
  readonly zones: number;
  /** Memory request and limit of each node. */
  readonly memory: Size;
  readonly cpu: Cpu;
  /** @default - 75% of `memory` */
  readonly maxmemory?: Size;
  /** @default 'allkeys-lru' (cache use) */
  readonly maxmemoryPolicy?: 'allkeys-lru' | 'allkeys-lfu' | 'volatile-lru' | 'volatile-lfu' | 'noeviction';
  /** @default 'aof-and-rdb' */
  readonly persistence?: RedisPersistence;
  /** @default DEFAULT_CLUSTER_NODE_TIMEOUT (2000 ms) */
  readonly clusterNodeTimeout?: Duration;
  readonly storage: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: string;
  /** The Secret holding the password (created outside the stack, e.g. by External Secrets). */
  readonly auth: { readonly secretName: string; readonly key?: string };
  /** @default KeyValueEngine.valkey() */
  readonly engine?: KeyValueEngine;
  /** The engine's image: `valkey/valkey` for Valkey, `library/redis` for Redis. */
  readonly image: string;
  readonly exporterImage: string;
  /**
   * Image with python3 (and TLS) for the bootstrap Job and the rebalancer, e.g. the CloudNativePG operand image the
   * stack already pins. See {@link renderPlacementScript} and {@link renderTopologyScript}.
   */
  readonly placementImage: string;
  /** Kubernetes API endpoints the bootstrap Job may reach (the namespace denies egress by default). */
  readonly apiServer: ApiServerAccess;
  /** @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A Valkey (or Redis) Cluster of `shards` masters with `replicasPerShard` replicas each: StatefulSet with nodes.conf
 * on the volume and hostname announcement, a preStop hook that hands a master's slots to a replica before the pod
 * stops, a zone-aware idempotent bootstrap Job that checks the whole topology, a rebalancer that keeps one master per
 * zone, PDB, NetworkPolicy, redis_exporter sidecar with ServiceMonitor, and alerts. Clients connect through the
 * `<name>` Service as seed and need the `redis.perfstack.io/client: <name>` pod label.
 */
export class RedisCluster extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly nodes: number;
  public readonly maxmemoryBytes: number;
  public readonly clusterNodeTimeout: Duration;
  public readonly engine: KeyValueEngine;
  /** redis.conf as rendered into the ConfigMap. */
  public readonly redisConf: string;
  /** `<name>.<namespace>.svc:6379`, the seed address clients use. */
  public readonly endpoint: string;
  public readonly authSecret: { readonly name: string; readonly key: string };

  public readonly configMap: k8s.KubeConfigMap;
  public readonly headlessService: k8s.KubeService;
  public readonly service: k8s.KubeService;
  public readonly metricsService: k8s.KubeService;
  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly bootstrapJob: k8s.KubeJob;
  public readonly pdb: k8s.KubePodDisruptionBudget;
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  public readonly serviceMonitor: ServiceMonitor;
  public readonly alerts: RuleGroups;
  /** Present wherever there are zones to balance: more than one, and replicas to promote. */
  public readonly rebalancer?: RedisRebalancer;

  /** Labels, selector and security settings every object of the cluster shares, resolved once. */
  private readonly shared: SharedSettings;

  constructor(scope: Construct, id: string, props: RedisClusterProps) {
    super(scope, id);
    // Units first: the conversions below throw on sizes that are not whole MiB/GiB, and `maxmemory 0` means no limit.
    const units = Problems.of(this);
    checkQuantities(units, {
      sizes: {
        memory: [props.memory],
        maxmemory: [props.maxmemory],
        storage: [props.storage, { whole: 'Gi' }],
      },
      cpus: { cpu: props.cpu },
      durations: { clusterNodeTimeout: [props.clusterNodeTimeout] },
    });
    units.throwIfAny();
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.nodes = props.shards * (1 + props.replicasPerShard);
    this.clusterNodeTimeout = props.clusterNodeTimeout ?? DEFAULT_CLUSTER_NODE_TIMEOUT;
    this.engine = props.engine ?? KeyValueEngine.valkey();
    this.maxmemoryBytes = props.maxmemory ? props.maxmemory.toMebibytes() * 1024 * 1024 : maxmemoryFor(props.memory);
    this.authSecret = { name: props.auth.secretName, key: props.auth.key ?? 'password' };
    this.validate(props);

    this.shared = sharedSettings(this.name, this.namespace, props, this.authSecret);
    this.redisConf = renderRedisConf({
      maxmemoryBytes: this.maxmemoryBytes,
      maxmemoryPolicy: props.maxmemoryPolicy,
      persistence: props.persistence,
      clusterNodeTimeout: this.clusterNodeTimeout,
    });
    this.endpoint = `${this.name}.${this.namespace}.svc:6379`;

    this.configMap = this.addConfigMap();
    this.headlessService = this.addHeadlessService();
    this.service = this.addService();
    this.metricsService = this.addMetricsService();
    this.statefulSet = this.addStatefulSet(props);
    this.bootstrapJob = this.addBootstrap(props);
    this.pdb = this.addPdb();
    this.networkPolicy = this.addNetworkPolicy(props.monitoringNamespace ?? 'monitoring');
    this.serviceMonitor = this.addServiceMonitor();
    if (props.zones > 1 && props.replicasPerShard >= 1) this.rebalancer = this.addRebalancer(props);
    this.alerts = this.addAlerts();
  }

  private validate(props: RedisClusterProps): void {
    const limitBytes = props.memory.toMebibytes() * 1024 * 1024;
    const p = Problems.of(this);
    p.check(
      isDnsLabel(this.name) && this.name.length <= 40,
      'name',
      this.name,
      'must be a DNS label of at most 40 characters (pod names add a suffix)',
    );
    p.checkCount('shards', props.shards, 3, 'must be at least 3: a failover needs a majority of masters');
    p.checkCount('zones', props.zones, 1, 'must be at least 1 (the number of zones the cluster spans)');
    p.check(
      Number.isInteger(props.replicasPerShard) && props.replicasPerShard >= 0,
      'replicasPerShard',
      props.replicasPerShard,
      'must be a whole number >= 0',
    );
    p.check(
      props.zones <= 1 || props.replicasPerShard >= 1,
      'replicasPerShard',
      props.replicasPerShard,
      `must be at least 1 when the cluster spans ${props.zones} zones, or losing a zone loses its shards`,
    );
    // maxmemory is derived from 'memory' unless given (a given one is checked above zero with the units): the
    // message names the input the user wrote, and the derived value second.
    p.check(
      this.maxmemoryBytes > 0,
      'memory',
      props.memory,
      `must be at least ${Math.ceil(1 / MAXMEMORY_SHARE)}Mi: maxmemory, ${MAXMEMORY_SHARE * 100}% of it in whole MiB, would be 0Mi, which Redis reads as no limit at all`,
    );
    p.check(
      this.maxmemoryBytes <= limitBytes,
      'maxmemory',
      shown(`${Math.round(this.maxmemoryBytes / 1048576)}Mi`),
      `must not exceed the container memory limit (${props.memory.toMebibytes()}Mi); about 75% leaves room for fork copy-on-write`,
    );
    const timeout = this.clusterNodeTimeout.toMilliseconds();
    p.check(timeout >= 500 && timeout <= 60000, 'clusterNodeTimeout', shown(`${timeout}ms`), 'must be between 500ms and 60s');
    checkApiServer(p, props.apiServer);
    p.throwIfAny();
  }

  private meta(name: string, extra: Record<string, string> = {}) {
    return { name, namespace: this.namespace, labels: { ...this.shared.labels, ...extra } };
  }

  private addConfigMap(): k8s.KubeConfigMap {
    return new k8s.KubeConfigMap(this, 'Config', {
      metadata: this.meta(this.name),
      data: {
        'redis.conf': this.redisConf,
        'prestop.sh': renderPreStopScript(this.engine.cli),
        'topology.py': renderTopologyScript(),
        'placement.py': renderPlacementScript(),
      },
    });
  }

  /** Peers find each other by DNS before they are ready (the cluster does not exist yet when they start). */
  private addHeadlessService(): k8s.KubeService {
    return new k8s.KubeService(this, 'Headless', {
      metadata: this.meta(this.shared.headless),
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector: { ...this.shared.selector }, ports: REDIS_PORTS },
    });
  }

  private addService(): k8s.KubeService {
    return new k8s.KubeService(this, 'Service', {
      metadata: this.meta(this.name),
      spec: { type: 'ClusterIP', selector: { ...this.shared.selector }, ports: [REDIS_PORTS[0]] },
    });
  }

  private addMetricsService(): k8s.KubeService {
    return new k8s.KubeService(this, 'MetricsService', {
      metadata: this.meta(`${this.name}-metrics`, { 'perfstack.io/metrics': 'redis' }),
      spec: {
        type: 'ClusterIP',
        selector: { ...this.shared.selector },
        ports: [{ name: 'metrics', port: 9121, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }],
      },
    });
  }

  private addStatefulSet(props: RedisClusterProps): k8s.KubeStatefulSet {
    const { selector, labels, headless } = this.shared;
    return new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: this.meta(this.name),
      spec: {
        serviceName: headless,
        replicas: this.nodes,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: { ...selector } },
        template: { metadata: { labels: { ...labels } }, spec: redisPodSpec(this.name, props, this.shared) },
        volumeClaimTemplates: [dataVolumeClaim(selector, props)],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      },
    });
  }

  /** The bootstrap Job, with its own ServiceAccount, read-only RBAC on pods and nodes, and egress to the API only. */
  private addBootstrap(props: RedisClusterProps): k8s.KubeJob {
    const jobName = `${this.name}-bootstrap`;
    const jobLabels = { ...this.shared.labels, 'app.kubernetes.io/name': labelValue(jobName), 'app.kubernetes.io/component': 'bootstrap' };
    const jobMeta = { name: jobName, namespace: this.namespace, labels: jobLabels };
    this.addBootstrapAccess(jobName, jobLabels, props.apiServer);
    return new k8s.KubeJob(this, 'Bootstrap', {
      metadata: {
        ...jobMeta,
        annotations: exemptionAnnotations({
          rules: ['service-account-token'],
          reason: 'reads pod and node zones from the API to place replicas in other zones',
        }),
      },
      spec: {
        backoffLimit: 20,
        template: {
          metadata: { labels: jobLabels },
          spec: bootstrapPodSpec(jobName, this.name, this.namespace, this.nodes, props, this.shared),
        },
      },
    });
  }

  private addBootstrapAccess(jobName: string, jobLabels: Record<string, string>, apiServer: ApiServerAccess): void {
    const jobMeta = { name: jobName, namespace: this.namespace, labels: jobLabels };
    new k8s.KubeServiceAccount(this, 'BootstrapServiceAccount', { metadata: jobMeta, automountServiceAccountToken: false });
    new k8s.KubeRole(this, 'BootstrapRole', {
      metadata: jobMeta,
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    });
    new k8s.KubeRoleBinding(this, 'BootstrapRoleBinding', {
      metadata: jobMeta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: jobName },
      subjects: [{ kind: 'ServiceAccount', name: jobName, namespace: this.namespace }],
    });
    // Zones are node labels: reading them takes a cluster-scoped, read-only grant on nodes.
    const clusterName = `${this.namespace}-${jobName}`;
    new k8s.KubeClusterRole(this, 'BootstrapClusterRole', {
      metadata: { name: clusterName, labels: jobLabels },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'BootstrapClusterRoleBinding', {
      metadata: { name: clusterName, labels: jobLabels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
      subjects: [{ kind: 'ServiceAccount', name: jobName, namespace: this.namespace }],
    });
    new k8s.KubeNetworkPolicy(this, 'BootstrapNetworkPolicy', {
      metadata: jobMeta,
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': labelValue(jobName) } },
        policyTypes: ['Egress'],
        egress: [apiServerEgress(apiServer)],
      },
    });
  }

  /** One node at a time: a master and its replica never go down together through voluntary disruption. */
  private addPdb(): k8s.KubePodDisruptionBudget {
    return new k8s.KubePodDisruptionBudget(this, 'PDB', {
      metadata: this.meta(this.name),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.shared.selector } } },
    });
  }

  private addNetworkPolicy(monitoringNamespace: string): k8s.KubeNetworkPolicy {
    const tcp = (port: number) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' });
    const { selector } = this.shared;
    return new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: this.meta(this.name),
      spec: {
        podSelector: { matchLabels: { ...selector } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { [REDIS_CLIENT_LABEL]: labelValue(this.name) } } }], ports: [tcp(6379)] },
          { from: [{ podSelector: { matchLabels: { ...selector } } }], ports: [tcp(6379), tcp(16379)] },
          {
            from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': labelValue(`${this.name}-bootstrap`) } } }],
            ports: [tcp(6379)],
          },
          {
            from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': labelValue(`${this.name}-rebalancer`) } } }],
            ports: [tcp(6379)],
          },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoringNamespace } } }], ports: [tcp(9121)] },
        ],
      },
    });
  }

  private addServiceMonitor(): ServiceMonitor {
    return new ServiceMonitor(this, 'ServiceMonitor', {
      metadata: this.meta(this.name),
      spec: {
        selector: { matchLabels: { ...this.shared.selector, 'perfstack.io/metrics': 'redis' } },
        endpoints: [{ port: 'metrics', interval: '15s' }],
      },
    });
  }

  private addRebalancer(props: RedisClusterProps): RedisRebalancer {
    return new RedisRebalancer(this, 'Rebalancer', {
      cluster: this.name,
      namespace: this.namespace,
      labels: this.shared.labels,
      podSelector: podSelectorText(this.shared.selector),
      configMap: this.name,
      image: props.placementImage,
      apiServer: props.apiServer,
      monitoringNamespace: props.monitoringNamespace ?? 'monitoring',
      podSecurity: this.shared.podSecurity,
      containerSecurity: this.shared.containerSecurity,
      password: this.shared.password,
    });
  }

  private addAlerts(): RuleGroups {
    return new RuleGroups(this, 'Alerts', {
      name: `${this.name}-alerts`,
      namespace: this.namespace,
      labels: this.shared.labels,
      groups: [
        redisAlertRules({ cluster: this.name, namespace: this.namespace, nodes: this.nodes, rebalanced: this.rebalancer !== undefined }),
      ],
    });
  }
}

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

export function sharedSettings(
  name: string,
  namespace: string,
  props: RedisClusterProps,
  authSecret: { readonly name: string; readonly key: string },
): SharedSettings {
  const identity = { name, instance: `${name}-${namespace}`, component: 'cache', partOf: 'perfstack', version: imageTag(props.image) };
  return {
    labels: { ...appLabels(identity), ...(props.labels ?? {}) },
    selector: selectorLabels(identity),
    headless: `${name}-headless`,
    podSecurity: restrictedPodSecurity(999),
    containerSecurity: restrictedContainerSecurity(),
    password: { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: authSecret.name, key: authSecret.key } } },
  };
}

const REDIS_PORTS = [
  { name: 'redis', port: 6379, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' },
  { name: 'bus', port: 16379, targetPort: k8s.IntOrString.fromString('bus'), protocol: 'TCP' },
];

/** The Redis pod: runtime-config init container, redis-server and the exporter sidecar, spread over zones and hosts. */
export function redisPodSpec(name: string, props: RedisClusterProps, s: SharedSettings): k8s.PodSpec {
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    priorityClassName: PRIORITY_CLASSES.critical.name,
    // The preStop hand-over (at most PRESTOP_FAILOVER_SECONDS per replica tried), then a clean shutdown.
    terminationGracePeriodSeconds: 60,
    securityContext: s.podSecurity,
    topologySpreadConstraints: topologySpread(s.selector, props.zones).map((c) => ({ ...c, matchLabelKeys: undefined })),
    affinity: { podAntiAffinity: hostAntiAffinity(s.selector) },
    initContainers: [runtimeConfigContainer(props.image, s)],
    containers: [redisContainer(props, s), exporterContainer(props.exporterImage, s)],
    volumes: [
      {
        name: 'config',
        configMap: {
          name,
          items: [
            { key: 'redis.conf', path: 'redis.conf' },
            { key: 'prestop.sh', path: 'prestop.sh' },
          ],
        },
      },
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
    resources: {
      requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') },
      limits: { memory: k8s.Quantity.fromString('32Mi') },
    },
    volumeMounts: [{ name: 'run', mountPath: '/run/redis' }],
  };
}

export function redisContainer(props: RedisClusterProps, s: SharedSettings): k8s.Container {
  const memory = k8s.Quantity.fromString(`${Math.round(props.memory.toMebibytes())}Mi`);
  const engine = props.engine ?? KeyValueEngine.valkey();
  const ping = ['sh', '-c', `${engine.cli} ping | grep -q PONG`];
  return {
    name: 'redis',
    image: props.image,
    command: [engine.server, '/etc/redis/redis.conf'],
    ports: [
      { name: 'redis', containerPort: 6379, protocol: 'TCP' },
      { name: 'bus', containerPort: 16379, protocol: 'TCP' },
    ],
    env: [s.password, { name: 'PRESTOP_FAILOVER_SECONDS', value: '20' }],
    resources: { requests: { cpu: k8s.Quantity.fromString(props.cpu.amount), memory }, limits: { memory } },
    securityContext: s.containerSecurity,
    // PING answers LOADING while the AOF replays: the startup probe allows for that, then liveness applies.
    startupProbe: {
      exec: { command: ping },
      periodSeconds: 5,
      failureThreshold: 120,
      timeoutSeconds: 3,
    },
    readinessProbe: {
      exec: { command: ping },
      periodSeconds: 5,
      failureThreshold: 2,
      timeoutSeconds: 3,
    },
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
  return {
    name: 'exporter',
    image,
    ports: [{ name: 'metrics', containerPort: 9121, protocol: 'TCP' }],
    env: [
      { name: 'REDIS_ADDR', value: 'redis://127.0.0.1:6379' },
      { name: 'REDIS_PASSWORD', valueFrom: s.password.valueFrom },
    ],
    resources: {
      requests: { cpu: k8s.Quantity.fromString('25m'), memory: k8s.Quantity.fromString('32Mi') },
      limits: { memory: k8s.Quantity.fromString('64Mi') },
    },
    securityContext: s.containerSecurity,
    readinessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10 },
    livenessProbe: {
      httpGet: { path: '/health', port: k8s.IntOrString.fromString('metrics') },
      periodSeconds: 30,
      failureThreshold: 3,
    },
  };
}

export function dataVolumeClaim(selector: Record<string, string>, props: RedisClusterProps): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name: 'data', labels: { ...selector } },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: props.storageClass,
      resources: { requests: { storage: k8s.Quantity.fromString(`${props.storage.toGibibytes()}Gi`) } },
    },
  };
}

/**
 * The bootstrap pod: the zone lookup (placement.py) writes the placement file, then `topology.py bootstrap` creates
 * or completes the cluster from it, both in the python image.
 */
export function bootstrapPodSpec(
  jobName: string,
  name: string,
  namespace: string,
  nodes: number,
  props: RedisClusterProps,
  s: SharedSettings,
): k8s.PodSpec {
  const matchLabels = podSelectorText(s.selector);
  const smallResources = {
    requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
    limits: { memory: k8s.Quantity.fromString('128Mi') },
  };
  const mounts = [
    { name: 'work', mountPath: '/work' },
    { name: 'scripts', mountPath: '/scripts' },
  ];
  return {
    serviceAccountName: jobName,
    automountServiceAccountToken: true,
    restartPolicy: 'OnFailure',
    securityContext: s.podSecurity,
    initContainers: [
      {
        name: 'placement',
        image: props.placementImage,
        command: ['python3', '-B', '/scripts/placement.py', namespace, matchLabels, String(nodes), s.headless, '/work/placement'],
        securityContext: s.containerSecurity,
        resources: smallResources,
        volumeMounts: mounts,
      },
    ],
    containers: [
      {
        name: 'create-cluster',
        image: props.placementImage,
        command: [
          'python3',
          '-B',
          '/scripts/topology.py',
          'bootstrap',
          '/work/placement',
          String(props.shards),
          String(props.replicasPerShard),
        ],
        env: [s.password],
        securityContext: s.containerSecurity,
        resources: smallResources,
        volumeMounts: mounts,
      },
    ],
    volumes: [
      { name: 'work', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Mi') } },
      {
        name: 'scripts',
        configMap: {
          name,
          items: [
            { key: 'topology.py', path: 'topology.py' },
            { key: 'placement.py', path: 'placement.py' },
          ],
        },
      },
    ],
  };
}

/** `k=v,k=v`: a label selector as the Kubernetes API takes it in a query. */
function podSelectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function fieldEnv(name: string, fieldPath: string): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}
