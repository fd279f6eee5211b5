import { RuleGroup, runbook } from '../observability/rule-groups';
import { MeshPolicy } from './mesh-policy';

/**
 * Alerts per called service, from what the waypoint reports: Istio's standard `istio_requests_total` (its
 * `response_flags` say why Envoy answered itself: UO circuit breaker overflow, UT upstream timeout) and the Envoy
 * cluster stats the waypoint exposes for retries and outlier ejections (see {@link WAYPOINT_STATS_MATCHER}). Each
 * alert carries `caller` and `callee` labels.
 *
 * @see https://istio.io/latest/docs/reference/config/metrics/
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#config-access-log-format-response-flags
 */

/** Envoy stats the waypoint must export for these rules (Istio keeps cluster stats off by default). */
export const WAYPOINT_STATS_MATCHER = ['.*upstream_rq_retry.*', '.*upstream_rq_total.*', '.*outlier_detection.*'] as const;

/** Share of a caller's requests to a callee that may time out before the alert fires. */
export const TIMEOUT_RATIO = 0.01;
/** Share of requests that may be retries before the alert fires. */
export const RETRY_RATIO = 0.1;

const rename = (expr: string) =>
  `label_replace(label_replace(${expr}, "caller", "$1", "source_workload", "(.*)"), "callee", "$1", "destination_service_name", "(.*)")`;

/** The Envoy cluster of a service as a waypoint names it: `outbound|<port>||<host>`. */
function clusterRegex(namespace: string, service: string): string {
  return `outbound\\\\|[0-9]+\\\\|\\\\|${service}\\\\.${namespace}\\\\.svc\\\\.cluster\\\\.local`;
}

/**
 * What each dependency alert tests, without its threshold: the rules alert on these and the service dashboards plot
 * them, so both read the same series the same way. Overflows and timeouts come from `istio_requests_total`, one
 * series per caller (`source_workload`); retries and ejections from the waypoint's Envoy cluster of the callee, which
 * all its callers share.
 */
export interface DependencySignals {
  /** Requests per second the circuit breaker refused (503, response flag UO), by caller. */
  readonly overflowRate: string;
  /** Share of requests that hit the route timeout (response flag UT), by caller. */
  readonly timeoutRatio: string;
  /** Share of the upstream requests to the callee that are retries, all callers together. */
  readonly retryRatio: string;
  /** Instances of the callee out of rotation now, ejected by outlier detection, all callers together. */
  readonly ejectionsActive: string;
}

/** The signals of calls to `callee`: from every caller, or from `caller` only (its dashboard). */
export function dependencySignals(namespace: string, callee: string, caller?: string): DependencySignals {
  const from = caller === undefined ? '' : `,source_workload="${caller}"`;
  const sel = `reporter="waypoint",destination_service_namespace="${namespace}",destination_service_name="${callee}"${from}`;
  const byPair = 'sum by (source_workload, destination_service_name)';
  const cluster = `cluster_name=~"${clusterRegex(namespace, callee)}"`;
  return {
    overflowRate: `${byPair} (rate(istio_requests_total{${sel},response_flags=~".*UO.*"}[5m]))`,
    timeoutRatio: `${byPair} (rate(istio_requests_total{${sel},response_flags=~".*UT.*"}[5m])) / ${byPair} (rate(istio_requests_total{${sel}}[5m]))`,
    retryRatio: `sum(rate(envoy_cluster_upstream_rq_retry{${cluster}}[5m])) / sum(rate(envoy_cluster_upstream_rq_total{${cluster}}[5m]))`,
    ejectionsActive: `max(envoy_cluster_outlier_detection_ejections_active{${cluster}})`,
  };
}

/** Circuit-breaker overflows, upstream timeouts, retry rate and outlier ejections, per called service. */
export function dependencyAlertRules(namespace: string, policies: readonly MeshPolicy[]): RuleGroup {
  return {
    name: 'perfstack-dependencies',
    rules: policies.flatMap((p) => {
      const signals = dependencySignals(namespace, p.service);
      const callee = { callee: p.service, namespace };
      return [
        {
          alert: 'DependencyCircuitBreakerOverflow',
          expr: rename(`${signals.overflowRate} > 0`),
          for: '5m',
          labels: { severity: 'page', ...callee },
          annotations: {
            summary: `{{ $labels.caller }} -> ${p.service}: requests refused by the circuit breaker (limit ${p.circuitBreaker.maxConnections} connections, ${p.circuitBreaker.maxPendingRequests} pending)`,
            description: `The waypoint answered 503 (UO) to {{ $value | humanize }} requests/s for 5 minutes: ${p.service} cannot keep up, or its limits are too low.`,
            runbook_url: runbook('dependency-circuit-breaker'),
          },
        },
        {
          alert: 'DependencyUpstreamTimeouts',
          expr: rename(`${signals.timeoutRatio} > ${TIMEOUT_RATIO}`),
          for: '10m',
          labels: { severity: 'ticket', ...callee },
          annotations: {
            summary: `{{ $labels.caller }} -> ${p.service}: {{ $value | humanizePercentage }} of requests time out (route timeout ${p.attempts > 1 ? 'with retries' : 'per try'}, ${p.perTryTimeoutMs} ms per try)`,
            description: `More than ${TIMEOUT_RATIO * 100}% of requests to ${p.service} hit the route timeout for 10 minutes.`,
            runbook_url: runbook('dependency-timeouts'),
          },
        },
        {
          alert: 'DependencyRetryRateHigh',
          expr: `${signals.retryRatio} > ${RETRY_RATIO}`,
          for: '10m',
          labels: { severity: 'ticket', ...callee, caller: p.callers.join(',') },
          annotations: {
            summary: `${p.service}: {{ $value | humanizePercentage }} of requests are retries (up to ${p.attempts} attempts)`,
            description: `Retries above ${RETRY_RATIO * 100}% for 10 minutes multiply the load on ${p.service} as it struggles.`,
            runbook_url: runbook('dependency-retries'),
          },
        },
        {
          alert: 'DependencyOutlierEjections',
          expr: `${signals.ejectionsActive} > 0`,
          for: '5m',
          labels: { severity: 'ticket', ...callee, caller: p.callers.join(',') },
          annotations: {
            summary: `${p.service}: {{ $value }} instance(s) ejected by outlier detection (at most ${p.outlierDetection.maxEjectionPercent}%)`,
            description: `Instances of ${p.service} answered ${p.outlierDetection.consecutive5xxErrors} consecutive 5xx and were taken out of rotation for 5 minutes.`,
            runbook_url: runbook('dependency-outliers'),
          },
        },
      ];
    }),
  };
}
