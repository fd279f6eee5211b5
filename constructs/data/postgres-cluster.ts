import { Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Cluster,
  ClusterSpec,
  ClusterSpecBackupBarmanObjectStore,
  ClusterSpecBackupBarmanObjectStoreDataCompression as DataCompression,
  ClusterSpecBackupBarmanObjectStoreWalCompression as WalCompression,
  ClusterSpecPrimaryUpdateMethod,
  ClusterSpecPrimaryUpdateStrategy,
  ClusterSpecResourcesLimits,
  ClusterSpecResourcesRequests,
} from '../../imports/cnpg-clusters-postgresql.cnpg.io';
import {
  Pooler,
  PoolerSpec,
  PoolerSpecPgbouncerPoolMode,
  PoolerSpecTemplateSpecContainersResourcesLimits,
  PoolerSpecTemplateSpecContainersResourcesRequests,
  PoolerSpecType,
} from '../../imports/cnpg-poolers-postgresql.cnpg.io';
import {
  ScheduledBackup,
  ScheduledBackupSpecBackupOwnerReference,
  ScheduledBackupSpecMethod,
} from '../../imports/cnpg-scheduledbackups-postgresql.cnpg.io';
import { PodMonitor } from '../../imports/podmonitors-monitoring.coreos.com';
import {
  ObjectStore,
  ObjectStoreSpec,
  ObjectStoreSpecConfigurationDataCompression as PluginDataCompression,
  ObjectStoreSpecConfigurationWalCompression as PluginWalCompression,
} from '../../imports/barman-cloud-barmancloud.cnpg.io';
import { Problems } from '../core/errors';
import { ApiServerAccess, apiServerEgress, checkApiServer } from '../core/security';
import { appLabels, isDnsLabel, labelValue } from '../core/labels';
import { imageTag } from '../../manifests/images';
import { checkQuantities } from '../core/quantities';
import { cronProblem } from '../core/grammars';
import { RuleGroups } from '../observability/rule-groups';
import { PRIORITY_CLASSES } from '../workload/capacity-class';
import { ZONE_KEY } from '../workload/topology';
import { PoolerSizing, pgbouncerParameters, poolerMaxClientConn, poolerServerConnections, postgresParameters } from './postgres-config';
import { postgresAlertRules } from './postgres-rules';

/** Label a client pod carries to be admitted by the poolers' NetworkPolicy: `postgres.perfstack.io/client: <name>`. */
export const POSTGRES_CLIENT_LABEL = 'postgres.perfstack.io/client';

/** Where base backups and WAL go. Retention is `<n>d`, `<n>w` or `<n>m`. */
export type PostgresBackup = S3Backup | ObjectStoreBackup;

/** S3 with credentials from the pod's IAM role (IRSA). */
export interface S3Backup {
  readonly kind: 's3';
  /** `s3://bucket/path` */
  readonly destinationPath: string;
  /** IAM role the instances' ServiceAccount assumes. */
  readonly iamRoleArn: string;
  readonly retention: string;
  /** Six-field cron (with seconds). @default '0 0 2 * * *' */
  readonly schedule?: string;
}

/** An S3-compatible store inside the site (air-gap), e.g. MinIO, with keys from a Secret. */
export interface ObjectStoreBackup {
  readonly kind: 'object-store';
  readonly endpointUrl: string;
  readonly destinationPath: string;
  /** Secret with `ACCESS_KEY_ID` and `ACCESS_SECRET_KEY`. */
  readonly credentialsSecret: string;
  readonly retention: string;
  /** @default '0 0 2 * * *' */
  readonly schedule?: string;
}

/**
 * How backups reach the object store: the Barman Cloud plugin (an `ObjectStore`, CloudNativePG 1.26+) or the in-tree
 * `barmanObjectStore` (deprecated; removal planned for CloudNativePG 1.31), kept only for the older operator lines.
 */
export type BackupMethod = 'plugin' | 'in-tree';

/** Name under which CloudNativePG knows the Barman Cloud plugin (Cluster `spec.plugins`, ScheduledBackup, recovery). */
export const BARMAN_CLOUD_PLUGIN = 'barman-cloud.cloudnative-pg.io';

/** The first CloudNativePG minor that supports the Barman Cloud plugin. */
const PLUGIN_SINCE: readonly [number, number] = [1, 26];

/** The backup method a CloudNativePG version supports: the plugin from 1.26, the in-tree form before. */
export function backupMethodFor(cloudnativePgVersion: string): BackupMethod {
  const [major, minor] = cloudnativePgVersion.replace(/^v/, '').split('.').map(Number);
  return major > PLUGIN_SINCE[0] || (major === PLUGIN_SINCE[0] && minor >= PLUGIN_SINCE[1]) ? 'plugin' : 'in-tree';
}

/** The `ObjectStore` a cluster's plugin backups go to (its restore drill reads the same one). */
export function objectStoreName(cluster: string): string {
  return `${cluster}-backup`;
}

export interface PostgresClusterProps {
  /** @default - the construct id */
  readonly name?: string;
  readonly namespace: string;
  /** 1 primary plus replicas. */
  readonly instances: number;
  /** Standbys that must confirm each commit (RPO 0 when >= 1). @default 0 */
  readonly synchronousReplicas?: number;
  readonly zones: number;
  /** Memory request and limit per instance; PostgreSQL parameters derive from it. */
  readonly memory: Size;
  readonly cpu: Cpu;
  readonly storage: Size;
  /** @default - the default StorageClass */
  readonly storageClass?: string;
  /** PostgreSQL operand image, e.g. `ghcr.io/cloudnative-pg/postgresql:16.4`. */
  readonly imageName: string;
  /** @default - the operator's default PgBouncer image */
  readonly pgbouncerImage?: string;
  /** @default 'app' */
  readonly database?: string;
  /** @default 200 */
  readonly maxConnections?: number;
  /** PgBouncer instances per pooler (at least 2 for a PDB that allows a drain). @default 2 */
  readonly poolerInstances?: number;
  /**
   * Client connections the read-write pooler must accept with one PgBouncer instance down (a node drain, a zone
   * loss): `max_client_conn` per instance is derived from it (see {@link poolerMaxClientConn}).
   * @default 1000
   */
  readonly targetClients?: number;
  /** @default - 25 per pool, 5 reserve, max_client_conn from `targetClients` */
  readonly pooler?: PoolerSizing;
  readonly backup: PostgresBackup;
  /**
   * The Barman Cloud plugin (CloudNativePG 1.26+, see {@link backupMethodFor}) or the in-tree `barmanObjectStore`.
   * @default 'plugin'
   */
  readonly backupMethod?: BackupMethod;
  /** The instance manager and PgBouncer pods talk to the Kubernetes API (the namespace denies egress by default). */
  readonly apiServer: ApiServerAccess;
  /** Namespace of the CloudNativePG operator, admitted to the instances' status port. @default 'cnpg-system' */
  readonly operatorNamespace?: string;
  /** @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

const RETENTION = /^[1-9][0-9]*[dwm]$/;

/**
 * PostgreSQL on CloudNativePG: a Cluster with automated failover (one primary, streaming replicas, optional quorum
 * synchronous replication), instances spread over zones, parameters computed from memory; a read-write and a
 * read-only PgBouncer Pooler in transaction mode, each with a PDB; scheduled backups with retention; NetworkPolicies;
 * PodMonitors and alerts. Clients connect to `<name>-pooler-rw` / `<name>-pooler-ro` with the `<name>-app` Secret
 * that the operator generates, and need the `postgres.perfstack.io/client: <name>` pod label.
 *
 * @see https://cloudnative-pg.io/documentation/1.24/
 */
export class PostgresCluster extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly parameters: Readonly<Record<string, string>>;
  public readonly pgbouncerParameters: Readonly<Record<string, string>>;
  /** `<name>-pooler-rw.<namespace>.svc:5432` */
  public readonly readWriteEndpoint: string;
  /** `<name>-pooler-ro.<namespace>.svc:5432` */
  public readonly readOnlyEndpoint: string;
  /** Secret (`username`, `password`, `uri`, ...) the operator creates for the application owner. */
  public readonly appSecret: string;
  /** The application's database (and its owner's name). */
  public readonly database: string;

  public readonly cluster: Cluster;
  public readonly readWritePooler: Pooler;
  public readonly readOnlyPooler?: Pooler;
  public readonly scheduledBackup: ScheduledBackup;
  /** Where the plugin writes backups and WAL; undefined with the in-tree method. */
  public readonly objectStore?: ObjectStore;

  private readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: PostgresClusterProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    const resolved = resolveDefaults(props);
    this.validate(props, resolved);

    this.parameters = postgresParameters(props.memory, { maxConnections: resolved.maxConnections });
    this.pgbouncerParameters = pgbouncerParameters({ ...props.pooler, maxClientConn: resolved.maxClientConn });
    this.readWriteEndpoint = `${this.name}-pooler-rw.${this.namespace}.svc:5432`;
    this.readOnlyEndpoint = `${this.name}-pooler-ro.${this.namespace}.svc:5432`;
    this.appSecret = `${this.name}-app`;
    this.database = resolved.database;
    this.labels = {
      ...appLabels({
        name: this.name,
        instance: `${this.name}-${this.namespace}`,
        component: 'database',
        partOf: 'perfstack',
        version: imageTag(props.imageName),
      }),
      ...(props.labels ?? {}),
    };

    if (resolved.backupMethod === 'plugin') {
      this.objectStore = new ObjectStore(this, 'ObjectStore', {
        metadata: this.meta(objectStoreName(this.name)),
        spec: objectStoreSpec(props.backup),
      });
    }
    this.cluster = new Cluster(this, 'Cluster', {
      metadata: this.meta(this.name),
      spec: clusterSpec(props, resolved, this.parameters, this.name),
    });
    this.readWritePooler = this.addPooler('rw', props, resolved);
    this.readOnlyPooler = props.instances > 1 ? this.addPooler('ro', props, resolved) : undefined;
    this.scheduledBackup = this.addScheduledBackup(resolved.schedule, resolved.backupMethod);
    this.addNetworkPolicies(props, resolved);
    this.addMonitoring();
  }

  private validate(props: PostgresClusterProps, r: ResolvedDefaults): void {
    const p = Problems.of(this);
    // Units before any conversion: storage is written in whole GiB, memory derives the parameters in MiB.
    checkQuantities(p, { sizes: { memory: [props.memory], storage: [props.storage, { whole: 'Gi' }] }, cpus: { cpu: props.cpu } });
    p.check(isDnsLabel(this.name) && this.name.length <= 40, 'name', this.name, 'must be a DNS label of at most 40 characters');
    p.checkCount('instances', props.instances, 1, 'must be at least 1');
    p.checkCount('zones', props.zones, 1, 'must be at least 1 (the number of zones the cluster spans)');
    p.check(
      Number.isInteger(r.sync) && r.sync >= 0 && r.sync < props.instances,
      'synchronousReplicas',
      r.sync,
      `must be below 'instances' (${props.instances}): only standbys can confirm a commit`,
    );
    p.check(
      Number.isInteger(r.maxConnections) && r.maxConnections > 10,
      'maxConnections',
      r.maxConnections,
      'must be a whole number above 10',
    );
    p.checkCount('poolerInstances', r.poolerInstances, 2, 'must be at least 2, so a node drain never takes the pooler down');
    const serverConnections = poolerServerConnections(r.poolerInstances, props.pooler);
    p.check(
      serverConnections <= r.maxConnections - 10,
      'pooler.defaultPoolSize',
      props.pooler?.defaultPoolSize ?? 25,
      `lets ${r.poolerInstances} PgBouncer instances open ${serverConnections} server connections, more than 'maxConnections' (${r.maxConnections}) less 10 reserved for the operator and replication`,
    );
    p.check(
      Number.isInteger(r.targetClients) && r.targetClients >= 1,
      'targetClients',
      r.targetClients,
      'must be a whole number of client connections >= 1',
    );
    p.check(r.maxClientConn >= 1000, 'pooler.maxClientConn', r.maxClientConn, 'must be at least 1000 (DESIGN.md)');
    p.check(
      r.maxClientConn * (r.poolerInstances - 1) >= r.targetClients,
      'pooler.maxClientConn',
      r.maxClientConn,
      `serves ${r.maxClientConn * (r.poolerInstances - 1)} clients with one of ${r.poolerInstances} PgBouncer instances down, fewer than 'targetClients' (${r.targetClients}); leave it unset to derive it`,
    );
    p.check(
      RETENTION.test(props.backup.retention),
      'backup.retention',
      props.backup.retention,
      'must be a number and a unit d, w or m, e.g. "30d"',
    );
    const scheduleProblem = cronProblem(r.schedule, 'with-seconds');
    if (scheduleProblem) p.add('backup.schedule', r.schedule, scheduleProblem);
    p.check(
      /^s3:\/\/[^/]+/.test(props.backup.destinationPath),
      'backup.destinationPath',
      props.backup.destinationPath,
      'must be an s3:// URL',
    );
    checkApiServer(p, props.apiServer);
    p.throwIfAny();
  }

  private meta(name: string) {
    return { name, namespace: this.namespace, labels: { ...this.labels } };
  }

  /** A PgBouncer Pooler and its PDB: the operator makes no PDB for poolers; one pod at a time keeps it serving. */
  private addPooler(type: 'rw' | 'ro', props: PostgresClusterProps, r: ResolvedDefaults): Pooler {
    const name = `${this.name}-pooler-${type}`;
    const pooler = new Pooler(this, type === 'rw' ? 'ReadWritePooler' : 'ReadOnlyPooler', {
      metadata: this.meta(name),
      spec: poolerSpec(this.name, type, props, r, this.pgbouncerParameters, this.labels),
    });
    new k8s.KubePodDisruptionBudget(this, type === 'rw' ? 'ReadWritePoolerPDB' : 'ReadOnlyPoolerPDB', {
      metadata: this.meta(name),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { 'cnpg.io/poolerName': name } } },
    });
    return pooler;
  }

  private addScheduledBackup(schedule: string, method: BackupMethod): ScheduledBackup {
    return new ScheduledBackup(this, 'ScheduledBackup', {
      metadata: this.meta(this.name),
      spec: {
        cluster: { name: this.name },
        schedule,
        immediate: true,
        backupOwnerReference: ScheduledBackupSpecBackupOwnerReference.SELF,
        ...(method === 'plugin'
          ? { method: ScheduledBackupSpecMethod.PLUGIN, pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN } }
          : { method: ScheduledBackupSpecMethod.BARMAN_OBJECT_STORE }),
      },
    });
  }

  private addNetworkPolicies(props: PostgresClusterProps, r: ResolvedDefaults): void {
    const tcp = (port: number) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' });
    const inNamespace = (key: string, value: string) => ({ podSelector: { matchLabels: { [key]: value } } });
    const apiEgress = apiServerEgress(props.apiServer);
    new k8s.KubeNetworkPolicy(this, 'InstancesNetworkPolicy', {
      metadata: this.meta(this.name),
      spec: {
        podSelector: { matchLabels: { 'cnpg.io/cluster': this.name, 'cnpg.io/podRole': 'instance' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [inNamespace('cnpg.io/cluster', this.name)], ports: [tcp(5432), tcp(8000)] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.operatorNamespace } } }], ports: [tcp(8000)] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.monitoringNamespace } } }], ports: [tcp(9187)] },
        ],
        // The instance manager watches the API; barman-cloud ships WAL and base backups to the object store.
        egress: [
          apiEgress,
          { ports: [tcp(443), ...(props.backup.kind === 'object-store' ? [tcp(portOf(props.backup.endpointUrl))] : [])] },
        ],
      },
    });
    new k8s.KubeNetworkPolicy(this, 'PoolersNetworkPolicy', {
      metadata: this.meta(`${this.name}-pooler`),
      spec: {
        podSelector: { matchExpressions: [this.poolerNames()] },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [inNamespace(POSTGRES_CLIENT_LABEL, labelValue(this.name))], ports: [tcp(5432)] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.monitoringNamespace } } }], ports: [tcp(9127)] },
        ],
        egress: [apiEgress],
      },
    });
  }

  private poolerNames() {
    return { key: 'cnpg.io/poolerName', operator: 'In', values: [`${this.name}-pooler-rw`, `${this.name}-pooler-ro`] };
  }

  private addMonitoring(): void {
    new PodMonitor(this, 'PodMonitor', {
      metadata: this.meta(this.name),
      spec: {
        selector: { matchLabels: { 'cnpg.io/cluster': this.name, 'cnpg.io/podRole': 'instance' } },
        podMetricsEndpoints: [{ port: 'metrics', interval: '30s' }],
      },
    });
    new PodMonitor(this, 'PoolerPodMonitor', {
      metadata: this.meta(`${this.name}-pooler`),
      spec: { selector: { matchExpressions: [this.poolerNames()] }, podMetricsEndpoints: [{ port: 'metrics', interval: '30s' }] },
    });
    new RuleGroups(this, 'Alerts', {
      name: `${this.name}-alerts`,
      namespace: this.namespace,
      labels: this.labels,
      groups: [postgresAlertRules(this.name, this.namespace)],
    });
  }
}

/** The optional props of a PostgresCluster with their defaults applied, resolved once. */
export interface ResolvedDefaults {
  readonly sync: number;
  readonly maxConnections: number;
  readonly poolerInstances: number;
  readonly database: string;
  readonly monitoringNamespace: string;
  readonly operatorNamespace: string;
  readonly schedule: string;
  readonly backupMethod: BackupMethod;
  readonly targetClients: number;
  /** Per PgBouncer instance. */
  readonly maxClientConn: number;
}

export function resolveDefaults(props: PostgresClusterProps): ResolvedDefaults {
  return {
    sync: props.synchronousReplicas ?? 0,
    maxConnections: props.maxConnections ?? 200,
    poolerInstances: props.poolerInstances ?? 2,
    database: props.database ?? 'app',
    monitoringNamespace: props.monitoringNamespace ?? 'monitoring',
    operatorNamespace: props.operatorNamespace ?? 'cnpg-system',
    schedule: props.backup.schedule ?? '0 0 2 * * *',
    backupMethod: props.backupMethod ?? 'plugin',
    targetClients: props.targetClients ?? 1000,
    maxClientConn:
      props.pooler?.maxClientConn ?? Math.max(1000, poolerMaxClientConn(props.targetClients ?? 1000, props.poolerInstances ?? 2)),
  };
}

/** The CloudNativePG Cluster spec: failover settings, parameters, zone anti-affinity, backups (plugin or in-tree). */
export function clusterSpec(
  props: PostgresClusterProps,
  r: ResolvedDefaults,
  parameters: Readonly<Record<string, string>>,
  name: string,
): ClusterSpec {
  const memory = `${props.memory.toMebibytes()}Mi`;
  const multiZone = props.zones >= 3 && props.instances <= props.zones;
  return {
    instances: props.instances,
    imageName: props.imageName,
    // Failover starts as soon as the primary is unhealthy; a switchover (not a restart) moves the primary on updates.
    failoverDelay: 0,
    primaryUpdateStrategy: ClusterSpecPrimaryUpdateStrategy.UNSUPERVISED,
    primaryUpdateMethod: ClusterSpecPrimaryUpdateMethod.SWITCHOVER,
    minSyncReplicas: r.sync,
    maxSyncReplicas: r.sync,
    enableSuperuserAccess: false,
    priorityClassName: PRIORITY_CLASSES.critical.name,
    postgresql: { parameters: { ...parameters } },
    bootstrap: { initdb: { database: r.database, owner: r.database, dataChecksums: true } },
    storage: { size: `${props.storage.toGibibytes()}Gi`, storageClass: props.storageClass },
    resources: {
      requests: {
        cpu: ClusterSpecResourcesRequests.fromString(props.cpu.amount),
        memory: ClusterSpecResourcesRequests.fromString(memory),
      },
      limits: { memory: ClusterSpecResourcesLimits.fromString(memory) },
    },
    // One instance per zone where zones allow it (required), else per host (preferred).
    affinity: multiZone
      ? { enablePodAntiAffinity: true, topologyKey: ZONE_KEY, podAntiAffinityType: 'required' }
      : { enablePodAntiAffinity: true, topologyKey: 'kubernetes.io/hostname', podAntiAffinityType: 'preferred' },
    // The plugin archives WAL and takes base backups through the ObjectStore; the in-tree form configures it here.
    ...(r.backupMethod === 'plugin'
      ? { plugins: [{ name: BARMAN_CLOUD_PLUGIN, isWalArchiver: true, parameters: { barmanObjectName: objectStoreName(name) } }] }
      : { backup: { retentionPolicy: props.backup.retention, barmanObjectStore: barmanObjectStore(props.backup) } }),
    ...(props.backup.kind === 's3'
      ? { serviceAccountTemplate: { metadata: { annotations: { 'eks.amazonaws.com/role-arn': props.backup.iamRoleArn } } } }
      : {}),
  };
}

/**
 * How barman-cloud reaches the object store: IRSA on S3, or the endpoint and the key pair of a Secret for an in-site
 * store. Backups and the restore drill's recovery read the store the same way.
 */
export function objectStoreAccess(backup: PostgresBackup) {
  return backup.kind === 's3'
    ? { s3Credentials: { inheritFromIamRole: true } }
    : {
        endpointUrl: backup.endpointUrl,
        s3Credentials: {
          accessKeyId: { name: backup.credentialsSecret, key: 'ACCESS_KEY_ID' },
          secretAccessKey: { name: backup.credentialsSecret, key: 'ACCESS_SECRET_KEY' },
        },
      };
}

/** Where barman-cloud writes base backups and WAL, with credentials from IRSA (S3) or a Secret (in-site store). */
export function barmanObjectStore(backup: PostgresBackup): ClusterSpecBackupBarmanObjectStore {
  return {
    destinationPath: backup.destinationPath,
    ...objectStoreAccess(backup),
    wal: { compression: WalCompression.GZIP, maxParallel: 2 },
    data: { compression: DataCompression.GZIP },
  };
}

/**
 * The plugin's `ObjectStore`: the same destination, credentials and compression as {@link barmanObjectStore}, with
 * the retention policy (the plugin enforces it) beside the configuration.
 * @see https://cloudnative-pg.io/plugin-barman-cloud/docs/usage
 */
export function objectStoreSpec(backup: PostgresBackup): ObjectStoreSpec {
  return {
    configuration: {
      destinationPath: backup.destinationPath,
      ...objectStoreAccess(backup),
      wal: { compression: PluginWalCompression.GZIP, maxParallel: 2 },
      data: { compression: PluginDataCompression.GZIP },
    },
    retentionPolicy: backup.retention,
  };
}

/** A PgBouncer Pooler in transaction mode, spread over zones, on the critical priority class. */
export function poolerSpec(
  cluster: string,
  type: 'rw' | 'ro',
  props: PostgresClusterProps,
  r: ResolvedDefaults,
  parameters: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): PoolerSpec {
  const name = `${cluster}-pooler-${type}`;
  return {
    cluster: { name: cluster },
    instances: r.poolerInstances,
    type: type === 'rw' ? PoolerSpecType.RW : PoolerSpecType.RO,
    pgbouncer: { poolMode: PoolerSpecPgbouncerPoolMode.TRANSACTION, parameters: { ...parameters } },
    template: {
      metadata: { labels: { ...labels } },
      spec: {
        priorityClassName: PRIORITY_CLASSES.critical.name,
        topologySpreadConstraints: [
          {
            topologyKey: ZONE_KEY,
            maxSkew: 1,
            whenUnsatisfiable: props.zones >= 3 ? 'DoNotSchedule' : 'ScheduleAnyway',
            labelSelector: { matchLabels: { 'cnpg.io/poolerName': name } },
          },
        ],
        containers: [
          {
            name: 'pgbouncer',
            ...(props.pgbouncerImage ? { image: props.pgbouncerImage } : {}),
            resources: {
              requests: {
                cpu: PoolerSpecTemplateSpecContainersResourcesRequests.fromString('100m'),
                memory: PoolerSpecTemplateSpecContainersResourcesRequests.fromString('128Mi'),
              },
              limits: { memory: PoolerSpecTemplateSpecContainersResourcesLimits.fromString('256Mi') },
            },
          },
        ],
      },
    },
  };
}

function portOf(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}
