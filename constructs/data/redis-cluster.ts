import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceMonitor } from '../../imports/servicemonitors-monitoring.coreos.com';
import { Problems, shown } from '../core/errors';
import { ApiServerAccess, apiServerEgress, checkApiServer } from '../core/security';
import { checkQuantities } from '../core/quantities';
import { exemptionAnnotations, isDnsLabel, labelValue } from '../core/labels';
import { RuleGroups } from '../observability/rule-groups';
import { RedisClusterProps, ResolvedRedisClusterProps, resolveDefaults } from './redis-cluster-props';
import { MAXMEMORY_SHARE, renderRedisConf } from './redis-config';
import { KeyValueEngine } from './redis-engine';
import { renderPlacementScript } from './redis-placement';
import { SharedSettings, bootstrapPodSpec, dataVolumeClaim, podSelectorText, redisPodSpec, sharedSettings } from './redis-pods';
import { renderPreStopScript } from './redis-prestop';
import { RedisRebalancer } from './redis-rebalancer';
import { redisAlertRules } from './redis-rules';
import { renderTopologyScript } from './redis-topology';

export { DEFAULT_CLUSTER_NODE_TIMEOUT } from './redis-cluster-props';
export type { MaxmemoryPolicy, RedisClusterProps, ResolvedRedisClusterProps } from './redis-cluster-props';

/** Label a client pod carries to be admitted by the cluster's NetworkPolicy: `redis.perfstack.io/client: <name>`. */
export const REDIS_CLIENT_LABEL = 'redis.perfstack.io/client';

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
    const r = resolveDefaults(id, props);
    this.name = r.name;
    this.namespace = r.namespace;
    this.nodes = r.shards * (1 + r.replicasPerShard);
    this.clusterNodeTimeout = r.clusterNodeTimeout;
    this.engine = r.engine;
    this.maxmemoryBytes = r.maxmemoryBytes;
    this.authSecret = { name: r.auth.secretName, key: r.auth.key };
    this.validate(r);

    this.shared = sharedSettings(r);
    this.redisConf = renderRedisConf({
      maxmemoryBytes: r.maxmemoryBytes,
      maxmemoryPolicy: r.maxmemoryPolicy,
      persistence: r.persistence,
      clusterNodeTimeout: r.clusterNodeTimeout,
    });
    this.endpoint = `${this.name}.${this.namespace}.svc:6379`;

    this.configMap = this.addConfigMap();
    this.headlessService = this.addHeadlessService();
    this.service = this.addService();
    this.metricsService = this.addMetricsService();
    this.statefulSet = this.addStatefulSet(r);
    this.bootstrapJob = this.addBootstrap(r);
    this.pdb = this.addPdb();
    this.networkPolicy = this.addNetworkPolicy(r.monitoringNamespace);
    this.serviceMonitor = this.addServiceMonitor();
    if (r.zones > 1 && r.replicasPerShard >= 1) this.rebalancer = this.addRebalancer(r);
    this.alerts = this.addAlerts();
  }

  private validate(r: ResolvedRedisClusterProps): void {
    const limitBytes = r.memory.toMebibytes() * 1024 * 1024;
    const p = Problems.of(this);
    p.check(
      isDnsLabel(r.name) && r.name.length <= 40,
      'name',
      r.name,
      'must be a DNS label of at most 40 characters (pod names add a suffix)',
    );
    p.checkCount('shards', r.shards, 3, 'must be at least 3: a failover needs a majority of masters');
    p.checkCount('zones', r.zones, 1, 'must be at least 1 (the number of zones the cluster spans)');
    p.check(
      Number.isInteger(r.replicasPerShard) && r.replicasPerShard >= 0,
      'replicasPerShard',
      r.replicasPerShard,
      'must be a whole number >= 0',
    );
    p.check(
      r.zones <= 1 || r.replicasPerShard >= 1,
      'replicasPerShard',
      r.replicasPerShard,
      `must be at least 1 when the cluster spans ${r.zones} zones, or losing a zone loses its shards`,
    );
    // maxmemory is derived from 'memory' unless given (a given one is checked above zero with the units): the
    // message names the input the user wrote, and the derived value second.
    p.check(
      r.maxmemoryBytes > 0,
      'memory',
      r.memory,
      `must be at least ${Math.ceil(1 / MAXMEMORY_SHARE)}Mi: maxmemory, ${MAXMEMORY_SHARE * 100}% of it in whole MiB, would be 0Mi, which Redis reads as no limit at all`,
    );
    p.check(
      r.maxmemoryBytes <= limitBytes,
      'maxmemory',
      shown(`${Math.round(r.maxmemoryBytes / 1048576)}Mi`),
      `must not exceed the container memory limit (${r.memory.toMebibytes()}Mi); about 75% leaves room for fork copy-on-write`,
    );
    const timeout = r.clusterNodeTimeout.toMilliseconds();
    p.check(timeout >= 500 && timeout <= 60000, 'clusterNodeTimeout', shown(`${timeout}ms`), 'must be between 500ms and 60s');
    checkApiServer(p, r.apiServer);
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

  private addStatefulSet(r: ResolvedRedisClusterProps): k8s.KubeStatefulSet {
    const { selector, labels, headless } = this.shared;
    return new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: this.meta(this.name),
      spec: {
        serviceName: headless,
        replicas: this.nodes,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: { ...selector } },
        template: { metadata: { labels: { ...labels } }, spec: redisPodSpec(r, this.shared) },
        volumeClaimTemplates: [dataVolumeClaim(selector, r)],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      },
    });
  }

  /** The bootstrap Job, with its own ServiceAccount, read-only RBAC on pods and nodes, and egress to the API only. */
  private addBootstrap(r: ResolvedRedisClusterProps): k8s.KubeJob {
    const jobName = `${this.name}-bootstrap`;
    const jobLabels = { ...this.shared.labels, 'app.kubernetes.io/name': labelValue(jobName), 'app.kubernetes.io/component': 'bootstrap' };
    const jobMeta = { name: jobName, namespace: this.namespace, labels: jobLabels };
    this.addBootstrapAccess(jobName, jobLabels, r.apiServer);
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
          spec: bootstrapPodSpec(jobName, this.nodes, r, this.shared),
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

  private addRebalancer(r: ResolvedRedisClusterProps): RedisRebalancer {
    return new RedisRebalancer(this, 'Rebalancer', {
      cluster: this.name,
      namespace: this.namespace,
      labels: this.shared.labels,
      podSelector: podSelectorText(this.shared.selector),
      configMap: this.name,
      image: r.placementImage,
      apiServer: r.apiServer,
      monitoringNamespace: r.monitoringNamespace,
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

const REDIS_PORTS = [
  { name: 'redis', port: 6379, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' },
  { name: 'bus', port: 16379, targetPort: k8s.IntOrString.fromString('bus'), protocol: 'TCP' },
];
