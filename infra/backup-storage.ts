import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { Cluster } from './cluster';

export interface BackupStorageArgs {
  readonly cluster: Cluster;
  /** `s3://bucket/path`, the Environment's `dataTier.postgres.backup.destinationPath`. */
  readonly destinationPath: string;
  /** The role ARN the PostgreSQL pods' ServiceAccount is annotated with; the role is created under its name. */
  readonly roleArn: string;
  /** Namespace and name of the ServiceAccount CloudNativePG runs the instances as (the Cluster's name). */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/** `s3://bucket/some/path` -> `bucket` */
export function bucketOf(destinationPath: string): string {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/|$)/.exec(destinationPath);
  if (!m) throw new Error(`'${destinationPath}' is not an s3://bucket/path destination`);
  return m[1];
}

/**
 * Where PostgreSQL base backups and WAL go: a private, versioned, encrypted bucket, and the IAM role the
 * environment's PostgreSQL pods assume through IRSA, allowed exactly the object operations Barman Cloud uses.
 */
export class BackupStorage extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly role: aws.iam.Role;

  constructor(name: string, args: BackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('perfstack:aws:BackupStorage', name, {}, opts);
    const child = { parent: this };
    const bucketName = bucketOf(args.destinationPath);
    // Backups outlive the stack: `pulumi destroy` leaves the bucket (and its data) in the account.
    this.bucket = new aws.s3.Bucket(name, { bucket: bucketName, tags: args.tags }, { parent: this, retainOnDelete: true });
    new aws.s3.BucketVersioning(name, { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } }, child);
    new aws.s3.BucketPublicAccessBlock(
      name,
      { bucket: this.bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      { bucket: this.bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
      child,
    );
    this.role = args.cluster.serviceAccountRole(
      `${name}-writer`,
      { namespace: args.namespace, serviceAccount: args.serviceAccount, roleName: args.roleArn.split('/').pop(), tags: args.tags },
      this,
    );
    new aws.iam.RolePolicy(
      `${name}-writer`,
      {
        role: this.role.name,
        policy: this.bucket.arn.apply((arn) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: arn },
              { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Resource: `${arn}/*` },
            ],
          }),
        ),
      },
      child,
    );
    this.registerOutputs({ bucket: this.bucket.id, roleArn: this.role.arn });
  }
}
