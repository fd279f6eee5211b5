import { Construct } from 'constructs';
import {
  Ec2NodeClass,
  Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType as VolumeType,
  Ec2NodeClassSpecMetadataOptionsHttpEndpoint as HttpEndpoint,
  Ec2NodeClassSpecMetadataOptionsHttpProtocolIPv6 as HttpProtocolIPv6,
  Ec2NodeClassSpecMetadataOptionsHttpTokens as HttpTokens,
} from '../../imports/karpenter-ec2nodeclasses-karpenter.k8s.aws';
import {
  NodePool,
  NodePoolSpecDisruptionConsolidationPolicy,
  NodePoolSpecLimits,
  NodePoolSpecTemplateSpecRequirements,
  NodePoolSpecTemplateSpecRequirementsOperator as Op,
  NodePoolSpecTemplateSpecTaintsEffect,
} from '../../imports/karpenter-nodepools-karpenter.sh';
import { Problems } from '../core/errors';
import { checkShape, num, percent } from '../core/schema';
import { CAPACITY_TYPE_KEY, ON_DEMAND, SPOT } from '../workload/capacity-class';

/** Tag Karpenter discovers the cluster's subnets and security group by (`infra/network.ts` tags the subnets). */
export const KARPENTER_DISCOVERY_TAG = 'karpenter.sh/discovery';

export interface KarpenterNodePoolsProps {
  /** EKS cluster name: the value of the discovery tag on its private subnets and node security group. */
  readonly clusterName: string;
  /** IAM role (name) of the nodes Karpenter launches. */
  readonly nodeRole: string;
  /** Zones nodes may start in. */
  readonly zones: readonly string[];
  /** Share of the vCPU limit spot may take, 0-90; 0 makes no spot pool. */
  readonly spotPercent: number;
  /** vCPU all nodes together may reach; the on-demand pool may use all of it, so pods fall back when spot runs out. */
  readonly cpuLimit: number;
  /** Karpenter tries pools in descending weight: spot first. @default 100 */
  readonly spotWeight?: number;
  /** @default 10 */
  readonly onDemandWeight?: number;
  /** EC2 instance categories to choose from. @default ['c', 'm', 'r'] */
  readonly instanceCategories?: readonly string[];
  /** Only instance generations newer than this. @default 5 */
  readonly minInstanceGeneration?: number;
  /** Distinct instance families a spot launch must be able to choose from. @default 3 */
  readonly spotMinFamilies?: number;
  /** Nodes are replaced after this long, so they pick up patched AMIs. @default '720h' */
  readonly expireAfter?: string;
  /** AMI alias; pin a version (`al2023@v20251120`) in production to roll AMIs deliberately. @default 'al2023@latest' */
  readonly amiAlias?: string;
  /** @default 50 */
  readonly diskGiB?: number;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Karpenter provisioning that matches perfstack's capacity classes: an EC2NodeClass (AL2023, IMDSv2 with hop
 * limit 1, encrypted gp3, subnets and security group by discovery tag) and two NodePools. The spot pool (weight
 * 100) carries the `perfstack.io/capacity-type=spot` label and NoSchedule taint that only
 * `CapacityClass.spotTolerant()` pods tolerate, spans at least `spotMinFamilies` instance families, and is limited
 * to `spotPercent` of the vCPU limit; the on-demand pool (weight 10) takes everything else, and spot-tolerant pods
 * when spot is short. Both consolidate under-used nodes, at most 10% at a time.
 * @see https://karpenter.sh/docs/concepts/nodepools/
 */
/**
 * Share of node capacity on spot, wherever it is set (an Environment's `cloud.spotPercent`, these NodePools): at most
 * 90%, since critical pods need on-demand nodes.
 */
export const spotPercentSchema = percent({ min: 0, max: 90, integer: true });
/** vCPU all Karpenter nodes together may reach. */
export const cpuLimitSchema = num({ integer: true, min: 1, max: 100_000, unit: 'vCPU' });

export class KarpenterNodePools extends Construct {
  public readonly nodeClass: Ec2NodeClass;
  public readonly onDemand: NodePool;
  /** Absent when `spotPercent` is 0. */
  public readonly spot?: NodePool;
  public readonly spotWeight: number;
  public readonly onDemandWeight: number;
  public readonly spotCpuLimit: number;

  constructor(scope: Construct, id: string, props: KarpenterNodePoolsProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    checkShape(p, spotPercentSchema, props.spotPercent, 'spotPercent');
    checkShape(p, cpuLimitSchema, props.cpuLimit, 'cpuLimit');
    p.check(props.zones.length > 0, 'zones', props.zones, 'must list at least one zone');
    this.spotWeight = props.spotWeight ?? 100;
    this.onDemandWeight = props.onDemandWeight ?? 10;
    p.check(
      this.spotWeight > this.onDemandWeight,
      'spotWeight',
      this.spotWeight,
      `must be above onDemandWeight (${this.onDemandWeight}) so that spot is tried first`,
    );
    p.throwIfAny();
    this.spotCpuLimit = Math.floor((props.cpuLimit * props.spotPercent) / 100);
    const labels = { ...(props.labels ?? {}) };
    const discovery = { [KARPENTER_DISCOVERY_TAG]: props.clusterName };

    this.nodeClass = new Ec2NodeClass(this, 'NodeClass', {
      metadata: { name: 'perfstack', labels },
      spec: {
        amiSelectorTerms: [{ alias: props.amiAlias ?? 'al2023@latest' }],
        role: props.nodeRole,
        subnetSelectorTerms: [{ tags: discovery }],
        securityGroupSelectorTerms: [{ tags: discovery }],
        metadataOptions: {
          httpEndpoint: HttpEndpoint.ENABLED,
          httpProtocolIPv6: HttpProtocolIPv6.DISABLED,
          httpPutResponseHopLimit: 1,
          httpTokens: HttpTokens.REQUIRED,
        },
        blockDeviceMappings: [
          {
            deviceName: '/dev/xvda',
            ebs: { volumeSize: `${props.diskGiB ?? 50}Gi`, volumeType: VolumeType.GP3, encrypted: true, deleteOnTermination: true },
          },
        ],
        tags: labels,
      },
    });

    const shared: NodePoolSpecTemplateSpecRequirements[] = [
      { key: 'topology.kubernetes.io/zone', operator: Op.IN, values: [...props.zones] },
      { key: 'kubernetes.io/arch', operator: Op.IN, values: ['amd64'] },
      { key: 'karpenter.k8s.aws/instance-category', operator: Op.IN, values: [...(props.instanceCategories ?? ['c', 'm', 'r'])] },
      { key: 'karpenter.k8s.aws/instance-generation', operator: Op.GT, values: [String(props.minInstanceGeneration ?? 5)] },
    ];
    const pool = (name: typeof SPOT | typeof ON_DEMAND, weight: number, cpu: number, extra: NodePoolSpecTemplateSpecRequirements[]) =>
      new NodePool(this, name, {
        metadata: { name: `perfstack-${name}`, labels },
        spec: {
          weight,
          limits: { cpu: NodePoolSpecLimits.fromNumber(cpu) },
          template: {
            metadata: { labels: { [CAPACITY_TYPE_KEY]: name } },
            spec: {
              nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'perfstack' },
              requirements: [{ key: 'karpenter.sh/capacity-type', operator: Op.IN, values: [name] }, ...shared, ...extra],
              taints:
                name === SPOT ? [{ key: CAPACITY_TYPE_KEY, value: SPOT, effect: NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE }] : [],
              expireAfter: props.expireAfter ?? '720h',
            },
          },
          disruption: {
            consolidationPolicy: NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
            consolidateAfter: '1m',
            budgets: [{ nodes: '10%' }],
          },
        },
      });

    this.onDemand = pool(ON_DEMAND, this.onDemandWeight, props.cpuLimit, []);
    if (this.spotCpuLimit > 0) {
      // Several families, so one spot capacity shortage does not stop every launch (as the spot node groups' 3 types).
      this.spot = pool(SPOT, this.spotWeight, this.spotCpuLimit, [
        { key: 'karpenter.k8s.aws/instance-family', operator: Op.EXISTS, minValues: props.spotMinFamilies ?? 3 },
      ]);
    }
  }
}
