import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { KARPENTER_DISCOVERY_TAG } from '../constructs/platform/karpenter-node-pools';

/** One zone's address plan: a large private range (nodes, and pods through the VPC CNI) and a small public one. */
export interface ZoneSubnets {
  readonly zone: string;
  readonly privateCidr: string;
  readonly publicCidr: string;
}

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * Splits the VPC range between zones: with k = ceil(log2(zones + 1)) bits, block i (i < zones) is zone i's private
 * subnet and the last block is cut again into the public subnets. A /16 over 3 zones gives three /18 private
 * subnets (16,382 addresses each, room for VPC CNI pod IPs) and three /20 public ones.
 */
export function subnetPlan(vpcCidr: string, zones: readonly string[]): ZoneSubnets[] {
  const [base, prefixText] = vpcCidr.split('/');
  const prefix = Number(prefixText);
  const bits = Math.ceil(Math.log2(zones.length + 1));
  const privatePrefix = prefix + bits;
  const publicPrefix = privatePrefix + bits;
  if (publicPrefix > 28) throw new Error(`${vpcCidr} is too small for ${zones.length} zones`);
  const start = toInt(base);
  const privateSize = 2 ** (32 - privatePrefix);
  const publicStart = start + privateSize * (2 ** bits - 1);
  const publicSize = 2 ** (32 - publicPrefix);
  return zones.map((zone, i) => ({
    zone,
    privateCidr: `${toIp(start + i * privateSize)}/${privatePrefix}`,
    publicCidr: `${toIp(publicStart + i * publicSize)}/${publicPrefix}`,
  }));
}

/**
 * The zones the network spans: the environment's, plus the next zone of the region when there is only one,
 * because EKS places its control plane and load balancers in at least two zones. Nodes stay in the environment's.
 */
export function networkZones(zones: readonly string[]): string[] {
  if (zones.length >= 2) return [...zones];
  const only = zones[0];
  const next = only.replace(/[a-z]$/, (letter) => String.fromCharCode(letter.charCodeAt(0) + 1));
  return [only, next];
}

export interface NetworkArgs {
  /** Zones whose subnets carry nodes; the network adds a second zone for EKS when there is only one. */
  readonly zones: readonly string[];
  /** The VPC's IPv4 range (the Environment's `cloud.vpcCidr`). */
  readonly cidr: string;
  /** AWS region, for the S3 gateway endpoint's service name. */
  readonly region: string;
  /** EKS cluster name, for the subnet tags the cluster and the AWS Load Balancer Controller discover subnets by. */
  readonly clusterName: string;
  /**
   * `per-zone`: a NAT gateway in each zone, so losing a zone does not cut the others off the internet.
   * `one`: a single NAT gateway (cheaper; outbound traffic depends on its zone).
   * @default 'one'
   */
  readonly natGateways?: 'one' | 'per-zone';
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * A VPC with a public and a private subnet per zone, an internet gateway, NAT gateway(s), and an S3 gateway
 * endpoint (image layers and backups reach S3 without NAT charges). Subnets carry the tags EKS, the AWS Load
 * Balancer Controller and Karpenter look for.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpc: aws.ec2.Vpc;
  public readonly natGateways: 'one' | 'per-zone';
  /** Every zone of the network, in order: the environment's zones first. */
  public readonly zones: readonly string[];
  public readonly publicSubnets: readonly aws.ec2.Subnet[];
  public readonly privateSubnets: readonly aws.ec2.Subnet[];
  /** Private subnet ids in the environment's zones only: where nodes go. */
  public readonly nodeSubnetIds: pulumi.Output<string>[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('perfstack:aws:Network', name, {}, opts);
    this.natGateways = args.natGateways ?? 'one';
    this.zones = networkZones(args.zones);
    const tags = (extra: Record<string, string>) => ({ ...args.tags, ...extra });
    const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: 'shared' };
    const child = { parent: this };

    this.vpc = new aws.ec2.Vpc(
      name,
      { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags({ Name: name }) },
      child,
    );
    const igw = new aws.ec2.InternetGateway(name, { vpcId: this.vpc.id, tags: tags({ Name: name }) }, child);
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public`,
      { vpcId: this.vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }], tags: tags({ Name: `${name}-public` }) },
      child,
    );

    const plan = subnetPlan(args.cidr, this.zones);
    const publicSubnets: aws.ec2.Subnet[] = [];
    const privateSubnets: aws.ec2.Subnet[] = [];
    const nats: aws.ec2.NatGateway[] = [];
    const privateRouteTables: aws.ec2.RouteTable[] = [];
    plan.forEach((z, i) => {
      const pub = new aws.ec2.Subnet(
        `${name}-public-${z.zone}`,
        {
          vpcId: this.vpc.id,
          availabilityZone: z.zone,
          cidrBlock: z.publicCidr,
          mapPublicIpOnLaunch: true,
          tags: tags({ Name: `${name}-public-${z.zone}`, 'kubernetes.io/role/elb': '1', ...clusterTag }),
        },
        child,
      );
      new aws.ec2.RouteTableAssociation(`${name}-public-${z.zone}`, { subnetId: pub.id, routeTableId: publicRoutes.id }, child);
      publicSubnets.push(pub);
      if (this.natGateways === 'per-zone' || i === 0) {
        const eip = new aws.ec2.Eip(`${name}-nat-${z.zone}`, { domain: 'vpc', tags: tags({ Name: `${name}-nat-${z.zone}` }) }, child);
        nats.push(
          new aws.ec2.NatGateway(
            `${name}-${z.zone}`,
            { subnetId: pub.id, allocationId: eip.id, tags: tags({ Name: `${name}-${z.zone}` }) },
            { parent: this, dependsOn: [igw] },
          ),
        );
      }
      const nat = nats[this.natGateways === 'per-zone' ? i : 0];
      const routes = new aws.ec2.RouteTable(
        `${name}-private-${z.zone}`,
        {
          vpcId: this.vpc.id,
          routes: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }],
          tags: tags({ Name: `${name}-private-${z.zone}` }),
        },
        child,
      );
      privateRouteTables.push(routes);
      const priv = new aws.ec2.Subnet(
        `${name}-private-${z.zone}`,
        {
          vpcId: this.vpc.id,
          availabilityZone: z.zone,
          cidrBlock: z.privateCidr,
          mapPublicIpOnLaunch: false,
          tags: tags({
            Name: `${name}-private-${z.zone}`,
            'kubernetes.io/role/internal-elb': '1',
            [KARPENTER_DISCOVERY_TAG]: args.clusterName,
            ...clusterTag,
          }),
        },
        child,
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${z.zone}`, { subnetId: priv.id, routeTableId: routes.id }, child);
      privateSubnets.push(priv);
    });
    new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${args.region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: privateRouteTables.map((t) => t.id),
        tags: tags({ Name: `${name}-s3` }),
      },
      child,
    );

    this.publicSubnets = publicSubnets;
    this.privateSubnets = privateSubnets;
    this.nodeSubnetIds = privateSubnets.filter((_, i) => args.zones.includes(this.zones[i])).map((s) => s.id);
    this.registerOutputs({
      vpcId: this.vpc.id,
      publicSubnetIds: publicSubnets.map((s) => s.id),
      privateSubnetIds: privateSubnets.map((s) => s.id),
    });
  }
}
