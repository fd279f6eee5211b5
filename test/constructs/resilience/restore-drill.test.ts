import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { BackupMethod, PostgresBackup } from '../../../constructs/data/postgres-cluster';
import { RestoreDrill, RestoreDrillProps, recoveryCluster } from '../../../constructs/resilience/restore-drill';
import { KUBERNETES_VERSIONS } from '../../../stacks/kubernetes-versions';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const s3: PostgresBackup = {
  kind: 's3',
  destinationPath: 's3://backups/postgres',
  iamRoleArn: 'arn:aws:iam::123456789012:role/pg',
  retention: '30d',
};
const inSite: PostgresBackup = {
  kind: 'object-store',
  endpointUrl: 'http://minio.backup.svc:9000',
  destinationPath: 's3://backups/postgres',
  credentialsSecret: 'minio-pg',
  retention: '30d',
};
const props = (backup: PostgresBackup): RestoreDrillProps => ({
  namespace: 'web',
  sourceCluster: 'postgres',
  backup,
  imageName: 'registry.example.com/cloudnative-pg/postgresql:16.4',
  storage: Size.gibibytes(50),
  memory: Size.gibibytes(4),
  cpu: Cpu.units(1),
  apiServer: { cidrs: ['10.0.0.0/16'], port: 443 },
});

function synth(backup: PostgresBackup, backupMethod?: BackupMethod) {
  const chart = freshChart();
  new RestoreDrill(chart, 'Drill', { ...props(backup), backupMethod });
  const objects = objectsOf(chart);
  return { objects, get: (kind: string, name?: string): Json => findObject(objects, kind, name) };
}

describe('RestoreDrill', () => {
  // The oldest line's CRDs (CloudNativePG 1.24) for the in-tree form, the newest's for the plugin.
  const validator = schemaValidator();
  const newest = schemaValidator(KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1]);

  it.each([
    ['S3 with the IAM role', s3],
    ['the in-site object store (air-gap)', inSite],
  ])('recovers through the Barman Cloud plugin from the source ObjectStore on %s, never archiving into it', (_, backup) => {
    const cluster = JSON.parse(synth(backup).get('ConfigMap').data['cluster.json']);
    expect(newest.validate(cluster)).toEqual([]);
    expect(cluster.spec.bootstrap).toEqual({ recovery: { source: 'origin' } });
    expect(cluster.spec.backup).toBeUndefined();
    expect(cluster.spec.plugins).toBeUndefined();
    expect(cluster.spec.externalClusters).toEqual([
      {
        name: 'origin',
        plugin: {
          name: 'barman-cloud.cloudnative-pg.io',
          parameters: { barmanObjectName: 'postgres-backup', serverName: 'postgres' },
        },
      },
    ]);
  });

  it.each([
    ['S3 with the IAM role', s3],
    ['the in-site object store (air-gap)', inSite],
  ])(
    'recovers in-tree (CloudNativePG 1.24) from %s into a CRD-valid throwaway Cluster that never archives into the source',
    (_, backup) => {
      const cluster = JSON.parse(synth(backup, 'in-tree').get('ConfigMap').data['cluster.json']);
      expect(validator.validate(cluster)).toEqual([]);
      expect(cluster.metadata.name).toBe('postgres-drill');
      expect(cluster.spec.bootstrap).toEqual({ recovery: { source: 'origin' } });
      expect(cluster.spec.backup).toBeUndefined();
      expect(cluster.spec.externalClusters[0].barmanObjectStore).toMatchObject({
        destinationPath: 's3://backups/postgres',
        serverName: 'postgres',
      });
    },
  );

  it('reads the in-site object store with the keys from its Secret (air-gap)', () => {
    const store = JSON.parse(synth(inSite, 'in-tree').get('ConfigMap').data['cluster.json']).spec.externalClusters[0].barmanObjectStore;
    expect(store.endpointURL).toBe('http://minio.backup.svc:9000');
    expect(store.s3Credentials.accessKeyId).toEqual({ name: 'minio-pg', key: 'ACCESS_KEY_ID' });
  });

  it('reads S3 with the IAM role of the backups', () => {
    const cluster = JSON.parse(synth(s3, 'in-tree').get('ConfigMap').data['cluster.json']);
    expect(cluster.spec.serviceAccountTemplate.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(s3.iamRoleArn);
    expect(cluster.spec.externalClusters[0].barmanObjectStore.s3Credentials).toEqual({ inheritFromIAMRole: true });
  });

  it('sizes the throwaway instance like the source, so the measured restore time is the real one', () => {
    const cluster = recoveryCluster(props(s3), 'postgres-drill') as Json;
    expect(cluster.spec.storage.size).toBe('50Gi');
    expect(cluster.spec.resources.limits.memory).toBe('4096Mi');
  });

  it('may create clusters, and get or delete only the throwaway one and its superuser Secret', () => {
    expect(synth(s3).get('Role').rules).toEqual([
      { apiGroups: ['postgresql.cnpg.io'], resources: ['clusters'], verbs: ['create'] },
      { apiGroups: ['postgresql.cnpg.io'], resources: ['clusters'], resourceNames: ['postgres-drill'], verbs: ['get', 'delete'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['postgres-drill-superuser'], verbs: ['get'] },
    ]);
  });

  it('lets the throwaway instance reach the in-site object store port', () => {
    const np = synth(inSite).get('NetworkPolicy', 'postgres-drill');
    expect(np.spec.egress[1].ports).toEqual([{ port: 9000, protocol: 'TCP' }]);
  });

  it('runs weekly, one at a time, with a deadline', () => {
    const cron = synth(s3).get('CronJob').spec;
    expect(cron).toMatchObject({ schedule: '0 4 * * 0', concurrencyPolicy: 'Forbid', suspend: false });
    expect(cron.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(6 * 3600);
  });

  it('alerts when a drill fails, is overdue or never succeeded', () => {
    const rules = synth(s3).get('PrometheusRule').spec.groups[0].rules as Json[];
    expect(rules.filter((r) => r.alert).map((r) => r.alert)).toEqual([
      'PostgresRestoreDrillFailed',
      'PostgresRestoreDrillOverdue',
      'PostgresRestoreDrillNeverSucceeded',
    ]);
  });

  it('rejects a six-field schedule', () => {
    expect(() => new RestoreDrill(freshChart(), 'Drill', { ...props(s3), schedule: '0 0 4 * * 0' })).toThrow(
      /test\/Drill: 'schedule' \("0 0 4 \* \* 0"\) must be a five-field cron expression/,
    );
  });

  it('checks its own memory, CPU and storage when used without the platform', () => {
    expect(
      () =>
        new RestoreDrill(freshChart(), 'Drill', {
          ...props(s3),
          memory: Size.mebibytes(0),
          cpu: Cpu.millis(0),
          storage: Size.mebibytes(1536),
        }),
    ).toThrow(
      [
        "test/Drill: 'memory' (0Mi) must be above zero",
        "test/Drill: 'storage' (1536Mi) must be a whole number of gibibytes, e.g. Size.gibibytes(1)",
        "test/Drill: 'cpu' (0m) must be above zero, e.g. Cpu.millis(250)",
      ].join('\n'),
    );
  });

  it('is schema-valid', () => {
    for (const o of synth(inSite).objects) expect([o.kind, validator.validate(o)]).toEqual([o.kind, []]);
  });
});
