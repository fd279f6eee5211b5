import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { CAPACITY_TYPE_KEY, ON_DEMAND, SPOT } from '../constructs/workload/capacity-class';
import { PodDemand } from '../sizing/node-sizing';
import { Bounds, PoolBounds, PoolSettings, PoolTooSmallError, stackPoolBounds } from '../sizing/pool-bounds';

export interface PoolArgs {
  readonly instanceTypes: readonly string[];
  readonly bounds: Bounds;
}

export interface NodePoolsArgs {
  readonly clusterName: pulumi.Input<string>;
  /** Kubernetes version of the nodes (the cluster's). */
  readonly version: pulumi.Input<string>;
  /** Private subnets of every zone of the environment: each pool spans them all. */
  readonly subnetIds: pulumi.Input<string>[];
  /** System and critical pods, and whatever cannot run on spot. */
  readonly onDemand: PoolArgs;
  /** @default - no spot pool */
  readonly spot?: PoolArgs;
  /** Name of the nodes' IAM role, where something refers to it by name (Karpenter's EC2NodeClass). @default - generated */
  readonly roleName?: string;
  /** @default 50 */
  readonly diskGiB?: number;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * The pools' bounds for `pulumi up` (sizing/pool-bounds.ts): a pod larger than a node of its pool is Pulumi's input
 * error on the stack config key that chose the instance type, reported as every other config mistake is.
 */
export function nodePoolBounds(settings: PoolSettings, demands: readonly PodDemand[]): PoolBounds {
  try {
    return stackPoolBounds(settings, demands);
  } catch (e) {
    if (!(e instanceof PoolTooSmallError)) throw e;
    throw new pulumi.InputPropertyError({ propertyPath: e.propertyPath, reason: e.reason });
  }
}

const NODE_POLICIES = [
  'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
  'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
];

/**
 * EKS managed node groups: an on-demand pool and, where the environment uses spot, a spot pool over at least three
 * instance types of one size class in every zone. Nodes carry `perfstack.io/capacity-type` (`on-demand` or `spot`);
 * spot nodes are tainted `perfstack.io/capacity-type=spot:NoSchedule`, which only `CapacityClass.spotTolerant()`
 * pods tolerate. Nodes require IMDSv2 with a hop limit of 1 (pods cannot borrow the node's role) and encrypted gp3
 * root volumes. The cluster autoscaler owns the desired size; Pulumi sets only the bounds.
 */
export class NodePools extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  public readonly onDemand: aws.eks.NodeGroup;
  public readonly spot?: aws.eks.NodeGroup;
  public readonly diskGiB: number;

  constructor(name: string, args: NodePoolsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('perfstack:aws:NodePools', name, {}, opts);
    const child = { parent: this };
    this.diskGiB = args.diskGiB ?? 50;
    this.role = new aws.iam.Role(
      `${name}-node`,
      {
        name: args.roleName,
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
        tags: args.tags,
      },
      child,
    );
    const attachments = NODE_POLICIES.map(
      (policyArn) =>
        new aws.iam.RolePolicyAttachment(`${name}-node-${policyArn.split('/').pop()}`, { role: this.role.name, policyArn }, child),
    );
    const template = new aws.ec2.LaunchTemplate(
      `${name}-node`,
      {
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1, httpEndpoint: 'enabled' },
        blockDeviceMappings: [
          {
            deviceName: '/dev/xvda',
            ebs: { volumeSize: this.diskGiB, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
          },
        ],
        tagSpecifications: [{ resourceType: 'instance', tags: args.tags ?? {} }],
        tags: args.tags,
      },
      child,
    );
    // The names carry the pool (`<name>-spot-*`): the autoscaler's priority expander matches on them (POOL_NAME_PATTERNS).
    const group = (pool: typeof ON_DEMAND | typeof SPOT, p: PoolArgs) =>
      new aws.eks.NodeGroup(
        `${name}-${pool}`,
        {
          clusterName: args.clusterName,
          version: args.version,
          nodeRoleArn: this.role.arn,
          subnetIds: args.subnetIds,
          capacityType: pool === SPOT ? 'SPOT' : 'ON_DEMAND',
          instanceTypes: [...p.instanceTypes],
          amiType: 'AL2023_x86_64_STANDARD',
          launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
          scalingConfig: { minSize: p.bounds.min, maxSize: p.bounds.max, desiredSize: p.bounds.min },
          updateConfig: { maxUnavailablePercentage: 33 },
          labels: { [CAPACITY_TYPE_KEY]: pool },
          taints: pool === SPOT ? [{ key: CAPACITY_TYPE_KEY, value: SPOT, effect: 'NO_SCHEDULE' }] : [],
          tags: args.tags,
        },
        { parent: this, dependsOn: attachments, ignoreChanges: ['scalingConfig.desiredSize'] },
      );
    this.onDemand = group(ON_DEMAND, args.onDemand);
    if (args.spot) this.spot = group(SPOT, args.spot);
    this.registerOutputs({ onDemand: this.onDemand.nodeGroupName, spot: this.spot?.nodeGroupName });
  }
}
