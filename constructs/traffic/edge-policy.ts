import { CallGraph, ResolvedService } from './call-graph';
import { IDEMPOTENT_METHODS, TRAFFIC_DEFAULTS, maxPendingDefault, perTryTimeoutDefault, worstCallMs } from './dependency';
import { MeshPolicy } from './mesh-policy';

/**
 * The edge (the Gateway in front of the public services) as one more caller in the call graph: its policy to each
 * public service comes from the same model and defaults as a service-to-service dependency, so the retries it adds
 * count in the same amplification bound and its timeouts in the same budget. Pure: the gateway construct renders
 * these as HTTPRoute timeouts and, on Envoy Gateway, a BackendTrafficPolicy.
 */

/** What the edge applies to requests for one public service. */
export interface EdgePolicy extends MeshPolicy {
  /**
   * How long a client's request may take in all at the edge: the service's own `timeout` (its declared budget, which
   * the call graph already checked its dependencies against).
   */
  readonly requestTimeoutMs: number;
}

/**
 * The largest product of attempts along any call path that starts at `service` (1 for a service that calls nothing):
 * what one request entering it may become at the bottom of the graph.
 */
export function amplificationBelow(graph: CallGraph, service: string, memo = new Map<string, number>()): number {
  const known = memo.get(service);
  if (known !== undefined) return known;
  const s = graph.services.find((x) => x.name === service);
  const factor = Math.max(
    1,
    ...(s?.dependencies ?? []).map((d) => d.attempts * (d.kind === 'service' ? amplificationBelow(graph, d.name, memo) : 1)),
  );
  memo.set(service, factor);
  return factor;
}

/**
 * The edge's policy to one public service. Per try: the service-to-service default (2.5 x its latency objective, at
 * most its timeout). Tries: 3 for the idempotent methods, fewer where the path below would pass the amplification
 * bound (the edge takes what the graph leaves, so the mesh's own defaults do not change) or where the tries and their
 * backoff would not fit the request timeout; one try, cut at the request timeout, when no retry is left. Other
 * methods are never retried at the edge: it cannot know they are safe to repeat.
 */
export function edgePolicy(graph: CallGraph, service: ResolvedService, protocol: 'http' | 'grpc' = 'http'): EdgePolicy {
  const requestTimeoutMs = service.timeoutMs;
  const perTry = perTryTimeoutDefault(
    { kind: 'service', service: service.name },
    { latencyMs: service.latencyMs, timeoutMs: requestTimeoutMs },
    service,
  );
  const backoffMs = TRAFFIC_DEFAULTS.backoffMs;
  // A gRPC call is a POST: never retried at the edge.
  let attempts =
    protocol === 'grpc'
      ? 1
      : Math.max(1, Math.min(TRAFFIC_DEFAULTS.attempts, Math.floor(graph.amplificationBound / amplificationBelow(graph, service.name))));
  while (attempts > 1 && worstCallMs(attempts, perTry, backoffMs) > requestTimeoutMs) attempts--;
  const maxConnections = service.replicasMax * TRAFFIC_DEFAULTS.connectionsPerCalleePod;
  // With one try the tail is not retried elsewhere: the try may use the whole budget.
  const perTryTimeoutMs = attempts > 1 ? perTry : requestTimeoutMs;
  return {
    service: service.name,
    callers: ['edge'],
    protocol,
    perTryTimeoutMs,
    attempts,
    backoffMs,
    statusCodes: TRAFFIC_DEFAULTS.statusCodes,
    retriedMethods: IDEMPOTENT_METHODS,
    circuitBreaker: {
      maxConnections,
      maxPendingRequests: maxPendingDefault(maxConnections, perTryTimeoutMs, service.latencyMs),
      maxRequestsPerConnection: TRAFFIC_DEFAULTS.maxRequestsPerConnection,
    },
    outlierDetection: {
      consecutive5xxErrors: TRAFFIC_DEFAULTS.consecutive5xxErrors,
      consecutiveGatewayErrors: TRAFFIC_DEFAULTS.consecutiveGatewayErrors,
      intervalMs: TRAFFIC_DEFAULTS.intervalMs,
      baseEjectionTimeMs: TRAFFIC_DEFAULTS.baseEjectionTimeMs,
      maxEjectionPercent: TRAFFIC_DEFAULTS.maxEjectionPercent,
    },
    requestTimeoutMs,
  };
}
