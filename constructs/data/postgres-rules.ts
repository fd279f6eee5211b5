import { RuleGroup, runbook } from '../observability/rule-groups';

/** The series of a cluster's instances and of its poolers, as the PodMonitors label them. */
export function postgresSelectors(cluster: string, namespace: string): { readonly pods: string; readonly poolers: string } {
  return { pods: `namespace="${namespace}",pod=~"${cluster}-[0-9]+"`, poolers: `namespace="${namespace}",pod=~"${cluster}-pooler-.*"` };
}

/**
 * Alerts for one CloudNativePG cluster and its poolers, from the operator's default metrics (`cnpg_*`), scraped by
 * the PodMonitors with `namespace` and `pod` labels.
 *
 * @see https://cloudnative-pg.io/documentation/1.24/monitoring/
 */
export function postgresAlertRules(cluster: string, namespace: string): RuleGroup {
  const { pods, poolers } = postgresSelectors(cluster, namespace);
  const labels = (severity: 'page' | 'ticket') => ({ severity, component: 'postgres', cluster });
  return {
    name: `postgres-${cluster}`,
    rules: [
      {
        alert: 'PostgresReplicationLagHigh',
        expr: `max by (namespace, pod) (cnpg_pg_replication_lag{${pods}}) > 30`,
        for: '5m',
        labels: labels('page'),
        annotations: {
          summary: `PostgreSQL ${cluster}: replica {{ $labels.pod }} lags {{ $value | humanizeDuration }}`,
          description: 'A failover now would lose or wait for that much data; reads from the ro pooler are stale.',
          runbook_url: runbook('postgres-replication-lag'),
        },
      },
      {
        alert: 'PostgresConnectionsNearMax',
        expr:
          `sum by (namespace, pod) (cnpg_backends_total{${pods}}) / on (namespace, pod) ` +
          `max by (namespace, pod) (cnpg_pg_settings_setting{${pods},name="max_connections"}) > 0.8`,
        for: '5m',
        labels: labels('ticket'),
        annotations: {
          summary: `PostgreSQL ${cluster}: {{ $labels.pod }} uses {{ $value | humanizePercentage }} of max_connections`,
          description: 'New connections will be refused soon; check for clients bypassing the poolers.',
          runbook_url: runbook('postgres-connections'),
        },
      },
      {
        alert: 'PgBouncerClientsWaiting',
        expr: `max by (namespace, pod) (cnpg_pgbouncer_pools_cl_waiting{${poolers}}) > 0`,
        for: '2m',
        labels: labels('ticket'),
        annotations: {
          summary: `PgBouncer {{ $labels.pod }}: {{ $value }} clients wait for a server connection`,
          description: 'The pool is exhausted: queries queue and latency rises. Raise default_pool_size or find slow transactions.',
          runbook_url: runbook('pgbouncer-clients-waiting'),
        },
      },
      {
        alert: 'PostgresBackupFailed',
        expr: `max by (namespace) (cnpg_collector_last_failed_backup_timestamp{${pods}}) > max by (namespace) (cnpg_collector_last_available_backup_timestamp{${pods}})`,
        for: '10m',
        labels: labels('ticket'),
        annotations: {
          summary: `PostgreSQL ${cluster}: the last backup failed`,
          description: 'The recovery point objective is at risk until a backup succeeds.',
          runbook_url: runbook('postgres-backup-failed'),
        },
      },
      {
        alert: 'PostgresInstanceFenced',
        expr: `max by (namespace, pod) (cnpg_collector_fencing_on{${pods}}) == 1`,
        for: '1m',
        labels: labels('page'),
        annotations: {
          summary: `PostgreSQL ${cluster}: {{ $labels.pod }} is fenced`,
          description: 'A fenced instance serves nothing; if it is the primary, writes fail.',
          runbook_url: runbook('postgres-fenced'),
        },
      },
      {
        alert: 'PostgresFailoverHappened',
        expr: `max by (namespace) (changes(cnpg_pg_replication_in_recovery{${pods}}[15m])) > 0`,
        labels: labels('ticket'),
        annotations: {
          summary: `PostgreSQL ${cluster}: an instance changed role in the last 15 minutes`,
          description: 'A failover or switchover happened; confirm it was expected and that the old primary rejoined.',
          runbook_url: runbook('postgres-failover'),
        },
      },
    ],
  };
}
