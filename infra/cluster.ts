import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { EKS_SUPPORT, KUBERNETES_VERSIONS, KubernetesVersion, eksSupportWarning } from '../stacks/kubernetes-versions';

/**
 * End of EKS extended support per Kubernetes minor version (from the one calendar, stacks/kubernetes-versions.ts):
 * after it, EKS creates no new cluster at that version and upgrades existing ones.
 */
export const EKS_END_OF_EXTENDED_SUPPORT: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(EKS_SUPPORT).map(([version, w]) => [version, w.endOfExtendedSupport]),
);

/** Why EKS will not run this version on `today`, or undefined when it still does. */
export function eksVersionWarning(version: string, today: Date): string | undefined {
  const end = EKS_END_OF_EXTENDED_SUPPORT[version];
  if (end === undefined || today.getTime() < Date.parse(`${end}T00:00:00Z`)) return undefined;
  return (
    `EKS ended extended support for Kubernetes ${version} on ${end}: it creates no new ${version} cluster and ` +
    `upgrades existing ones. Creating the cluster will fail; move the environment's kubernetesVersion (and its ` +
    `operator lines, OPERATORS_FOR) to a version EKS supports.`
  );
}

/** Every EKS control-plane log type: audit trails for security, scheduler and controller logs for capacity issues. */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

/**
 * A kubeconfig for the cluster that authenticates through `aws eks get-token` (the AWS CLI of the machine running
 * `pulumi up`, with the same credentials Pulumi uses): no long-lived token is written anywhere.
 */
export function kubeconfig(clusterName: string, endpoint: string, certificateAuthority: string, region: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: endpoint, 'certificate-authority-data': certificateAuthority } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    'current-context': clusterName,
    users: [
      {
        name: clusterName,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'aws',
            args: ['eks', 'get-token', '--cluster-name', clusterName, '--region', region, '--output', 'json'],
          },
        },
      },
    ],
  });
}

/** Trust policy that lets one Kubernetes service account assume a role through the cluster's OIDC provider (IRSA). */
export function serviceAccountTrustPolicy(
  oidcProviderArn: string,
  oidcIssuerUrl: string,
  namespace: string,
  serviceAccount: string,
): string {
  const issuer = oidcIssuerUrl.replace(/^https:\/\//, '');
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: oidcProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  });
}

function servicePrincipalTrust(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

export interface ServiceAccountRoleOptions {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** A fixed role name, where something already refers to it by ARN. @default - a generated name */
  readonly roleName?: string;
  /** Managed policies to attach. @default - none (attach inline policies to the returned role) */
  readonly policyArns?: readonly string[];
  /** @default - none */
  readonly tags?: Record<string, string>;
}

export interface ClusterArgs {
  /** EKS cluster name (`perfstack-<env>`). */
  readonly clusterName: string;
  /** Kubernetes minor version, the Environment's `kubernetesVersion`. */
  readonly version: string;
  readonly region: string;
  /** Private subnets of every network zone: the control plane's network interfaces go there. */
  readonly subnetIds: pulumi.Input<string>[];
  /**
   * Ranges allowed to reach the public endpoint. The private endpoint is always on, so nodes and pods never leave
   * the VPC to reach the API server.
   * @default - the public endpoint is off
   */
  readonly publicAccessCidrs?: readonly string[];
  /** IAM roles (SSO permission sets, break-glass) given cluster-admin through access entries. @default - none */
  readonly adminRoleArns?: readonly string[];
  /** EKS refuses to delete the cluster until this is turned off (production). @default false */
  readonly deletionProtection?: boolean;
  /** @default 90 */
  readonly logRetentionDays?: number;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * An EKS cluster: Secrets encrypted with a rotating KMS key, all control-plane logs kept for `logRetentionDays`,
 * the API-only access mode (access entries, no aws-auth ConfigMap), and an OIDC provider for service-account roles.
 */
export class Cluster extends pulumi.ComponentResource {
  public readonly eks: aws.eks.Cluster;
  public readonly oidcProvider: aws.iam.OpenIdConnectProvider;
  public readonly logRetentionDays: number;
  public readonly endpointPublicAccess: boolean;
  /** kubeconfig (exec auth through the AWS CLI) for the kubernetes Provider. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly clusterName: string;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('perfstack:aws:Cluster', name, {}, opts);
    const child = { parent: this };
    this.clusterName = args.clusterName;
    const known = (KUBERNETES_VERSIONS as readonly string[]).includes(args.version);
    const warning =
      eksVersionWarning(args.version, new Date()) ??
      (known ? eksSupportWarning(args.clusterName, args.version as KubernetesVersion, new Date()) : undefined);
    if (warning) pulumi.log.warn(warning, this);
    this.logRetentionDays = args.logRetentionDays ?? 90;
    const publicAccessCidrs = args.publicAccessCidrs ?? [];
    this.endpointPublicAccess = publicAccessCidrs.length > 0;

    const role = new aws.iam.Role(
      `${name}-control-plane`,
      { assumeRolePolicy: servicePrincipalTrust('eks.amazonaws.com'), tags: args.tags },
      child,
    );
    const policy = new aws.iam.RolePolicyAttachment(
      `${name}-control-plane`,
      { role: role.name, policyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy' },
      child,
    );
    const key = new aws.kms.Key(
      `${name}-secrets`,
      {
        description: `Envelope encryption of ${args.clusterName} Secrets`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: args.tags,
      },
      child,
    );
    // Created before the cluster so the retention applies from the first log line (EKS would create it unbounded).
    const logs = new aws.cloudwatch.LogGroup(
      `${name}-control-plane`,
      { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: this.logRetentionDays, tags: args.tags },
      child,
    );

    this.eks = new aws.eks.Cluster(
      name,
      {
        name: args.clusterName,
        version: args.version,
        roleArn: role.arn,
        vpcConfig: {
          subnetIds: args.subnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: this.endpointPublicAccess,
          publicAccessCidrs: this.endpointPublicAccess ? [...publicAccessCidrs] : undefined,
        },
        accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
        encryptionConfig: { provider: { keyArn: key.arn }, resources: ['secrets'] },
        enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
        deletionProtection: args.deletionProtection ?? false,
        tags: args.tags,
      },
      { parent: this, dependsOn: [policy, logs] },
    );

    const issuer = this.eks.identities.apply((ids) => ids[0].oidcs[0].issuer);
    this.oidcProvider = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: issuer, clientIdLists: ['sts.amazonaws.com'], tags: args.tags },
      child,
    );
    // The identity running `pulumi up` is admin through bootstrapClusterCreatorAdminPermissions; people get it here.
    for (const [i, principalArn] of (args.adminRoleArns ?? []).entries()) {
      const entry = new aws.eks.AccessEntry(
        `${name}-admin-${i}`,
        { clusterName: this.eks.name, principalArn, type: 'STANDARD', tags: args.tags },
        child,
      );
      new aws.eks.AccessPolicyAssociation(
        `${name}-admin-${i}`,
        {
          clusterName: this.eks.name,
          principalArn,
          policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
          accessScope: { type: 'cluster' },
        },
        { parent: this, dependsOn: [entry] },
      );
    }
    this.kubeconfig = pulumi
      .all([this.eks.endpoint, this.eks.certificateAuthority])
      .apply(([endpoint, ca]) => kubeconfig(args.clusterName, endpoint, ca.data ?? '', args.region));

    this.registerOutputs({ clusterName: this.eks.name, endpoint: this.eks.endpoint, oidcProviderArn: this.oidcProvider.arn });
  }

  /** A role that one service account of this cluster assumes (IRSA), with the given managed policies. */
  public serviceAccountRole(name: string, args: ServiceAccountRoleOptions, parent: pulumi.Resource = this): aws.iam.Role {
    const role = new aws.iam.Role(
      name,
      {
        name: args.roleName,
        assumeRolePolicy: pulumi
          .all([this.oidcProvider.arn, this.oidcProvider.url])
          .apply(([arn, url]) => serviceAccountTrustPolicy(arn, url, args.namespace, args.serviceAccount)),
        tags: args.tags,
      },
      { parent },
    );
    for (const [i, policyArn] of (args.policyArns ?? []).entries()) {
      new aws.iam.RolePolicyAttachment(`${name}-${i}`, { role: role.name, policyArn }, { parent });
    }
    return role;
  }
}
