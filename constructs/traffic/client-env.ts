import { ResolvedDependency } from './call-graph';

/**
 * The data tier's traffic policy as the calling application reads it. No mesh retries a Redis command or an SQL
 * statement (they are TCP to the mesh), so a service's client for each store gets its resolved timeout, attempts,
 * backoff and pool limit as environment variables: `PERFSTACK_REDIS_TIMEOUT_MS`, `PERFSTACK_POSTGRES_RW_ATTEMPTS`, ...
 */
export function dataTierClientEnv(deps: readonly ResolvedDependency[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const d of deps.filter((x) => x.kind !== 'service')) {
    const prefix = `PERFSTACK_${d.name.toUpperCase().replace(/-/g, '_')}`;
    env[`${prefix}_TIMEOUT_MS`] = String(d.perTryTimeoutMs);
    env[`${prefix}_ATTEMPTS`] = String(d.attempts);
    env[`${prefix}_BACKOFF_MS`] = String(d.backoffMs);
    env[`${prefix}_MAX_CONNECTIONS`] = String(d.circuitBreaker.maxConnections);
  }
  return env;
}
