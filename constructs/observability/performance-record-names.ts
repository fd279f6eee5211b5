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

/** Node changes of the cluster autoscaler or Karpenter, with the reason each tool gives. */
export const NODE_RECORDS = {
  nodes: 'perfstack:cluster_nodes',
  added: 'perfstack:node_changes_added:increase5m',
  removed: 'perfstack:node_changes_removed:increase5m',
} as const;

/** Every metric name the audit and report read, as one regular expression (the export's selector). */
export const RECORDS_SELECTOR = `perfstack:.+|slo:sli_error:ratio_rate5m`;
