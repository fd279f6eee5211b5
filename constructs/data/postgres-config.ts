import { Size } from 'cdk8s';

/** The PostgreSQL settings DESIGN.md derives from the memory limit and workload. */
export interface PostgresTuning {
  /** @default 200 */
  readonly maxConnections?: number;
  /** @default 16 */
  readonly workMemMiB?: number;
  /** @default 256 */
  readonly maintenanceWorkMemMiB?: number;
}

/**
 * PostgreSQL parameters for an instance with `memory` as its container limit: shared_buffers 25%,
 * effective_cache_size 75%, and DESIGN.md's fixed values for SSD-backed volumes. Integration tests start a real
 * postgres with exactly these values; the CloudNativePG Cluster carries them in `spec.postgresql.parameters`.
 *
 * @see https://cloudnative-pg.io/documentation/1.24/postgresql_conf/
 */
export function postgresParameters(memory: Size, tuning: PostgresTuning = {}): Record<string, string> {
  const mib = memory.toMebibytes();
  return {
    max_connections: String(tuning.maxConnections ?? 200),
    shared_buffers: `${Math.floor(mib / 4)}MB`,
    effective_cache_size: `${Math.floor((mib * 3) / 4)}MB`,
    work_mem: `${tuning.workMemMiB ?? 16}MB`,
    maintenance_work_mem: `${tuning.maintenanceWorkMemMiB ?? 256}MB`,
    checkpoint_completion_target: '0.9',
    random_page_cost: '1.1',
    effective_io_concurrency: '200',
    wal_compression: 'on',
    // Queries slower than this are logged: the platform aims at < 10 ms on average.
    log_min_duration_statement: '250ms',
    log_lock_waits: 'on',
    log_temp_files: '0',
    track_io_timing: 'on',
  };
}

/**
 * `synchronous_standby_names` as CloudNativePG sets it for `minSyncReplicas`/`maxSyncReplicas` = n: a quorum of
 * n among the standbys, so a commit returns only once n standbys have it on disk.
 */
export function synchronousStandbyNames(standbys: readonly string[], synchronous: number): string {
  return synchronous > 0 ? `ANY ${synchronous} (${standbys.map((s) => `"${s}"`).join(', ')})` : '';
}

export interface PoolerSizing {
  /** Server connections per database/user pair per PgBouncer instance. @default 25 */
  readonly defaultPoolSize?: number;
  /** Client connections one PgBouncer instance accepts. @default 1000 (the PostgresCluster derives it from its target) */
  readonly maxClientConn?: number;
  /** Extra server connections for bursts, after `reservePoolTimeoutSeconds`. @default 5 */
  readonly reservePoolSize?: number;
}

/**
 * PgBouncer settings for a pooler in transaction mode (the mode goes in the Pooler's `poolMode`). Integration tests
 * run the real pgbouncer with exactly these values.
 *
 * @see https://www.pgbouncer.org/config.html
 */
export function pgbouncerParameters(sizing: PoolerSizing = {}): Record<string, string> {
  return {
    default_pool_size: String(sizing.defaultPoolSize ?? 25),
    max_client_conn: String(sizing.maxClientConn ?? 1000),
    reserve_pool_size: String(sizing.reservePoolSize ?? 5),
    reserve_pool_timeout: '3',
    // A client waits at most this long for a server connection, then gets an error instead of hanging.
    query_wait_timeout: '30',
    server_idle_timeout: '300',
    server_lifetime: '3600',
  };
}

/** Most server connections a pooler can open to one instance: instances x (pool + reserve). */
export function poolerServerConnections(instances: number, sizing: PoolerSizing = {}): number {
  return instances * ((sizing.defaultPoolSize ?? 25) + (sizing.reservePoolSize ?? 5));
}

/** Room above an even share: uneven spread by the Service, reconnect storms, the metrics exporter's admin connection. */
export const POOLER_HEADROOM_PERCENT = 10;

/**
 * `max_client_conn` per PgBouncer instance so that `targetClients` are still accepted with one instance down: the
 * survivors (instances - 1) share every client, plus {@link POOLER_HEADROOM_PERCENT}. `max_client_conn` is per instance, so
 * 2 instances of 1000 serve 1000 clients with one down, not 2000.
 */
export function poolerMaxClientConn(targetClients: number, instances: number): number {
  return Math.ceil((targetClients * (100 + POOLER_HEADROOM_PERCENT)) / (100 * Math.max(1, instances - 1)));
}
