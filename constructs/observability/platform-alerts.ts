import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { checkQuantities } from '../core/quantities';
import { RuleGroup, RuleGroups, runbook } from './rule-groups';

/** What the platform alerts hold the environment to; every value defaults to DESIGN.md's targets. */
export interface PlatformAlertOptions {
  /** Namespace of the application workloads the alerts watch. */
  readonly namespace: string;
  /** @default Duration.millis(500) (DESIGN.md: p99 < 500 ms) */
  readonly p99Latency?: Duration;
  /** @default 0.9 (DESIGN.md: cache hit ratio > 90%) */
  readonly cacheHitRatio?: number;
  /** Share of the memory limit a container may use before it is reported. @default 0.85 */
  readonly memoryLimitShare?: number;
  /** Share of CFS periods throttled before it is reported. @default 0.25 */
  readonly cpuThrottledShare?: number;
  /** Latency histogram the services export. @default 'http_request_duration_seconds' */
  readonly latencyHistogram?: string;
}

/**
 * Alerts on the platform's moving parts, from kube-state-metrics, cAdvisor, KEDA, redis_exporter and the services'
 * own histograms: autoscalers that can no longer scale, crash loops, memory and CPU pressure, spot interruptions,
 * a cold cache and tail latency.
 */
export function platformAlertRules(o: PlatformAlertOptions): RuleGroup {
  const ns = `namespace="${o.namespace}"`;
  const p99 = (o.p99Latency ?? Duration.millis(500)).toMilliseconds() / 1000;
  const hit = o.cacheHitRatio ?? 0.9;
  const mem = o.memoryLimitShare ?? 0.85;
  const throttle = o.cpuThrottledShare ?? 0.25;
  const hist = o.latencyHistogram ?? 'http_request_duration_seconds';
  // The namespace label lets the namespace's AlertmanagerConfig route every alert, aggregated ones included.
  const labels = (severity: 'page' | 'ticket') => ({ severity, component: 'platform', namespace: o.namespace });
  return {
    name: 'platform',
    rules: [
      {
        alert: 'HpaAtMaxReplicas',
        expr: `kube_horizontalpodautoscaler_status_current_replicas{${ns}} >= kube_horizontalpodautoscaler_spec_max_replicas{${ns}}`,
        for: '15m',
        labels: labels('ticket'),
        annotations: {
          summary: 'HPA {{ $labels.horizontalpodautoscaler }} has been at its maximum for 15 minutes',
          description: 'It cannot add capacity: latency rises with load. Raise the maximum or the per-pod capacity.',
          runbook_url: runbook('hpa-at-max'),
        },
      },
      {
        alert: 'HpaUnableToComputeMetrics',
        expr: `kube_horizontalpodautoscaler_status_condition{${ns},condition="ScalingActive",status="false"} == 1`,
        for: '10m',
        labels: labels('page'),
        annotations: {
          summary: 'HPA {{ $labels.horizontalpodautoscaler }} cannot compute its metrics',
          description: 'Scaling is frozen at the current replica count; check metrics-server, prometheus-adapter or KEDA.',
          runbook_url: runbook('hpa-metrics'),
        },
      },
      {
        alert: 'KedaScalerErrors',
        expr: `sum by (namespace, scaledObject, scaler) (increase(keda_scaler_detail_errors_total{${ns}}[5m])) > 0`,
        for: '10m',
        labels: labels('ticket'),
        annotations: {
          summary: 'KEDA scaler {{ $labels.scaler }} of {{ $labels.scaledObject }} is failing',
          description: 'The trigger reads no value; the ScaledObject scales on its other triggers only.',
          runbook_url: runbook('keda-scaler-errors'),
        },
      },
      {
        alert: 'PodCrashLooping',
        expr: `max by (namespace, pod, container) (kube_pod_container_status_waiting_reason{${ns},reason="CrashLoopBackOff"}) == 1`,
        for: '5m',
        labels: labels('page'),
        annotations: {
          summary: 'Container {{ $labels.container }} of {{ $labels.pod }} is crash-looping',
          description: 'It restarts over and over: the service runs with fewer replicas than it thinks.',
          runbook_url: runbook('crash-loop'),
        },
      },
      {
        alert: 'ContainerMemoryNearLimit',
        expr:
          `max by (namespace, pod, container) (container_memory_working_set_bytes{${ns},container!=""}) / ` +
          `max by (namespace, pod, container) (kube_pod_container_resource_limits{${ns},resource="memory"}) > ${mem}`,
        for: '15m',
        labels: labels('ticket'),
        annotations: {
          summary: 'Container {{ $labels.container }} of {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit',
          description: 'It will be OOM-killed on the next spike; raise the limit or follow the VPA recommendation.',
          runbook_url: runbook('memory-near-limit'),
        },
      },
      {
        alert: 'CpuThrottlingHigh',
        expr:
          `sum by (namespace, pod, container) (increase(container_cpu_cfs_throttled_periods_total{${ns},container!=""}[5m])) / ` +
          `sum by (namespace, pod, container) (increase(container_cpu_cfs_periods_total{${ns},container!=""}[5m])) > ${throttle}`,
        for: '15m',
        labels: labels('ticket'),
        annotations: {
          summary: 'Container {{ $labels.container }} of {{ $labels.pod }} is throttled in {{ $value | humanizePercentage }} of periods',
          description: 'A CPU limit is slowing requests down; remove or raise it.',
          runbook_url: runbook('cpu-throttling'),
        },
      },
      {
        alert: 'SpotInterruptionNotice',
        // aws-node-termination-handler taints a node when its spot instance receives the two-minute notice.
        expr: 'max by (node) (kube_node_spec_taint{key="aws-node-termination-handler/spot-itn"}) == 1',
        labels: labels('ticket'),
        annotations: {
          summary: 'Spot node {{ $labels.node }} will be reclaimed within two minutes',
          description:
            'Its pods are being drained; PodDisruptionBudgets keep each service serving. Frequent notices mean the spot pools need more instance types.',
          runbook_url: runbook('spot-interruption'),
        },
      },
      {
        alert: 'CacheHitRatioLow',
        expr:
          `sum(rate(redis_keyspace_hits_total{${ns}}[5m])) / ` +
          `(sum(rate(redis_keyspace_hits_total{${ns}}[5m])) + sum(rate(redis_keyspace_misses_total{${ns}}[5m]))) < ${hit}`,
        for: '15m',
        labels: labels('ticket'),
        annotations: {
          summary: 'Cache hit ratio is {{ $value | humanizePercentage }}, below the target',
          description: 'More requests reach PostgreSQL; check evictions and key expiry.',
          runbook_url: runbook('cache-hit-ratio'),
        },
      },
      {
        alert: 'LatencyP99High',
        expr: `histogram_quantile(0.99, sum by (service, le) (rate(${hist}_bucket{${ns}}[5m]))) > ${p99}`,
        for: '10m',
        labels: labels('page'),
        annotations: {
          summary: '{{ $labels.service }}: p99 latency is {{ $value | humanizeDuration }}',
          description: `The platform target is p99 under ${p99 * 1000} ms.`,
          runbook_url: runbook('latency-p99'),
        },
      },
    ],
  };
}

export interface PlatformAlertsProps extends PlatformAlertOptions {
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The platform alerts as a PrometheusRule in the workloads' namespace. */
export class PlatformAlerts extends Construct {
  public readonly group: RuleGroup;
  public readonly rules: RuleGroups;

  constructor(scope: Construct, id: string, props: PlatformAlertsProps) {
    super(scope, id);
    const p = Problems.of(this);
    checkQuantities(p, { durations: { p99Latency: [props.p99Latency] } });
    // Shares are fractions here (0.9 for 90%): a percentage would make the alert impossible to fire or always firing.
    for (const input of ['cacheHitRatio', 'memoryLimitShare', 'cpuThrottledShare'] as const) {
      const v = props[input];
      p.check(
        v === undefined || (Number.isFinite(v) && v > 0 && v < 1),
        input,
        v,
        `must be a fraction above 0 and below 1${v !== undefined && v > 1 && v < 100 ? `; did you mean ${v / 100}?` : ''}`,
      );
    }
    p.throwIfAny();
    this.group = platformAlertRules(props);
    this.rules = new RuleGroups(this, 'Rules', {
      name: 'platform-alerts',
      namespace: props.namespace,
      groups: [this.group],
      labels: props.labels,
    });
  }
}
