/**
 * The Pulumi stack config of an environment (`Pulumi.<env>.yaml`, keys `perfstack:*`): what the Pulumi program
 * (infra/) builds the cloud side from and what the cost report (planning/) prices. Types and the list of keys.
 */
import { Environment } from '../environment';
import { OperatorName } from '../operator-catalogue';

/** Config namespace of every perfstack key (`perfstack:nodePools`, ...). */
export const CONFIG_NAMESPACE = 'perfstack';

/** Size and price of one EC2 instance type: the pools' node shape and the cost report's price table. */
export interface InstanceType {
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** USD per hour, on-demand. */
  readonly onDemandHourly: number;
  /** USD per hour, spot (a recent average for the region). */
  readonly spotHourly: number;
  /**
   * USD per hour effective with reserved capacity (a 1-year reservation or savings plan), for the cost report's
   * reserved-base option. @default - no reserved price: the option is not shown
   */
  readonly reservedHourly?: number;
}

/** Capacity the kubelet, the OS and the per-node DaemonSets keep on every node; pods get the rest. */
export interface NodeOverhead {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

/** kube-reserved and eviction threshold of an EKS node of about 4 vCPU/16 GiB, plus aws-node, kube-proxy, EBS CSI and node-exporter. */
export const DEFAULT_NODE_OVERHEAD: NodeOverhead = { cpuMillis: 400, memoryMiB: 1536 };

export interface NodePoolsConfig {
  /** Instance types of the on-demand pool (system and critical pods); the first is the sizing shape. */
  readonly onDemand: { readonly instanceTypes: readonly string[] };
  /** Instance types of the spot pool: at least 3 of one size class. Required where the environment uses spot. */
  readonly spot?: { readonly instanceTypes: readonly string[] };
}

export interface ClusterConfig {
  /**
   * Ranges allowed to reach the public API endpoint (the CI runners that run `pulumi up`, the VPN).
   * @default - the public endpoint is off; deploy from inside the VPC
   */
  readonly publicAccessCidrs?: readonly string[];
  /** IAM role ARNs given cluster-admin (SSO permission sets, break-glass). @default - none: only the deploying identity */
  readonly adminRoleArns?: readonly string[];
}

export type ApiCaching = 'disabled' | 'origin';

/** Per-operator choices of a stack (`perfstack:operators.<name>`). */
export interface OperatorConfig {
  /** `false`: the site runs this operator itself; the stack does not install it. @default true (false when air-gapped) */
  readonly managed?: boolean;
  /** A chart version to install instead of the catalogue's pin (or where the catalogue has none). @default - the pin */
  readonly chartVersion?: string;
}

/** The CDN's API origin is the Ingress load balancer the stack creates; these are the distribution's settings. */
export interface CdnConfig {
  /** @default - the distribution's cloudfront.net name only */
  readonly aliases?: readonly string[];
  /** ACM certificate in us-east-1 covering the aliases. @default - the CloudFront default certificate (no aliases) */
  readonly certificateArn?: string;
  /** @default 'PriceClass_100' */
  readonly priceClass?: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
  /** A regional cache in the environment's region in front of both origins. @default false */
  readonly originShield?: boolean;
  /** `disabled`: API responses are never cached; `origin`: CloudFront honours the origin's Cache-Control. @default 'disabled' */
  readonly apiCaching?: ApiCaching;
}

/** Stack settings of a stack that builds its own AWS cloud side (network, EKS, node pools, CDN). */
export interface CloudStackSettings {
  readonly mode: 'cloud';
  readonly environment: Environment & { readonly cloud: Extract<Environment['cloud'], { kind: 'aws' }> };
  readonly cluster: ClusterConfig;
  readonly nodePools: NodePoolsConfig;
  readonly instanceTypes: Readonly<Record<string, InstanceType>>;
  readonly nodeOverhead: NodeOverhead;
  /** Present exactly when the environment turns the CDN on. */
  readonly cdn?: CdnConfig;
  /**
   * Deploy the App into the new cluster. An escape hatch only: `false` builds the cloud side and the operators
   * without the App (e.g. to debug an operator install); one `pulumi up` with the default brings a stack up.
   * @default true
   */
  readonly deployWorkloads: boolean;
  readonly operators: Readonly<Partial<Record<OperatorName, OperatorConfig>>>;
}

/** Stack settings of a stack that deploys only the workloads into a cluster someone else runs (air-gap, on-prem). */
export interface ExistingClusterStackSettings {
  readonly mode: 'existing-cluster';
  readonly environment: Environment;
  /** kubeconfig context to deploy to. @default - the current context */
  readonly kubeContext?: string;
  readonly operators: Readonly<Partial<Record<OperatorName, OperatorConfig>>>;
}

export type StackSettings = CloudStackSettings | ExistingClusterStackSettings;

/** The keys a stack may set, with what each holds: the README's table is this list. */
export const CONFIG_KEYS = [
  'environment',
  'mode',
  'kubeContext',
  'cluster',
  'nodePools',
  'instanceTypes',
  'nodeOverhead',
  'cdn',
  'deployWorkloads',
  'operators',
  'ingress',
] as const;
