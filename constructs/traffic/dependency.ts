import { Duration } from 'cdk8s';
import { durationMillis } from '../core/quantities';

/**
 * What a service calls, and how: per-try timeout, retries with exponential backoff, circuit-breaker limits and
 * outlier detection for each dependency, with defaults derived from the callee's and the caller's `Slo`. The call
 * graph (call-graph.ts) resolves and checks these; the mesh and the gateway render them as their own objects.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */

/** HTTP methods a dependency is called with. */
export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'PUT' | 'DELETE' | 'POST' | 'PATCH';

/** Idempotent methods (RFC 9110, section 9.2.2): repeating one has the effect of sending it once. */
export const IDEMPOTENT_METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'];

export interface RetryPolicy {
  /**
   * Tries in all, the first included: 3 is one try and two retries (Istio's `retries.attempts` counts retries only,
   * so it renders as `attempts - 1`). 1 turns retries off. Only idempotent methods are retried, unless the dependency
   * is declared `idempotent`.
   * @default - 3 where some calls may be retried, fewer where the caller's timeout or the amplification bound cannot
   * hold them; 1 (no retry) where none may
   */
  readonly attempts?: number;
  /**
   * Base interval of the exponential backoff between tries. Envoy draws each wait with full jitter from
   * [0, (2^n - 1) x base] for the n-th retry, capped at 10 x base.
   * @default Duration.millis(25)
   */
  readonly backoff?: Duration;
  /** Response codes that are retried (besides connection failures, resets and refused streams). @default [502, 503, 504] */
  readonly statusCodes?: readonly number[];
}

export interface CircuitBreaker {
  /**
   * Connections to the callee from one proxy; requests beyond them wait as pending.
   * @default - the callee's maximum replicas x 32
   */
  readonly maxConnections?: number;
  /**
   * Requests waiting for a connection; beyond them requests fail at once (503, `upstream_rq_pending_overflow`).
   * @default - as many as drain within one per-try timeout: maxConnections x (perTryTimeout / callee latency - 1)
   */
  readonly maxPendingRequests?: number;
  /** Requests per connection before it is closed, so connections rebalance onto new pods. @default 1000 */
  readonly maxRequestsPerConnection?: number;
}

export interface OutlierDetection {
  /** Consecutive 5xx responses (or, for TCP, connect failures) that eject an instance. @default 5 */
  readonly consecutive5xxErrors?: number;
  /** Consecutive 502, 503 and 504 responses that eject an instance. @default 3 */
  readonly consecutiveGatewayErrors?: number;
  /** How often instances are scanned. @default Duration.seconds(10) */
  readonly interval?: Duration;
  /** How long a first ejection lasts (each further ejection lasts longer). @default Duration.seconds(30) */
  readonly baseEjectionTime?: Duration;
  /** Share of the callee's instances that may be ejected at once; below 100, so one always serves. @default 50 */
  readonly maxEjectionPercent?: number;
}

/** What every dependency may set; every field has a default derived from the Slos. */
export interface DependencyPolicy {
  /** How long one try may take. @default - see {@link perTryTimeoutDefault} */
  readonly perTryTimeout?: Duration;
  /** @default - see {@link RetryPolicy} */
  readonly retries?: RetryPolicy;
  /** @default - see {@link CircuitBreaker} */
  readonly circuitBreaker?: CircuitBreaker;
  /** @default - see {@link OutlierDetection} */
  readonly outlierDetection?: OutlierDetection;
  /**
   * Every call may be repeated safely (an idempotency key, an upsert): retries are then allowed on any method.
   * @default false
   */
  readonly idempotent?: boolean;
}

/** Another service of the environment, by name, over HTTP or gRPC. */
export interface ServiceDependency extends DependencyPolicy {
  readonly kind: 'service';
  readonly service: string;
  /** @default 'http' */
  readonly protocol?: 'http' | 'grpc';
  /** Methods the caller uses (gRPC calls are POSTs). @default ['GET'] for http, ['POST'] for grpc */
  readonly methods?: readonly HttpMethod[];
}

/** The environment's Redis (Valkey) cluster. */
export interface RedisDependency extends DependencyPolicy {
  readonly kind: 'redis';
}

/** The environment's PostgreSQL through its read-write or read-only pooler. */
export interface PostgresDependency extends DependencyPolicy {
  readonly kind: 'postgres';
  readonly access: 'rw' | 'ro';
}

export type Dependency = ServiceDependency | RedisDependency | PostgresDependency;

/** The name a dependency goes by in inputs, messages and labels: the service, `redis`, `postgres-rw`, `postgres-ro`. */
export function dependencyName(d: Dependency): string {
  return d.kind === 'service' ? d.service : d.kind === 'redis' ? 'redis' : `postgres-${d.access}`;
}

/** Whether repeating the dependency's calls is safe: declared so, read-only, or only idempotent methods. */
export function isIdempotent(d: Dependency): boolean {
  if (d.idempotent === true) return true;
  if (d.kind === 'postgres') return d.access === 'ro';
  if (d.kind === 'redis') return false;
  return methodsOf(d).every((m) => IDEMPOTENT_METHODS.includes(m));
}

/**
 * Whether some of the dependency's calls may be retried: it is idempotent, or it sends some idempotent methods (the
 * mesh then retries those only, by method).
 */
export function isRetriable(d: Dependency): boolean {
  return isIdempotent(d) || (d.kind === 'service' && methodsOf(d).some((m) => IDEMPOTENT_METHODS.includes(m)));
}

export function methodsOf(d: ServiceDependency): readonly HttpMethod[] {
  return d.methods ?? (d.protocol === 'grpc' ? ['POST'] : ['GET']);
}

/** The defaults of this file, in one place. */
export const TRAFFIC_DEFAULTS = {
  attempts: 3,
  backoffMs: 25,
  statusCodes: [502, 503, 504],
  /** A try to a service may take this many times its latency objective: past it, it is in the tail worth retrying. */
  perTryLatencyFactor: 2.5,
  /** A call to the data tier may take this share of the caller's own latency objective. */
  dataTierShareOfCallerLatency: 0.5,
  /** A service's own request timeout, in multiples of its latency objective. */
  timeoutLatencyFactor: 10,
  connectionsPerCalleePod: 32,
  maxRequestsPerConnection: 1000,
  consecutive5xxErrors: 5,
  consecutiveGatewayErrors: 3,
  intervalMs: 10_000,
  baseEjectionTimeMs: 30_000,
  maxEjectionPercent: 50,
  /** Worst-case product of attempts along any call path. */
  amplificationBound: 10,
} as const;

/** Envoy caps each backoff wait at 10 times the base interval. */
export const BACKOFF_CAP_FACTOR = 10;

/**
 * The longest a caller can spend waiting between its tries: the n-th retry waits at most min((2^n - 1) x base, 10 x
 * base) (Envoy's fully jittered exponential backoff), summed over the retries.
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-max-retries
 */
export function worstBackoffMs(attempts: number, backoffMs: number): number {
  let total = 0;
  for (let n = 1; n < attempts; n++) total += Math.min((2 ** n - 1) * backoffMs, BACKOFF_CAP_FACTOR * backoffMs);
  return total;
}

/** The longest one call can take with every try timing out: attempts x per-try timeout, plus the backoff between. */
export function worstCallMs(attempts: number, perTryTimeoutMs: number, backoffMs: number): number {
  return attempts * perTryTimeoutMs + worstBackoffMs(attempts, backoffMs);
}

/** Whole milliseconds of a Duration (NaN for a broken one, which the shape checks report first). */
export function millis(d: Duration): number {
  return durationMillis(d);
}

/**
 * Default per-try timeout: a service's latency objective x 2.5 (a try past it is in the tail, where a retry on
 * another instance helps; 200 ms gives 500 ms, the platform's p99 target), never longer than the callee's own
 * timeout nor the caller's; a data-tier call gets half the caller's latency objective.
 */
export function perTryTimeoutDefault(
  d: Dependency,
  caller: { readonly latencyMs: number; readonly timeoutMs: number },
  callee?: { readonly latencyMs: number; readonly timeoutMs: number },
): number {
  if (d.kind === 'service' && callee) {
    return Math.min(Math.round(callee.latencyMs * TRAFFIC_DEFAULTS.perTryLatencyFactor), callee.timeoutMs, caller.timeoutMs);
  }
  return Math.max(1, Math.min(Math.round(caller.latencyMs * TRAFFIC_DEFAULTS.dataTierShareOfCallerLatency), caller.timeoutMs));
}

/** Default request timeout of a service: 10 x its latency objective (2 s for 200 ms). */
export function serviceTimeoutDefault(latencyMs: number): number {
  return Math.round(latencyMs * TRAFFIC_DEFAULTS.timeoutLatencyFactor);
}

/**
 * Default pending-request limit: as many as drain within one per-try timeout at the callee's latency objective
 * (Little's law over `maxConnections` connections), at least 1. A request waiting longer would time out anyway.
 */
export function maxPendingDefault(maxConnections: number, perTryTimeoutMs: number, calleeLatencyMs: number): number {
  return Math.max(1, Math.floor((maxConnections * Math.max(0, perTryTimeoutMs - calleeLatencyMs)) / calleeLatencyMs));
}
