import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { Cluster } from './cluster';

/**
 * What the cluster autoscaler needs on AWS: read Auto Scaling groups, instance types and node groups (to scale from
 * zero), and resize only groups tagged as this cluster's (EKS tags managed node groups' Auto Scaling groups so).
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
 */
export function clusterAutoscalerPolicy(clusterName: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'autoscaling:DescribeAutoScalingGroups',
          'autoscaling:DescribeAutoScalingInstances',
          'autoscaling:DescribeLaunchConfigurations',
          'autoscaling:DescribeScalingActivities',
          'autoscaling:DescribeTags',
          'ec2:DescribeImages',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeLaunchTemplateVersions',
          'ec2:GetInstanceTypesFromInstanceRequirements',
          'eks:DescribeNodegroup',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        Resource: '*',
        Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: 'owned' } },
      },
    ],
  });
}

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
  /** Role for the cluster autoscaler (`kube-system/cluster-autoscaler`): it may resize only this cluster's node groups. */
  public readonly autoscalerRole: aws.iam.Role;

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

    this.autoscalerRole = args.cluster.serviceAccountRole(
      `${name}-cluster-autoscaler`,
      { namespace: 'kube-system', serviceAccount: 'cluster-autoscaler', tags: args.tags },
      this,
    );
    new aws.iam.RolePolicy(
      `${name}-cluster-autoscaler`,
      { role: this.autoscalerRole.name, policy: clusterAutoscalerPolicy(args.cluster.clusterName) },
      { parent: this },
    );
    this.registerOutputs({ addons: [...ADDONS], autoscalerRoleArn: this.autoscalerRole.arn });
  }
}
