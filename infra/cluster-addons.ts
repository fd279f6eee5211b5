import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { Cluster } from './cluster';

export interface ClusterAddonsArgs {
  readonly cluster: Cluster;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/** Add-ons every perfstack cluster needs, EKS picking each one's default version for the cluster's Kubernetes version. */
export const ADDONS = ['vpc-cni', 'kube-proxy', 'coredns', 'aws-ebs-csi-driver'] as const;

/**
 * The EKS add-ons: networking (VPC CNI, kube-proxy), DNS, and the EBS CSI driver that provisions the Redis,
 * PostgreSQL and load-test volumes, with its own service-account role. Created after the node pools, because
 * CoreDNS and the CSI controller only become healthy once they have nodes to run on.
 */
export class ClusterAddons extends pulumi.ComponentResource {
  public readonly addons: Readonly<Record<(typeof ADDONS)[number], aws.eks.Addon>>;

  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('perfstack:aws:ClusterAddons', name, {}, opts);
    const csiRole = args.cluster.serviceAccountRole(
      `${name}-ebs-csi`,
      {
        namespace: 'kube-system',
        serviceAccount: 'ebs-csi-controller-sa',
        policyArns: ['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'],
        tags: args.tags,
      },
      this,
    );
    const addons: Partial<Record<(typeof ADDONS)[number], aws.eks.Addon>> = {};
    for (const addon of ADDONS) {
      addons[addon] = new aws.eks.Addon(
        `${name}-${addon}`,
        {
          clusterName: args.cluster.eks.name,
          addonName: addon,
          serviceAccountRoleArn: addon === 'aws-ebs-csi-driver' ? csiRole.arn : undefined,
          resolveConflictsOnCreate: 'OVERWRITE',
          resolveConflictsOnUpdate: 'PRESERVE',
          tags: args.tags,
        },
        { parent: this },
      );
    }
    this.addons = addons as Record<(typeof ADDONS)[number], aws.eks.Addon>;
    this.registerOutputs({ addons: [...ADDONS] });
  }
}
