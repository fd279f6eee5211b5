import { CallGraph, ResolvedDependency } from './call-graph';
import { IDEMPOTENT_METHODS, worstCallMs } from './dependency';

/**
 * The call graph as the mesh applies it: one policy per called service (a DestinationRule and a route on its host,
 * whoever calls), plus the lines that say the same in words where no mesh enforces it. Pure: the Istio construct
 * renders these, the tests read them.
 */

/** The traffic policy the mesh applies to every call to one service. */
export interface MeshPolicy {
  /** The called service. */
  readonly service: string;
  /** Its callers, for labels and messages. */
  readonly callers: readonly string[];
  readonly protocol: 'http' | 'grpc';
  readonly perTryTimeoutMs: number;
  /** Tries in all for retried calls; 1 when no caller's calls may be retried. */
  readonly attempts: number;
  readonly backoffMs: number;
  readonly statusCodes: readonly number[];
  /**
   * Methods retried: every method when every caller's calls are idempotent, else only the idempotent ones (the others
   * get a route of their own, with no retry).
   */
  readonly retriedMethods: 'all' | readonly string[];
  readonly circuitBreaker: ResolvedDependency['circuitBreaker'];
  readonly outlierDetection: ResolvedDependency['outlierDetection'];
}

/** One policy per service that has callers, in call order. */
export function meshPolicies(graph: CallGraph): MeshPolicy[] {
  const edges = graph.services.flatMap((s) => s.dependencies.filter((d) => d.kind === 'service'));
  const callees = graph.services.map((s) => s.name).filter((n) => edges.some((e) => e.name === n));
  return callees.map((service) => {
    const ins = edges.filter((e) => e.name === service);
    // The call graph made these agree (one policy per callee); retried edges carry the shared attempts.
    const first = ins[0];
    const attempts = Math.max(...ins.map((e) => e.attempts));
    return {
      service,
      callers: ins.map((e) => e.caller),
      protocol: first.protocol === 'grpc' ? 'grpc' : 'http',
      perTryTimeoutMs: first.perTryTimeoutMs,
      attempts,
      backoffMs: first.backoffMs,
      statusCodes: first.statusCodes,
      retriedMethods: ins.every((e) => e.idempotent) ? 'all' : IDEMPOTENT_METHODS,
      circuitBreaker: first.circuitBreaker,
      outlierDetection: first.outlierDetection,
    };
  });
}

/** The route timeout: every try timing out, plus the longest backoff between tries. */
export function routeTimeoutMs(p: MeshPolicy, retried: boolean): number {
  return retried ? worstCallMs(p.attempts, p.perTryTimeoutMs, p.backoffMs) : p.perTryTimeoutMs;
}

/**
 * Envoy's `retryOn` for the policy: failures where the request never reached the application (connect failure,
 * refused stream, reset), the policy's status codes, and for gRPC the status that means "try another instance".
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export function retryOn(p: MeshPolicy): string {
  const grpc = p.protocol === 'grpc' ? ['unavailable'] : [];
  return ['connect-failure', 'refused-stream', 'reset', ...grpc, ...p.statusCodes.map(String)].join(',');
}

/** A duration as Istio and Envoy read it. */
export function ms(n: number): string {
  return `${n}ms`;
}

/**
 * The policies as warnings, for an environment without a mesh: one line per call, so nothing typed is silently lost;
 * the applications' own HTTP clients must then apply them.
 */
export function unenforcedPolicyLines(environment: string, graph: CallGraph): string[] {
  return graph.services.flatMap((s) =>
    s.dependencies
      .filter((d) => d.kind === 'service')
      .map(
        (d) =>
          `${environment}: 'mesh' ("none"): ${s.name} -> ${d.name} is not enforced by a mesh: ${d.attempts} attempt(s) of ` +
          `${d.perTryTimeoutMs} ms (at most ${d.worstCaseMs} ms), at most ${d.circuitBreaker.maxConnections} connections and ` +
          `${d.circuitBreaker.maxPendingRequests} pending, ejection after ${d.outlierDetection.consecutive5xxErrors} consecutive 5xx ` +
          `(at most ${d.outlierDetection.maxEjectionPercent}% of instances); ${s.name}'s HTTP client must apply it`,
      ),
  );
}
