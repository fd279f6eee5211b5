import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceMonitor } from '../../imports/servicemonitors-monitoring.coreos.com';
import { exemptionAnnotations } from '../core/labels';
import { ApiServerAccess, apiServerEgress } from '../core/security';
import { PRIORITY_CLASSES } from '../workload/capacity-class';
import { scriptsVolume, smallResources } from './redis-pods';

/** Port of the rebalancer's Prometheus metrics (`perfstack_redis_masters`, `perfstack_redis_rebalance_*`). */
export const REBALANCER_METRICS_PORT = 9122;

export interface RedisRebalancerProps {
  /** The cluster's name: objects are `<cluster>-rebalancer`. */
  readonly cluster: string;
  readonly namespace: string;
  /** Labels of every object of the cluster. */
  readonly labels: Readonly<Record<string, string>>;
  /** `k=v,k=v` selecting the cluster's pods. */
  readonly podSelector: string;
  /** The ConfigMap holding topology.py and placement.py. */
  readonly configMap: string;
  /** Image with python3 and TLS (the one the bootstrap's zone lookup runs in). */
  readonly image: string;
  readonly apiServer: ApiServerAccess;
  readonly monitoringNamespace: string;
  readonly podSecurity: k8s.PodSecurityContext;
  readonly containerSecurity: k8s.SecurityContext;
  /** `REDISCLI_AUTH` from the auth Secret. */
  readonly password: k8s.EnvVar;
  /** @default 30 */
  readonly intervalSeconds?: number;
  /** @default 6 */
  readonly maxMovesPerHour?: number;
}

/**
 * The loop that keeps one master per zone: every `intervalSeconds` it reads the pods' zones from the API and each
 * node's role, and when a zone holds two or more masters more than another, promotes a replica of one of them in
 * the emptier zone with a planned `CLUSTER FAILOVER` (topology.py `rebalance`). One Deployment replica: two loops
 * would race, and a pass missed while it restarts only delays the next move. Least privilege: read pods, create
 * Events in its namespace, read nodes (zones are node labels); egress to the API only (the namespace already allows
 * egress to its own pods).
 */
export class RedisRebalancer extends Construct {
  public readonly name: string;
  public readonly deployment: k8s.KubeDeployment;
  public readonly metricsService: k8s.KubeService;
  public readonly serviceMonitor: ServiceMonitor;

  constructor(scope: Construct, id: string, props: RedisRebalancerProps) {
    super(scope, id);
    this.name = `${props.cluster}-rebalancer`;
    const labels = { ...props.labels, 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/component': 'rebalancer' };
    const selector = { 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/instance': props.labels['app.kubernetes.io/instance'] };
    const meta = { name: this.name, namespace: props.namespace, labels };
    this.addAccess(props, meta);
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: {
        ...meta,
        annotations: exemptionAnnotations({
          rules: ['production-replicas', 'zone-spread', 'service-account-token'],
          reason: 'one control loop (two would race over the same failovers, one pod has nothing to spread) that reads zones from the API',
        }),
      },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: { metadata: { labels }, spec: rebalancerPodSpec(this.name, props) },
      },
    });
    this.metricsService = new k8s.KubeService(this, 'MetricsService', {
      metadata: { ...meta, labels: { ...labels, 'perfstack.io/metrics': 'redis-rebalancer' } },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'metrics', port: REBALANCER_METRICS_PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }],
      },
    });
    this.serviceMonitor = new ServiceMonitor(this, 'ServiceMonitor', {
      metadata: meta,
      spec: {
        selector: { matchLabels: { ...selector, 'perfstack.io/metrics': 'redis-rebalancer' } },
        endpoints: [{ port: 'metrics', interval: '30s' }],
      },
    });
  }

  private addAccess(props: RedisRebalancerProps, meta: { name: string; namespace: string; labels: Record<string, string> }): void {
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta, automountServiceAccountToken: false });
    new k8s.KubeRole(this, 'Role', {
      metadata: meta,
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
      subjects: [{ kind: 'ServiceAccount', name: this.name, namespace: props.namespace }],
    });
    const clusterName = `${props.namespace}-${this.name}`;
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: clusterName, labels: meta.labels },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: clusterName, labels: meta.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
      subjects: [{ kind: 'ServiceAccount', name: this.name, namespace: props.namespace }],
    });
    const tcp = (port: number) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' });
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: meta,
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': this.name } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.monitoringNamespace } } }],
            ports: [tcp(REBALANCER_METRICS_PORT)],
          },
        ],
        egress: [apiServerEgress(props.apiServer)],
      },
    });
  }
}

export function rebalancerPodSpec(name: string, props: RedisRebalancerProps): k8s.PodSpec {
  const health = { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('metrics') } };
  return {
    serviceAccountName: name,
    automountServiceAccountToken: true,
    enableServiceLinks: false,
    // Not critical: a pass missed under resource pressure only delays the next move.
    priorityClassName: PRIORITY_CLASSES.standard.name,
    securityContext: props.podSecurity,
    containers: [
      {
        name: 'rebalancer',
        image: props.image,
        command: ['python3', '-B', '/scripts/topology.py', 'rebalance', props.namespace, props.podSelector],
        env: [
          props.password,
          { name: 'PYTHONPATH', value: '/scripts' },
          { name: 'REBALANCE_INTERVAL_SECONDS', value: String(props.intervalSeconds ?? 30) },
          { name: 'REBALANCE_MAX_MOVES_PER_HOUR', value: String(props.maxMovesPerHour ?? 6) },
          { name: 'METRICS_PORT', value: String(REBALANCER_METRICS_PORT) },
        ],
        ports: [{ name: 'metrics', containerPort: REBALANCER_METRICS_PORT, protocol: 'TCP' }],
        securityContext: props.containerSecurity,
        resources: smallResources('20m', '48Mi', '96Mi'),
        readinessProbe: { ...health, periodSeconds: 10 },
        livenessProbe: { ...health, periodSeconds: 30, failureThreshold: 3 },
        volumeMounts: [{ name: 'scripts', mountPath: '/scripts' }],
      },
    ],
    volumes: [scriptsVolume(props.configMap)],
  };
}
