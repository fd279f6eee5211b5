/**
 * Names of the recorded series (performance-records.ts), apart from the rules so the CLIs that read them
 * (`npm run scaling-audit`, `npm run report`) start without loading cdk8s.
 */

/**
 * The recorded series the scaling audit and the performance report read (`npm run scaling-audit`, `npm run
 * report`), and the metrics export carries out of an air-gapped site. Every one has `namespace` and `service`
 * labels, so one selector per service finds them all.
 */
export const SCALING_RECORDS = {
  current: 'perfstack:scaling_current_replicas',
  desired: 'perfstack:scaling_desired_replicas',
  min: 'perfstack:scaling_min_replicas',
  max: 'perfstack:scaling_max_replicas',
  /** One series per HPA metric (`metric`, `type` labels): the value the HPA status shows. */
  metricValue: 'perfstack:scaling_metric_value',
  /** The same metric's target from the HPA spec. */
  metricTarget: 'perfstack:scaling_metric_target',
  /** 1 while the HPA's `ScalingLimited` condition is true (min/max or a rate policy clamped the recommendation). */
  limited: 'perfstack:scaling_limited',
  /** KEDA's view of each trigger (`scaler`, `metric` labels), cron and forecast floors included. */
  kedaValue: 'perfstack:scaling_keda_value',
} as const;

/** Per-service series of the performance report. */
export const SERVICE_RECORDS = {
  requests: 'perfstack:service_requests:rate5m',
  /** The SLO's latency percentile (p95 by default), seconds. */
  latency: 'perfstack:service_latency_seconds:objective_quantile5m',
} as const;

/**
 * Node changes of Karpenter or the cluster autoscaler: each tool's own counters of nodes added and removed, summed per
 * `autoscaler`, `nodepool`, `capacity_type` and `reason` (cumulative, so the audit finds every change exactly as the
 * difference of consecutive samples), and the cluster's node count.
 */
export const NODE_RECORDS = {
  nodes: 'perfstack:cluster_nodes',
  added: 'perfstack:node_changes_added_total:sum',
  removed: 'perfstack:node_changes_removed_total:sum',
} as const;

/**
 * The remediation runner's counters (remediation/runner.ts) per service, cumulative like the node records (a restart
 * of the runner resets them; readers count a fall as a reset): the actions it took (`action`, `dry_run` labels), and
 * how the alerts it answered ended (`result`: `resolved` with no person paged, or `escalated`).
 */
export const REMEDIATION_RECORDS = {
  actions: 'perfstack:remediation_actions_total:sum',
  outcomes: 'perfstack:remediation_outcomes_total:sum',
} as const;

/** The node records, as one regular expression (the export's cluster-wide file; they have no `service` label). */
export const NODE_RECORDS_SELECTOR = 'perfstack:(cluster_nodes|node_changes_.+)';

/** Every metric name the audit and report read, as one regular expression (the export's selector). */
export const RECORDS_SELECTOR = `perfstack:.+|slo:sli_error:ratio_rate5m`;
