import { Construct } from 'constructs';
import { Rule, RuleGroup, RuleGroups } from './rule-groups';
import { NODE_RECORDS, REMEDIATION_RECORDS, SCALING_RECORDS, SERVICE_RECORDS } from './performance-record-names';
import { SloModel } from './slo';

export {
  NODE_RECORDS,
  NODE_RECORDS_SELECTOR,
  RECORDS_SELECTOR,
  REMEDIATION_RECORDS,
  SCALING_RECORDS,
  SERVICE_RECORDS,
} from './performance-record-names';

/** kube-state-metrics names HPAs by the object; KEDA's are `keda-hpa-<ScaledObject>`: both become `service`. */
const asService = (expr: string, from = 'horizontalpodautoscaler') =>
  `label_replace(${expr}, "service", "$1", "${from}", "(?:keda-hpa-)?(.+)")`;

/**
 * Recording rules over kube-state-metrics' HPA series and KEDA's scaler metrics: each HPA sync's current and desired
 * replicas, its bounds, each metric's value against its target, and whether a limit held it. Evaluated every 15 s,
 * the HPA's own sync period, so every decision is a sample.
 *
 * @see https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/horizontalpodautoscaler-metrics.md
 * @see https://keda.sh/docs/latest/integrations/prometheus/
 */
export function scalingAuditRules(namespace: string): RuleGroup {
  const ns = `namespace="${namespace}"`;
  const ksm = (m: string, extra = '') => asService(`${m}{${ns}${extra}}`);
  const rules: Rule[] = [
    { record: SCALING_RECORDS.current, expr: ksm('kube_horizontalpodautoscaler_status_current_replicas') },
    { record: SCALING_RECORDS.desired, expr: ksm('kube_horizontalpodautoscaler_status_desired_replicas') },
    { record: SCALING_RECORDS.min, expr: ksm('kube_horizontalpodautoscaler_spec_min_replicas') },
    { record: SCALING_RECORDS.max, expr: ksm('kube_horizontalpodautoscaler_spec_max_replicas') },
    {
      record: SCALING_RECORDS.metricValue,
      expr: `label_replace(${ksm('kube_horizontalpodautoscaler_status_target_metric')}, "metric", "$1", "metric_name", "(.+)")`,
    },
    {
      record: SCALING_RECORDS.metricTarget,
      expr: `label_replace(${ksm('kube_horizontalpodautoscaler_spec_target_metric')}, "metric", "$1", "metric_name", "(.+)")`,
    },
    {
      record: SCALING_RECORDS.limited,
      expr: ksm('kube_horizontalpodautoscaler_status_condition', ',condition="ScalingLimited",status="true"'),
    },
    { record: SCALING_RECORDS.kedaValue, expr: asService(`keda_scaler_metrics_value{exported_namespace="${namespace}"}`, 'scaledObject') },
  ];
  return { name: 'perfstack-scaling-audit', interval: '15s', rules };
}

/** `expr` with a constant label added (label_replace of the empty source label matches every series). */
const withLabel = (expr: string, label: string, value: string) => `label_replace(${expr}, "${label}", "${value}", "", "")`;

/**
 * Node changes, whichever autoscaler runs, as cumulative counts per reason. Karpenter counts node claims created
 * (`reason`: `provisioned` for pending pods, or the disruption a replacement is for) and disrupted (`underutilized`,
 * `empty`, `drifted`, `expired`, an interruption...); the cluster autoscaler counts nodes scaled down by `reason`
 * (`underutilized`, `empty`, `unready`) and scaled up without one: it only adds nodes for pods that cannot be
 * scheduled, recorded as `pending_pods`. Summed across the controller's replicas (only the leader counts).
 *
 * @see https://karpenter.sh/docs/reference/metrics/
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/proposals/metrics.md
 */
export function nodeAuditRules(): RuleGroup {
  const karpenter = (m: string) => withLabel(`sum by (nodepool, capacity_type, reason) (${m})`, 'autoscaler', 'karpenter');
  const ca = (expr: string) => withLabel(expr, 'autoscaler', 'cluster-autoscaler');
  return {
    name: 'perfstack-node-audit',
    interval: '1m',
    rules: [
      { record: NODE_RECORDS.nodes, expr: 'count(kube_node_info)' },
      {
        record: NODE_RECORDS.added,
        expr: `${karpenter('karpenter_nodeclaims_created_total')} or ${ca(withLabel('sum(cluster_autoscaler_scaled_up_nodes_total)', 'reason', 'pending_pods'))}`,
      },
      {
        record: NODE_RECORDS.removed,
        expr: `${karpenter('karpenter_nodeclaims_disrupted_total')} or ${ca('sum by (reason) (cluster_autoscaler_scaled_down_nodes_total)')}`,
      },
    ],
  };
}

/**
 * The remediation runner's actions and outcomes per service, for the report's "incidents and remediations" (and the
 * share of issues resolved without a person). The runner's ServiceMonitor keeps the counters' own `service` label.
 */
export function remediationRecordRules(namespace: string): RuleGroup {
  const sel = `namespace="${namespace}"`;
  return {
    name: 'perfstack-remediation-records',
    interval: '1m',
    rules: [
      {
        record: REMEDIATION_RECORDS.actions,
        expr: `sum by (namespace, service, action, dry_run) (perfstack_remediation_decisions_total{${sel},verdict="act"})`,
      },
      {
        record: REMEDIATION_RECORDS.outcomes,
        expr: `sum by (namespace, service, dry_run, result) (perfstack_remediation_outcomes_total{${sel}})`,
      },
    ],
  };
}

/** Each service's traffic and its objective's latency percentile, for the report's trends: one group per service. */
export function serviceReportRules(model: SloModel): RuleGroup {
  const sel = `namespace="${model.namespace}",service="${model.service}"`;
  return {
    name: `perfstack-report-${model.service}`,
    interval: '30s',
    rules: [
      // The service label in the rule too: one record name per service, which promtool's lint asks for.
      {
        record: SERVICE_RECORDS.requests,
        expr: `sum by (namespace, service) (rate(${model.requests}{${sel}}[5m]))`,
        labels: { service: model.service },
      },
      {
        record: SERVICE_RECORDS.latency,
        expr: `histogram_quantile(${model.latency.target}, sum by (namespace, service, le) (rate(${model.histogram}_bucket{${sel}}[5m])))`,
        labels: { service: model.service },
      },
    ],
  };
}

export interface PerformanceRecordsProps {
  /** Namespace of the services (the rules' selectors) and of the PrometheusRule. */
  readonly namespace: string;
  /** The services' SLO models: their request counters and latency percentiles. */
  readonly slos: readonly SloModel[];
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The durable audit trail of scaling and the series of the weekly report, as one PrometheusRule: what a Kubernetes
 * Event (gone within the hour) says about a scaling decision, kept as long as Prometheus keeps metrics and carried
 * out by the metrics export.
 */
export class PerformanceRecords extends Construct {
  public readonly rules: RuleGroups;

  constructor(scope: Construct, id: string, props: PerformanceRecordsProps) {
    super(scope, id);
    this.rules = new RuleGroups(this, 'Rules', {
      name: 'performance-records',
      namespace: props.namespace,
      groups: [
        scalingAuditRules(props.namespace),
        nodeAuditRules(),
        remediationRecordRules(props.namespace),
        ...props.slos.map(serviceReportRules),
      ],
      labels: props.labels,
    });
  }
}
