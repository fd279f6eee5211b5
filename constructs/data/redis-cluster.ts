import { Duration, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceMonitor } from '../../imports/servicemonitors-monitoring.coreos.com';
import { Problems, shown } from '../core/errors';
import { ApiServerAccess, apiServerEgress, checkApiServer, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { imageTag } from '../core/images';
import { appLabels, exemptionAnnotations, isDnsLabel, selectorLabels } from '../core/labels';
import { RuleGroups } from '../observability/rule-groups';
import { PRIORITY_CLASSES } from '../workload/capacity-class';
import { hostAntiAffinity, topologySpread } from '../workload/topology';
import { RedisPersistence, maxmemoryFor, renderBootstrapScript, renderRedisConf } from './redis-config';
import { renderPlacementScript } from './redis-placement';
import { redisAlertRules } from './redis-rules';

/**
 * The default failure-detection timeout. Measured on a 2-core machine from SIGKILL of a master to its replica
 * answering ROLE as master (`npm run bench`): 1500 ms gives 2.8-3.3 s, 2000 ms 3.3-4.7 s, 5000 ms 7.5-8.3 s and
 * Redis's own 15000 ms 18-22 s. DESIGN.md's "about 3000 ms" would land above its own 5 s target here, so the
 * default is 1500 ms, which keeps a margin under 5 s. The price is false failovers: a master that stalls longer than
 * 1.5 s (a Lua script or O(N) command on a big key, a slow fork, a network blip) is replaced although it would have
 * come back, and its writes since the last replication ack are lost. Keep commands short, or raise the timeout.
 */
export const DEFAULT_CLUSTER_NODE_TIMEOUT = Duration.millis(1500);

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
  /** @default DEFAULT_CLUSTER_NODE_TIMEOUT (1500 ms) */
  readonly clusterNodeTimeout?: Duration;
  readonly storage: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: string;
  /** The Secret holding the password (created outside the stack, e.g. by External Secrets). */
  readonly auth: { readonly secretName: string; readonly key?: string };
  readonly image: string;
  readonly exporterImage: string;
  /**
   * Image with python3 (and TLS) for the bootstrap Job's zone lookup, e.g. the CloudNativePG operand image the stack
   * already pins. See {@link renderPlacementScript}.
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
 * A Redis Cluster of `shards` masters with `replicasPerShard` replicas each: StatefulSet with nodes.conf on the
 * volume and hostname announcement, zone-aware idempotent bootstrap Job, PDB, NetworkPolicy, redis_exporter
 * sidecar with ServiceMonitor, and alerts. Clients connect through the `<name>` Service as seed and need the
 * `redis.perfstack.io/client: <name>` pod label.
 */
export class RedisCluster extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly nodes: number;
  public readonly maxmemoryBytes: number;
  public readonly clusterNodeTimeout: Duration;
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

  constructor(scope: Construct, id: string, props: RedisClusterProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.nodes = props.shards * (1 + props.replicasPerShard);
    this.clusterNodeTimeout = props.clusterNodeTimeout ?? DEFAULT_CLUSTER_NODE_TIMEOUT;
    this.maxmemoryBytes = props.maxmemory ? props.maxmemory.toMebibytes() * 1024 * 1024 : maxmemoryFor(props.memory);
    const limitBytes = props.memory.toMebibytes() * 1024 * 1024;
    const monitoringNamespace = props.monitoringNamespace ?? 'monitoring';
    this.authSecret = { name: props.auth.secretName, key: props.auth.key ?? 'password' };

    const p = Problems.of(this);
    p.check(
      isDnsLabel(this.name) && this.name.length <= 40,
      'name',
      this.name,
      'must be a DNS label of at most 40 characters (pod names add a suffix)',
    );
    p.check(
      Number.isInteger(props.shards) && props.shards >= 3,
      'shards',
      props.shards,
      'must be at least 3: a failover needs a majority of masters',
    );
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

    const identity = {
      name: this.name,
      instance: `${this.name}-${this.namespace}`,
      component: 'cache',
      partOf: 'perfstack',
      version: imageTag(props.image),
    };
    const labels = { ...appLabels(identity), ...(props.labels ?? {}) };
    const selector = selectorLabels(identity);
    const meta = (name: string, extra: Record<string, string> = {}) => ({
      name,
      namespace: this.namespace,
      labels: { ...labels, ...extra },
    });
    const headless = `${this.name}-headless`;
    const podSecurity = restrictedPodSecurity(999);
    const containerSecurity = restrictedContainerSecurity();
    const password = { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: this.authSecret.name, key: this.authSecret.key } } };

    this.redisConf = renderRedisConf({
      maxmemoryBytes: this.maxmemoryBytes,
      maxmemoryPolicy: props.maxmemoryPolicy,
      persistence: props.persistence,
      clusterNodeTimeout: this.clusterNodeTimeout,
    });
    this.endpoint = `${this.name}.${this.namespace}.svc:6379`;

    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: meta(this.name),
      data: { 'redis.conf': this.redisConf, 'bootstrap.sh': renderBootstrapScript(), 'placement.py': renderPlacementScript() },
    });

    const ports = [
      { name: 'redis', port: 6379, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' },
      { name: 'bus', port: 16379, targetPort: k8s.IntOrString.fromString('bus'), protocol: 'TCP' },
    ];
    // Peers find each other by DNS before they are ready (the cluster does not exist yet when they start).
    this.headlessService = new k8s.KubeService(this, 'Headless', {
      metadata: meta(headless),
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector: { ...selector }, ports },
    });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: meta(this.name),
      spec: { type: 'ClusterIP', selector: { ...selector }, ports: [ports[0]] },
    });
    this.metricsService = new k8s.KubeService(this, 'MetricsService', {
      metadata: meta(`${this.name}-metrics`, { 'perfstack.io/metrics': 'redis' }),
      spec: {
        type: 'ClusterIP',
        selector: { ...selector },
        ports: [{ name: 'metrics', port: 9121, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }],
      },
    });

    // The init container writes the run-time include: secrets and the stable per-pod hostname.
    const runtimeConf =
      'umask 077; { echo "requirepass $REDISCLI_AUTH"; echo "masterauth $REDISCLI_AUTH"; ' +
      `echo "cluster-announce-hostname $POD_NAME.${headless}.$POD_NAMESPACE.svc.cluster.local"; } > /run/redis/runtime.conf`;
    const mib = (bytes: number) => k8s.Quantity.fromString(`${Math.round(bytes / 1048576)}Mi`);
    this.statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: meta(this.name),
      spec: {
        serviceName: headless,
        replicas: this.nodes,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: { ...selector } },
        template: {
          metadata: { labels: { ...labels } },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            priorityClassName: PRIORITY_CLASSES.critical.name,
            terminationGracePeriodSeconds: 30,
            securityContext: podSecurity,
            topologySpreadConstraints: topologySpread(selector, props.zones).map((c) => ({ ...c, matchLabelKeys: undefined })),
            affinity: { podAntiAffinity: hostAntiAffinity(selector) },
            initContainers: [
              {
                name: 'runtime-config',
                image: props.image,
                command: ['sh', '-c', runtimeConf],
                env: [password, fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('POD_NAMESPACE', 'metadata.namespace')],
                securityContext: containerSecurity,
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') },
                  limits: { memory: k8s.Quantity.fromString('32Mi') },
                },
                volumeMounts: [{ name: 'run', mountPath: '/run/redis' }],
              },
            ],
            containers: [
              {
                name: 'redis',
                image: props.image,
                command: ['redis-server', '/etc/redis/redis.conf'],
                ports: [
                  { name: 'redis', containerPort: 6379, protocol: 'TCP' },
                  { name: 'bus', containerPort: 16379, protocol: 'TCP' },
                ],
                env: [password],
                resources: {
                  requests: { cpu: k8s.Quantity.fromString(props.cpu.amount), memory: mib(limitBytes) },
                  limits: { memory: mib(limitBytes) },
                },
                securityContext: containerSecurity,
                // PING answers LOADING while the AOF replays: the startup probe allows for that, then liveness applies.
                startupProbe: {
                  exec: { command: ['sh', '-c', 'redis-cli ping | grep -q PONG'] },
                  periodSeconds: 5,
                  failureThreshold: 120,
                  timeoutSeconds: 3,
                },
                readinessProbe: {
                  exec: { command: ['sh', '-c', 'redis-cli ping | grep -q PONG'] },
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
                volumeMounts: [
                  { name: 'data', mountPath: '/data' },
                  { name: 'config', mountPath: '/etc/redis' },
                  { name: 'run', mountPath: '/run/redis' },
                ],
              },
              {
                name: 'exporter',
                image: props.exporterImage,
                ports: [{ name: 'metrics', containerPort: 9121, protocol: 'TCP' }],
                env: [
                  { name: 'REDIS_ADDR', value: 'redis://127.0.0.1:6379' },
                  { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: this.authSecret.name, key: this.authSecret.key } } },
                ],
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('25m'), memory: k8s.Quantity.fromString('32Mi') },
                  limits: { memory: k8s.Quantity.fromString('64Mi') },
                },
                securityContext: containerSecurity,
                readinessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10 },
                livenessProbe: {
                  httpGet: { path: '/health', port: k8s.IntOrString.fromString('metrics') },
                  periodSeconds: 30,
                  failureThreshold: 3,
                },
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: this.name, items: [{ key: 'redis.conf', path: 'redis.conf' }] } },
              { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: { ...selector } },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.storageClass,
              resources: { requests: { storage: k8s.Quantity.fromString(`${props.storage.toGibibytes()}Gi`) } },
            },
          },
        ],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      },
    });

    this.bootstrapJob = this.bootstrap(props, labels, headless, podSecurity, containerSecurity, password, selector);

    // One node at a time: a master and its replica never go down together through voluntary disruption.
    this.pdb = new k8s.KubePodDisruptionBudget(this, 'PDB', {
      metadata: meta(this.name),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...selector } } },
    });

    const tcp = (port: number) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' });
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: meta(this.name),
      spec: {
        podSelector: { matchLabels: { ...selector } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { [REDIS_CLIENT_LABEL]: this.name } } }], ports: [tcp(6379)] },
          { from: [{ podSelector: { matchLabels: { ...selector } } }], ports: [tcp(6379), tcp(16379)] },
          { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': `${this.name}-bootstrap` } } }], ports: [tcp(6379)] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoringNamespace } } }], ports: [tcp(9121)] },
        ],
      },
    });

    this.serviceMonitor = new ServiceMonitor(this, 'ServiceMonitor', {
      metadata: meta(this.name),
      spec: {
        selector: { matchLabels: { ...selector, 'perfstack.io/metrics': 'redis' } },
        endpoints: [{ port: 'metrics', interval: '15s' }],
      },
    });

    this.alerts = new RuleGroups(this, 'Alerts', {
      name: `${this.name}-alerts`,
      namespace: this.namespace,
      labels,
      groups: [redisAlertRules(this.name, this.namespace)],
    });
  }

  private bootstrap(
    props: RedisClusterProps,
    labels: Record<string, string>,
    headless: string,
    podSecurity: k8s.PodSecurityContext,
    containerSecurity: k8s.SecurityContext,
    password: k8s.EnvVar,
    selector: Record<string, string>,
  ): k8s.KubeJob {
    const jobName = `${this.name}-bootstrap`;
    const jobLabels = { ...labels, 'app.kubernetes.io/name': jobName, 'app.kubernetes.io/component': 'bootstrap' };
    const jobMeta = { name: jobName, namespace: this.namespace, labels: jobLabels };
    const exemption = exemptionAnnotations({
      rules: ['service-account-token'],
      reason: 'reads pod and node zones from the API to place replicas in other zones',
    });
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
        podSelector: { matchLabels: { 'app.kubernetes.io/name': jobName } },
        policyTypes: ['Egress'],
        egress: [apiServerEgress(props.apiServer)],
      },
    });

    const matchLabels = Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const smallResources = {
      requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
      limits: { memory: k8s.Quantity.fromString('128Mi') },
    };

    return new k8s.KubeJob(this, 'Bootstrap', {
      metadata: { ...jobMeta, annotations: exemption },
      spec: {
        backoffLimit: 20,
        template: {
          metadata: { labels: jobLabels },
          spec: {
            serviceAccountName: jobName,
            automountServiceAccountToken: true,
            restartPolicy: 'OnFailure',
            securityContext: podSecurity,
            initContainers: [
              {
                name: 'placement',
                image: props.placementImage,
                command: [
                  'python3',
                  '-B',
                  '/scripts/placement.py',
                  this.namespace,
                  matchLabels,
                  String(this.nodes),
                  headless,
                  '/work/placement',
                ],
                securityContext: containerSecurity,
                resources: smallResources,
                volumeMounts: [
                  { name: 'work', mountPath: '/work' },
                  { name: 'scripts', mountPath: '/scripts' },
                ],
              },
            ],
            containers: [
              {
                name: 'create-cluster',
                image: props.image,
                command: ['sh', '/scripts/bootstrap.sh', '/work/placement', String(props.shards), String(props.replicasPerShard)],
                env: [password],
                securityContext: containerSecurity,
                resources: smallResources,
                volumeMounts: [
                  { name: 'work', mountPath: '/work' },
                  { name: 'scripts', mountPath: '/scripts' },
                ],
              },
            ],
            volumes: [
              { name: 'work', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Mi') } },
              {
                name: 'scripts',
                configMap: {
                  name: this.name,
                  items: [
                    { key: 'bootstrap.sh', path: 'bootstrap.sh' },
                    { key: 'placement.py', path: 'placement.py' },
                  ],
                },
              },
            ],
          },
        },
      },
    });
  }
}

function fieldEnv(name: string, fieldPath: string): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}
