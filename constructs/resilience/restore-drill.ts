import { Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Cluster,
  ClusterSpecExternalClustersBarmanObjectStore,
  ClusterSpecResourcesLimits,
  ClusterSpecResourcesRequests,
} from '../../imports/cnpg-clusters-postgresql.cnpg.io';
import { PodMonitor } from '../../imports/podmonitors-monitoring.coreos.com';
import { Problems } from '../core/errors';
import { checkQuantities } from '../core/quantities';
import { exemptionAnnotations, labelValue } from '../core/labels';
import { ApiServerAccess, apiServerEgress, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { BARMAN_CLOUD_PLUGIN, BackupMethod, PostgresBackup, objectStoreAccess, objectStoreName } from '../data/postgres-cluster';
import { RuleGroup, RuleGroups, runbook } from '../observability/rule-groups';
import { PYTHON_SERVE_METRICS } from '../core/python-metrics';
import { PYTHON_API_PRELUDE } from './api-script';

export interface RestoreDrillProps {
  readonly namespace: string;
  /** The CloudNativePG Cluster whose backups are restored (its `serverName` in the object store). */
  readonly sourceCluster: string;
  /** Where the source's base backups and WAL are: the same settings its backup uses (S3 or the in-site store). */
  readonly backup: PostgresBackup;
  /**
   * How the source backs up: through the Barman Cloud plugin (the drill reads the source's `ObjectStore`) or the
   * in-tree `barmanObjectStore` (the drill reads the store directly). The same as the source's.
   * @default 'plugin'
   */
  readonly backupMethod?: BackupMethod;
  /** PostgreSQL operand image, also running the drill script (python3, psql). */
  readonly imageName: string;
  /** Size of the throwaway instance: as big as the source, so the measured restore time is the real one. */
  readonly storage: Size;
  readonly memory: Size;
  readonly cpu: Cpu;
  /** @default - the default StorageClass */
  readonly storageClass?: string;
  readonly apiServer: ApiServerAccess;
  /** Five-field cron, UTC. @default '0 4 * * 0' (Sundays, after the nightly backup) */
  readonly schedule?: string;
  /** @default false */
  readonly suspended?: boolean;
  /** A drill fails when its newest data is older than this. @default 26 hours (a missed nightly backup plus slack) */
  readonly maxDataAgeSeconds?: number;
  /** Namespace of the CloudNativePG operator. @default 'cnpg-system' */
  readonly operatorNamespace?: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Seconds between scheduled drills plus a day: past that without a success, the drill is overdue. */
export const DRILL_OVERDUE_SECONDS = 8 * 24 * 3600;
/** The drill serves its figures this long after finishing, so Prometheus scrapes them (every 15 s) a few times. */
export const DRILL_METRICS_SECONDS = 60;
const METRICS_PORT = 9187;

/** Where the drill reads the source's backups: the source's object store as an external cluster. */
export function externalObjectStore(backup: PostgresBackup, serverName: string): ClusterSpecExternalClustersBarmanObjectStore {
  return {
    destinationPath: backup.destinationPath,
    serverName,
    ...objectStoreAccess(backup),
    wal: { maxParallel: 4 },
  };
}

/**
 * The drill's `origin` external cluster: through the Barman Cloud plugin, the source's `ObjectStore` and its server
 * name; in-tree, the object store itself.
 * @see https://cloudnative-pg.io/plugin-barman-cloud/docs/usage
 */
export function originCluster(p: RestoreDrillProps) {
  return (p.backupMethod ?? 'plugin') === 'plugin'
    ? {
        name: 'origin',
        plugin: {
          name: BARMAN_CLOUD_PLUGIN,
          parameters: { barmanObjectName: objectStoreName(p.sourceCluster), serverName: p.sourceCluster },
        },
      }
    : { name: 'origin', barmanObjectStore: externalObjectStore(p.backup, p.sourceCluster) };
}

/**
 * The throwaway recovery Cluster: one instance bootstrapped from the latest base backup plus every archived WAL
 * (`bootstrap.recovery` from an external cluster, no target: to the end of the archive), with no backup section so
 * it never writes into the source's archive, and a superuser Secret for the drill's checks.
 *
 * @see https://cloudnative-pg.io/documentation/1.24/recovery/
 */
export function recoveryCluster(p: RestoreDrillProps, name: string): Record<string, unknown> {
  const memory = `${p.memory.toMebibytes()}Mi`;
  return Cluster.manifest({
    metadata: { name, namespace: p.namespace, labels: { 'perfstack.io/restore-drill': p.sourceCluster } },
    spec: {
      instances: 1,
      imageName: p.imageName,
      enableSuperuserAccess: true,
      bootstrap: { recovery: { source: 'origin' } },
      externalClusters: [originCluster(p)],
      storage: { size: `${p.storage.toGibibytes()}Gi`, storageClass: p.storageClass },
      resources: {
        requests: { cpu: ClusterSpecResourcesRequests.fromString(p.cpu.amount), memory: ClusterSpecResourcesRequests.fromString(memory) },
        limits: { memory: ClusterSpecResourcesLimits.fromString(memory) },
      },
      ...(p.backup.kind === 's3'
        ? { serviceAccountTemplate: { metadata: { annotations: { 'eks.amazonaws.com/role-arn': p.backup.iamRoleArn } } } }
        : {}),
    },
  });
}

/**
 * The drill: delete a leftover drill Cluster, create the recovery Cluster, wait for it to be ready (the restore
 * time), check it is usable (a write and a read as superuser) and how old its newest data is
 * (`pg_last_xact_replay_timestamp()`: the last transaction recovery replayed), delete it, then serve the figures
 * on :9187 for a minute for Prometheus and exit non-zero if any check failed (so the Job fails).
 * Usage: `drill.py NAMESPACE CLUSTER_FILE TIMEOUT_SECONDS MAX_DATA_AGE_SECONDS`. The integration test points it at a
 * loopback API and PostgreSQL with `KUBE_API`, `SA_DIR`, `DRILL_PGHOST`/`PGPORT`, `TERMINATION_LOG`, `METRICS_PORT`,
 * `METRICS_SECONDS` and `POLL_SECONDS`.
 */
export function renderDrillScript(): string {
  return `# Rendered by perfstack (constructs/resilience/restore-drill.ts).
${PYTHON_API_PRELUDE}
import base64, http.server, subprocess, threading

namespace, cluster_file, timeout, max_age = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
with open(cluster_file) as f:
    cluster = json.load(f)
name = cluster["metadata"]["name"]
clusters = "/apis/postgresql.cnpg.io/v1/namespaces/%s/clusters" % namespace
figures = {"success": 0, "restore_seconds": float("nan"), "newest_data_age_seconds": float("nan")}
problems = []
start = time.time()
try:
    recreate(clusters, cluster)
    print("drill: created %s, waiting for it to recover" % name, flush=True)
    while True:
        status = (api("GET", "%s/%s" % (clusters, name))[1] or {}).get("status", {})
        if status.get("readyInstances", 0) >= 1 and status.get("phase") == "Cluster in healthy state":
            break
        if time.time() - start > timeout:
            raise RuntimeError("not ready after %ss (phase: %s)" % (timeout, status.get("phase")))
        time.sleep(float(os.environ.get("POLL_SECONDS", "10")))
    figures["restore_seconds"] = time.time() - start
    secret = must("GET", "/api/v1/namespaces/%s/secrets/%s-superuser" % (namespace, name))["data"]
    env = dict(os.environ, PGPASSWORD=base64.b64decode(secret["password"]).decode(), PGCONNECT_TIMEOUT="10")
    def psql(sql):
        return subprocess.run(
            ["psql", "-h", os.environ.get("DRILL_PGHOST", "%s-rw" % name), "-U", "postgres", "-d", "postgres", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
            env=env, check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    psql("create table perfstack_drill (at timestamptz); insert into perfstack_drill values (now()); drop table perfstack_drill")
    age = psql("select coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()), 'NaN')")
    figures["newest_data_age_seconds"] = float(age)
    if not figures["newest_data_age_seconds"] <= max_age:
        problems.append("newest data is %ss old, more than %ss" % (age, max_age))
except Exception as e:
    problems.append(str(e))
finally:
    api("DELETE", "%s/%s" % (clusters, name))
figures["success"] = 0 if problems else 1
print("drill: %s %s" % ("passed" if not problems else "FAILED: " + "; ".join(problems), json.dumps(figures)), flush=True)
with open(os.environ.get("TERMINATION_LOG", "/dev/termination-log"), "w") as f:
    f.write(json.dumps({"problems": problems, **figures}))


class Figures:
    """The verdict's figures for Prometheus, one gauge each, labelled with the source cluster."""

    def render(self):
        source = cluster["metadata"]["labels"]["perfstack.io/restore-drill"]
        return "".join(
            "# TYPE perfstack_restore_drill_%s gauge\\nperfstack_restore_drill_%s{cluster=\\"%s\\"} %s\\n" % (k, k, source, v)
            for k, v in figures.items())


${PYTHON_SERVE_METRICS}


serve_metrics(Figures(), int(os.environ.get("METRICS_PORT", "${METRICS_PORT}")))
time.sleep(float(os.environ.get("METRICS_SECONDS", "${DRILL_METRICS_SECONDS}")))
sys.exit(1 if problems else 0)
`;
}

/**
 * Alerts on the drill from kube-state-metrics (the Job's own success, failure and timing, kept by Kubernetes even if
 * the script dies) and the figures the drill serves (`perfstack_restore_drill_*`, kept as recording rules):
 * `perfstack:restore_drill_seconds`, `perfstack:restore_drill_data_age_seconds`, `perfstack:restore_drill_last_success_timestamp`.
 */
export function restoreDrillRules(namespace: string, cluster: string, jobPrefix: string): RuleGroup {
  const jobs = `namespace="${namespace}",job_name=~"${jobPrefix}-.*"`;
  const drill = `namespace="${namespace}",cluster="${cluster}"`;
  const labels = { severity: 'ticket', component: 'postgres', cluster };
  return {
    name: `restore-drill-${cluster}`,
    rules: [
      {
        record: 'perfstack:restore_drill_last_success_timestamp',
        expr: `max by (namespace) (kube_job_status_completion_time{${jobs}} and on (namespace, job_name) kube_job_status_succeeded{${jobs}} > 0)`,
        labels: { cluster },
      },
      {
        record: 'perfstack:restore_drill_seconds',
        expr: `max by (namespace, cluster) (last_over_time(perfstack_restore_drill_restore_seconds{${drill}}[8d]))`,
      },
      {
        record: 'perfstack:restore_drill_data_age_seconds',
        expr: `max by (namespace, cluster) (last_over_time(perfstack_restore_drill_newest_data_age_seconds{${drill}}[8d]))`,
      },
      {
        alert: 'PostgresRestoreDrillFailed',
        expr: `max by (namespace, job_name) (kube_job_status_failed{${jobs}}) > 0`,
        labels,
        annotations: {
          summary: `Restore drill of ${cluster} failed ({{ $labels.job_name }})`,
          description:
            'The latest backup could not be restored into a usable cluster, or its newest data was too old: the backups ' +
            'may not be restorable. The Job termination message has the figures and the problem.',
          runbook_url: runbook('postgres-restore-drill'),
        },
      },
      {
        alert: 'PostgresRestoreDrillOverdue',
        expr: `time() - perfstack:restore_drill_last_success_timestamp{namespace="${namespace}",cluster="${cluster}"} > ${DRILL_OVERDUE_SECONDS}`,
        labels,
        annotations: {
          summary: `No successful restore drill of ${cluster} for more than 8 days`,
          description: 'Nobody knows whether the backups restore, or how long it takes. Check the CronJob (suspended? failing?).',
          runbook_url: runbook('postgres-restore-drill'),
        },
      },
      {
        alert: 'PostgresRestoreDrillNeverSucceeded',
        expr: `absent(perfstack:restore_drill_last_success_timestamp{namespace="${namespace}",cluster="${cluster}"})`,
        for: '8d',
        labels,
        annotations: {
          summary: `No successful restore drill of ${cluster} on record for 8 days`,
          description: 'The drill has not run or never passed since Prometheus started watching. Check the CronJob.',
          runbook_url: runbook('postgres-restore-drill'),
        },
      },
    ],
  };
}

/**
 * A scheduled restore drill of a CloudNativePG cluster's backups into a throwaway Cluster: CronJob, least-privilege
 * RBAC, NetworkPolicies for the drill Job and the throwaway instance, a PodMonitor for the figures, and alerts.
 * CloudNativePG has no scheduled restore of its own (cloudnative-pg#7197).
 */
export class RestoreDrill extends Construct {
  public readonly drillCluster: string;
  public readonly cronJob: k8s.KubeCronJob;
  public readonly alerts: RuleGroups;
  private readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: RestoreDrillProps) {
    super(scope, id);
    const name = `${props.sourceCluster}-restore-drill`;
    this.drillCluster = `${props.sourceCluster}-drill`;
    const schedule = props.schedule ?? '0 4 * * 0';
    const maxAge = props.maxDataAgeSeconds ?? 26 * 3600;
    const p = Problems.of(this);
    p.check(schedule.trim().split(/\s+/).length === 5, 'schedule', schedule, 'must be a five-field cron expression, e.g. "0 4 * * 0"');
    p.check(maxAge > 0, 'maxDataAgeSeconds', maxAge, 'must be positive');
    // The throwaway instance's resources, checked here too: the construct may be used without the platform.
    checkQuantities(p, { sizes: { memory: [props.memory], storage: [props.storage, { whole: 'Gi' }] }, cpus: { cpu: props.cpu } });
    p.throwIfAny();
    this.labels = {
      'app.kubernetes.io/name': labelValue(name),
      'app.kubernetes.io/component': 'restore-drill',
      'app.kubernetes.io/part-of': 'perfstack',
      ...(props.labels ?? {}),
    };
    const meta = { name, namespace: props.namespace, labels: { ...this.labels } };

    new k8s.KubeConfigMap(this, 'Config', {
      metadata: meta,
      data: { 'drill.py': renderDrillScript(), 'cluster.json': JSON.stringify(recoveryCluster(props, this.drillCluster), null, 2) },
    });
    this.addAccess(name, props);
    this.cronJob = this.addCronJob(name, schedule, maxAge, props);
    new PodMonitor(this, 'PodMonitor', {
      metadata: meta,
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': labelValue(name) } },
        podMetricsEndpoints: [{ port: 'metrics', interval: '15s' }],
      },
    });
    this.alerts = new RuleGroups(this, 'Alerts', {
      name,
      namespace: props.namespace,
      labels: this.labels,
      groups: [restoreDrillRules(props.namespace, props.sourceCluster, name)],
    });
  }

  private addAccess(name: string, props: RestoreDrillProps): void {
    const meta = { name, namespace: props.namespace, labels: { ...this.labels } };
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta, automountServiceAccountToken: false });
    new k8s.KubeRole(this, 'Role', {
      metadata: meta,
      rules: [
        // create cannot be limited by name; get and delete only touch the throwaway cluster.
        { apiGroups: ['postgresql.cnpg.io'], resources: ['clusters'], verbs: ['create'] },
        { apiGroups: ['postgresql.cnpg.io'], resources: ['clusters'], resourceNames: [this.drillCluster], verbs: ['get', 'delete'] },
        { apiGroups: [''], resources: ['secrets'], resourceNames: [`${this.drillCluster}-superuser`], verbs: ['get'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: props.namespace }],
    });
    const tcp = (port: number) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' });
    const objectStorePort = props.backup.kind === 'object-store' ? portOf(props.backup.endpointUrl) : 443;
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: meta,
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': labelValue(name) } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: {} }], ports: [tcp(METRICS_PORT)] }],
        egress: [
          apiServerEgress(props.apiServer),
          { to: [{ podSelector: { matchLabels: { 'cnpg.io/cluster': this.drillCluster } } }], ports: [tcp(5432)] },
        ],
      },
    });
    // The throwaway instance: the drill and the operator reach it; it reaches the API and the object store.
    new k8s.KubeNetworkPolicy(this, 'DrillClusterNetworkPolicy', {
      metadata: { ...meta, name: this.drillCluster },
      spec: {
        podSelector: { matchLabels: { 'cnpg.io/cluster': this.drillCluster } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': labelValue(name) } } }], ports: [tcp(5432)] },
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.operatorNamespace ?? 'cnpg-system' } } }],
            ports: [tcp(8000)],
          },
        ],
        egress: [apiServerEgress(props.apiServer), { ports: [tcp(objectStorePort)] }],
      },
    });
  }

  private addCronJob(name: string, schedule: string, maxAge: number, props: RestoreDrillProps): k8s.KubeCronJob {
    // Bounded: a restore that has not finished in 6 h fails the drill (and the Job's deadline stops it).
    const timeoutSeconds = 6 * 3600;
    return new k8s.KubeCronJob(this, 'CronJob', {
      metadata: {
        name,
        namespace: props.namespace,
        labels: { ...this.labels },
        annotations: exemptionAnnotations({
          rules: ['service-account-token'],
          reason: 'creates and deletes the throwaway recovery Cluster',
        }),
      },
      spec: {
        schedule,
        suspend: props.suspended ?? false,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: timeoutSeconds + 600,
            template: {
              metadata: { labels: { ...this.labels } },
              spec: {
                serviceAccountName: name,
                automountServiceAccountToken: true,
                restartPolicy: 'Never',
                securityContext: restrictedPodSecurity(26),
                containers: [
                  {
                    name: 'drill',
                    image: props.imageName,
                    command: [
                      'python3',
                      '-B',
                      '/drill/drill.py',
                      props.namespace,
                      '/drill/cluster.json',
                      String(timeoutSeconds),
                      String(maxAge),
                    ],
                    ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
                    securityContext: restrictedContainerSecurity(),
                    resources: {
                      requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('64Mi') },
                      limits: { memory: k8s.Quantity.fromString('128Mi') },
                    },
                    volumeMounts: [{ name: 'drill', mountPath: '/drill' }],
                  },
                ],
                volumes: [{ name: 'drill', configMap: { name } }],
              },
            },
          },
        },
      },
    });
  }
}

function portOf(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}
