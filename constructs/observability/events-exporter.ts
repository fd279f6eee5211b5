import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { ApiServerAccess, apiServerEgress, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';

/**
 * Kubernetes Events (an HPA's `SuccessfulRescale`, KEDA's ScaledObject events, Karpenter's and the cluster
 * autoscaler's node events) live an hour in etcd. The events exporter keeps them: the OpenTelemetry Collector (the
 * `opentelemetry-collector` chart, contrib image) watches `events.k8s.io` Events with its `k8sobjects` receiver and
 * writes them as JSON lines to a volume, rotated and kept as long as Prometheus keeps metrics. The chart is installed
 * from the operator catalogue (release `events-exporter`); what it may do (watch Events, nothing else) and where it
 * may connect (the API server, DNS) are these objects, so they are validated like every other.
 *
 * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/receiver/k8sobjectsreceiver
 * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/exporter/fileexporter
 */
export const EVENTS_EXPORTER = {
  /** Helm release, service account, ClusterRole and NetworkPolicy name. */
  name: 'events-exporter',
  /** The chart's `app.kubernetes.io/name` (its name: no nameOverride). */
  chartName: 'opentelemetry-collector',
  /** Where the volume is mounted and the files are written (`events.jsonl`, rotated `events-<time>.jsonl`). */
  directory: '/var/lib/perfstack-events',
  /** The collector's own metrics, for Prometheus. */
  metricsPort: 8888,
  /** The chart's health_check extension, which its probes call. */
  healthPort: 13133,
  /** The collector image runs as this user (and the volume is group-owned by it). */
  uid: 10001,
} as const;

/** Rotated files: the live one and this many older, at most `maxMegabytes` each. */
const ROTATION = { maxMegabytes: 100, maxBackups: 50 } as const;

/** The volume holds every rotated file with a fifth to spare. */
export const EVENTS_VOLUME_GI = Math.ceil(((ROTATION.maxBackups + 1) * ROTATION.maxMegabytes * 1.2) / 1024);

/** Whole days of a Prometheus duration (`15d`, `2w`, `1y`), at least one: how long the events are kept. */
export function retentionDays(promDuration: string): number {
  const m = /^([0-9]+)(ms|s|m|h|d|w|y)$/.exec(promDuration);
  if (!m) throw new Error(`retention '${promDuration}' is not a Prometheus duration such as "15d"`);
  const seconds = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 }[m[2]]!;
  return Math.max(1, Math.ceil((Number(m[1]) * seconds) / 86_400));
}

/**
 * The collector's configuration, as the chart's `config` value: Events in, JSON lines out. The chart's default
 * receivers (OTLP, Jaeger, Zipkin, its own Prometheus scrape) and their pipelines are removed with `null`, so the
 * collector listens on nothing but its health and metrics ports.
 */
export function eventsCollectorConfig(keepDays: number): Record<string, unknown> {
  return {
    receivers: {
      // Only additions and changes: a DELETED watch event is etcd's one-hour TTL expiring, not news.
      k8sobjects: { objects: [{ name: 'events', group: 'events.k8s.io', mode: 'watch', exclude_watch_type: ['DELETED'] }] },
      jaeger: null,
      otlp: null,
      prometheus: null,
      zipkin: null,
    },
    exporters: {
      debug: null,
      file: {
        path: `${EVENTS_EXPORTER.directory}/events.jsonl`,
        format: 'json',
        rotation: { max_megabytes: ROTATION.maxMegabytes, max_days: keepDays, max_backups: ROTATION.maxBackups, localtime: false },
      },
    },
    service: {
      pipelines: {
        logs: { receivers: ['k8sobjects'], processors: ['memory_limiter', 'batch'], exporters: ['file'] },
        metrics: null,
        traces: null,
      },
    },
  };
}

/**
 * The `opentelemetry-collector` chart's values for the events exporter: one StatefulSet replica with its volume, the
 * service account and ClusterRole of {@link EventsExporterAccess} (the chart creates neither), the restricted
 * security context, no port but metrics.
 */
export function eventsExporterValues(opts: {
  readonly retention: string;
  readonly priorityClassName: string;
  /** Registry host images are pulled from when air-gapped. @default - Docker Hub */
  readonly mirror?: string;
}): Record<string, unknown> {
  const { name, directory, metricsPort, uid } = EVENTS_EXPORTER;
  return {
    mode: 'statefulset',
    // One watcher: two would write every Event twice.
    replicaCount: 1,
    image: { repository: `${opts.mirror ? `${opts.mirror}/` : ''}otel/opentelemetry-collector-contrib` },
    command: { name: 'otelcol-contrib' },
    serviceAccount: { create: false, name },
    clusterRole: { create: false },
    podSecurityContext: restrictedPodSecurity(uid),
    securityContext: restrictedContainerSecurity(),
    priorityClassName: opts.priorityClassName,
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    ports: {
      ...Object.fromEntries(
        ['otlp', 'otlp-http', 'jaeger-compact', 'jaeger-thrift', 'jaeger-grpc', 'zipkin'].map((p) => [p, { enabled: false }]),
      ),
      metrics: { enabled: true, containerPort: metricsPort, servicePort: metricsPort, protocol: 'TCP' },
    },
    statefulset: {
      volumeClaimTemplates: [
        {
          metadata: { name: 'events' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${EVENTS_VOLUME_GI}Gi` } } },
        },
      ],
    },
    extraVolumeMounts: [{ name: 'events', mountPath: directory }],
    config: eventsCollectorConfig(retentionDays(opts.retention)),
  };
}

export interface EventsExporterAccessProps {
  /** Namespace the chart is installed in (the monitoring namespace). */
  readonly namespace: string;
  readonly apiServer: ApiServerAccess;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * What the events exporter may do: a service account bound to a ClusterRole that reads Events and nothing else (no
 * Pods, Secrets or ConfigMaps, no writes), and a NetworkPolicy that lets it reach only the API server and DNS, and
 * be reached only by Prometheus on the metrics port of its own namespace.
 */
export class EventsExporterAccess extends Construct {
  public readonly clusterRole: k8s.KubeClusterRole;
  public readonly networkPolicy: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: EventsExporterAccessProps) {
    super(scope, id);
    const problems = Problems.of(this);
    problems.check(
      props.apiServer.cidrs.length > 0,
      'apiServer.cidrs',
      props.apiServer.cidrs,
      'must list the Kubernetes API server address range',
    );
    problems.throwIfAny();
    const { name, chartName, metricsPort } = EVENTS_EXPORTER;
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'events-exporter', ...(props.labels ?? {}) };
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name, namespace: props.namespace, labels } });
    this.clusterRole = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name, labels },
      rules: [{ apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: props.namespace }],
    });
    const port = (n: number, protocol = 'TCP') => ({ port: k8s.IntOrString.fromNumber(n), protocol });
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name, namespace: props.namespace, labels },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': chartName, 'app.kubernetes.io/instance': name } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }], ports: [port(metricsPort)] }],
        egress: [apiServerEgress(props.apiServer), { ports: [port(53, 'UDP'), port(53)] }],
      },
    });
  }
}
