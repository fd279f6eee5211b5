import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  PostgresCluster,
  PostgresClusterProps,
  backupMethodFor,
  barmanObjectStore,
  clusterSpec,
  poolerSpec,
  resolveDefaults,
} from '../../../constructs/data/postgres-cluster';
import { KUBERNETES_VERSIONS } from '../../../stacks/kubernetes-versions';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const base: PostgresClusterProps = {
  namespace: 'web',
  instances: 3,
  synchronousReplicas: 1,
  zones: 3,
  memory: Size.gibibytes(16),
  cpu: Cpu.units(4),
  storage: Size.gibibytes(500),
  imageName: 'registry.example.com/cloudnative-pg/postgresql:16.4',
  backup: { kind: 's3', destinationPath: 's3://backups/pg', iamRoleArn: 'arn:aws:iam::123456789012:role/pg', retention: '30d' },
  apiServer: { cidrs: ['10.0.0.0/16'], port: 443 },
};

function synth(overrides: Partial<PostgresClusterProps> = {}) {
  const chart = freshChart();
  const pg = new PostgresCluster(chart, 'pg', { ...base, ...overrides });
  const objects = objectsOf(chart);
  return { pg, objects, get: (kind: string, name?: string): Json => findObject(objects, kind, name) };
}

describe('PostgresCluster', () => {
  const { objects, get } = synth();
  const cluster = get('Cluster');

  it('runs a primary and replicas with a synchronous quorum (RPO 0) and immediate failover', () => {
    expect(cluster.spec).toMatchObject({
      instances: 3,
      minSyncReplicas: 1,
      maxSyncReplicas: 1,
      failoverDelay: 0,
      primaryUpdateMethod: 'switchover',
    });
  });

  it('places one instance per zone', () => {
    expect(cluster.spec.affinity).toEqual({
      enablePodAntiAffinity: true,
      topologyKey: 'topology.kubernetes.io/zone',
      podAntiAffinityType: 'required',
    });
  });

  it('computes its parameters from the memory limit', () => {
    expect(cluster.spec.postgresql.parameters).toMatchObject({
      shared_buffers: '4096MB',
      effective_cache_size: '12288MB',
      max_connections: '200',
    });
    expect(cluster.spec.resources.limits.memory).toBe('16384Mi');
  });

  it('backs up to S3 with the IAM role and a retention policy through the Barman Cloud plugin, on a schedule', () => {
    expect(get('ObjectStore', 'pg-backup')).toMatchObject({
      apiVersion: 'barmancloud.cnpg.io/v1',
      metadata: { namespace: 'web' },
      spec: {
        configuration: {
          destinationPath: 's3://backups/pg',
          s3Credentials: { inheritFromIAMRole: true },
          wal: { compression: 'gzip', maxParallel: 2 },
          data: { compression: 'gzip' },
        },
        retentionPolicy: '30d',
      },
    });
    expect(cluster.spec.plugins).toEqual([
      { name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'pg-backup' } },
    ]);
    expect(cluster.spec.backup).toBeUndefined();
    expect(cluster.spec.serviceAccountTemplate.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(
      'arn:aws:iam::123456789012:role/pg',
    );
    expect(get('ScheduledBackup').spec).toEqual({
      schedule: '0 0 2 * * *',
      cluster: { name: 'pg' },
      immediate: true,
      backupOwnerReference: 'self',
      method: 'plugin',
      pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
    });
  });

  it('keeps the in-tree barmanObjectStore for the operator lines before the plugin (CloudNativePG 1.24, 1.25)', () => {
    const inTree = synth({ backupMethod: 'in-tree' });
    const spec = inTree.get('Cluster').spec;
    expect(spec.backup.retentionPolicy).toBe('30d');
    expect(spec.backup.barmanObjectStore).toMatchObject({
      destinationPath: 's3://backups/pg',
      s3Credentials: { inheritFromIAMRole: true },
      wal: { compression: 'gzip' },
    });
    expect(spec.plugins).toBeUndefined();
    expect(inTree.objects.some((o) => o.kind === 'ObjectStore')).toBe(false);
    expect(inTree.get('ScheduledBackup').spec.method).toBe('barmanObjectStore');
    expect(inTree.get('ScheduledBackup').spec.pluginConfiguration).toBeUndefined();
    const v = schemaValidator();
    expect(inTree.objects.flatMap((o) => v.validate(o))).toEqual([]);
  });

  it.each([
    ['1.24.4', 'in-tree'],
    ['1.25.4', 'in-tree'],
    ['1.26.3', 'plugin'],
    ['v1.30.0', 'plugin'],
    ['2.0.0', 'plugin'],
  ])('picks the backup method CloudNativePG %s supports: %s', (version, method) => {
    expect(backupMethodFor(version)).toBe(method);
  });

  it('pools read-write and read-only traffic in transaction mode, two PgBouncers each with a PDB', () => {
    for (const type of ['rw', 'ro']) {
      const pooler = get('Pooler', `pg-pooler-${type}`);
      expect(pooler.spec).toMatchObject({
        type,
        instances: 2,
        pgbouncer: { poolMode: 'transaction', parameters: { default_pool_size: '25', max_client_conn: '1100' } },
      });
      expect(get('PodDisruptionBudget', `pg-pooler-${type}`).spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { 'cnpg.io/poolerName': `pg-pooler-${type}` } },
      });
    }
  });

  it('monitors instances and poolers and alerts on the data-tier failure modes', () => {
    expect(objects.filter((o) => o.kind === 'PodMonitor')).toHaveLength(2);
    expect(get('PrometheusRule').spec.groups[0].rules.map((r: Json) => r.alert)).toEqual([
      'PostgresReplicationLagHigh',
      'PostgresConnectionsNearMax',
      'PgBouncerClientsWaiting',
      'PostgresBackupFailed',
      'PostgresInstanceFenced',
      'PostgresFailoverHappened',
    ]);
  });

  it('admits only labelled clients to the poolers and lets instances reach the API and the object store', () => {
    const poolers = get('NetworkPolicy', 'pg-pooler');
    expect(poolers.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'postgres.perfstack.io/client': 'pg' } } }]);
    const instances = get('NetworkPolicy', 'pg');
    expect(instances.spec.egress[0]).toEqual({ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 443, protocol: 'TCP' }] });
  });

  it('is schema-valid against the CRDs of the newest CloudNativePG line and the Barman Cloud plugin', () => {
    const v = schemaValidator(KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1]);
    expect(objects.flatMap((o) => v.validate(o))).toEqual([]);
  });

  it('backs up to an in-cluster object store in air-gapped sites, with keys from a Secret', () => {
    const { get: g } = synth({
      backup: {
        kind: 'object-store',
        endpointUrl: 'http://minio.backup.svc:9000',
        destinationPath: 's3://pg/airgap',
        credentialsSecret: 'minio-pg',
        retention: '4w',
      },
    });
    const store = g('ObjectStore', 'pg-backup').spec.configuration;
    expect(store.endpointURL).toBe('http://minio.backup.svc:9000');
    expect(store.s3Credentials.accessKeyId).toEqual({ name: 'minio-pg', key: 'ACCESS_KEY_ID' });
    expect(g('NetworkPolicy', 'pg').spec.egress[1].ports).toContainEqual({ port: 9000, protocol: 'TCP' });
  });

  it('sizes max_client_conn so the target number of clients is served with one PgBouncer instance down', () => {
    const params = (o: Partial<PostgresClusterProps>) => synth(o).get('Pooler', 'pg-pooler-rw').spec.pgbouncer.parameters;
    // 1000 clients, 2 instances: the survivor takes all 1000, plus 10% headroom.
    expect(params({}).max_client_conn).toBe('1100');
    expect(params({ targetClients: 2000 }).max_client_conn).toBe('2200');
    expect(params({ targetClients: 2000, poolerInstances: 3 }).max_client_conn).toBe('1100');
  });

  it('has no read-only pooler for a single instance', () => {
    const { objects: o } = synth({ instances: 1, synchronousReplicas: 0 });
    expect(o.filter((x) => x.kind === 'Pooler').map((x) => x.metadata.name)).toEqual(['pg-pooler-rw']);
  });

  it.each([
    [{ synchronousReplicas: 3 }, "test/pg: 'synchronousReplicas' (3) must be below 'instances' (3)"],
    [{ instances: 2.5 }, "test/pg: 'instances' (2.5) must be a whole number >= 1"],
    [{ poolerInstances: 1.5 }, "test/pg: 'poolerInstances' (1.5) must be a whole number >= 2"],
    [{ poolerInstances: 1 }, "test/pg: 'poolerInstances' (1) must be at least 2"],
    [
      { pooler: { defaultPoolSize: 100 } },
      "test/pg: 'pooler.defaultPoolSize' (100) lets 2 PgBouncer instances open 210 server connections",
    ],
    [{ pooler: { maxClientConn: 500 } }, "test/pg: 'pooler.maxClientConn' (500) must be at least 1000"],
    [
      { targetClients: 1500, pooler: { maxClientConn: 1000 } },
      "test/pg: 'pooler.maxClientConn' (1000) serves 1000 clients with one of 2 PgBouncer instances down, fewer than 'targetClients' (1500)",
    ],
    [
      { backup: { ...base.backup, retention: '30 days' } },
      'test/pg: \'backup.retention\' ("30 days") must be a number and a unit d, w or m',
    ],
  ] as [Partial<PostgresClusterProps>, string][])('rejects %o', (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });
});

describe('the PostgresCluster render functions, alone', () => {
  it('resolves every default once', () => {
    expect(resolveDefaults({ ...base, synchronousReplicas: undefined })).toEqual({
      sync: 0,
      maxConnections: 200,
      poolerInstances: 2,
      database: 'app',
      monitoringNamespace: 'monitoring',
      operatorNamespace: 'cnpg-system',
      schedule: '0 0 2 * * *',
      backupMethod: 'plugin',
      targetClients: 1000,
      maxClientConn: 1100,
    });
  });

  it('writes base backups and WAL gzip-compressed to the object store', () => {
    expect(barmanObjectStore(base.backup)).toMatchObject({ destinationPath: base.backup.destinationPath, wal: { maxParallel: 2 } });
  });

  it('spreads a pooler over zones, strictly with 3 zones', () => {
    const spec = poolerSpec('pg', 'rw', { ...base, zones: 3 }, resolveDefaults(base), {}, {});
    expect(spec.template!.spec!.topologySpreadConstraints![0]).toMatchObject({ whenUnsatisfiable: 'DoNotSchedule', maxSkew: 1 });
    expect(clusterSpec({ ...base, zones: 3 }, resolveDefaults(base), {}, 'pg').affinity).toMatchObject({ podAntiAffinityType: 'required' });
  });
});

describe('PostgresCluster input checks', () => {
  const errorOf = (overrides: Partial<PostgresClusterProps>): string => {
    try {
      synth(overrides);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('refuses a backup schedule with an hour past 23, naming the field', () => {
    expect(errorOf({ backup: { ...base.backup, schedule: '0 0 25 * * *' } })).toBe(
      `test/pg: 'backup.schedule' ("0 0 25 * * *") is not a valid cron schedule: hour 25 is outside 0-23`,
    );
  });

  it('checks storage and memory before any conversion', () => {
    expect(errorOf({ storage: Size.mebibytes(1536), memory: Size.mebibytes(0), cpu: Cpu.millis(-500) }).split('\n')).toEqual([
      "test/pg: 'memory' (0Mi) must be above zero",
      "test/pg: 'storage' (1536Mi) must be a whole number of gibibytes, e.g. Size.gibibytes(1)",
      "test/pg: 'cpu' (-500m) must be above zero, e.g. Cpu.millis(250)",
    ]);
  });
});
