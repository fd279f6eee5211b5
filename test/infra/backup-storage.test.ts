import { ENVIRONMENTS } from '../../stacks/environments';
import { ofType, recordStacks, stacks } from './support/stacks';
import { CLOUD_STACKS } from '../support/environments';

// The BackupStorage component (infra/backup-storage.ts): the bucket and IRSA role PostgreSQL backs up with.
recordStacks(CLOUD_STACKS, { cloudOnly: true });

describe.each(CLOUD_STACKS)('backup storage of the %s stack', (stack) => {
  const env = ENVIRONMENTS[stack];

  it('creates the PostgreSQL backup bucket and the IRSA role the environment names', () => {
    const backup = env.dataTier.postgres.backup;
    if (backup.kind !== 's3') throw new Error('expected S3 backups');
    const role = stacks[stack].find((r) => r.type === 'aws:iam/role:Role' && r.name.endsWith('postgres-backup-writer'))!;
    expect(role.inputs.name).toBe(backup.iamRoleArn.split('/').pop());
    const trust = JSON.parse(role.inputs.assumeRolePolicy);
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain('system:serviceaccount:web:postgres');
    const bucket = backup.destinationPath.split('/')[2];
    expect(ofType(stack, 'aws:s3/bucket:Bucket').map((b) => b.inputs.bucket)).toContain(bucket);
    expect(
      ofType(stack, 'aws:s3/bucketVersioning:BucketVersioning').find((v) => v.inputs.bucket === bucket)?.inputs.versioningConfiguration,
    ).toEqual({
      status: 'Enabled',
    });
    expect(ofType(stack, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').map((b) => b.inputs.bucket)).toContain(bucket);
  });
});
