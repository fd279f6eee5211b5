import { k8s } from 'cdk8s-plus-28';
import { ApiServerAccess } from '../constructs/core/security';
import { Problems } from '../constructs/core/errors';
import { CostAllocation } from '../constructs/core/labels';
import { PostgresBackup } from '../constructs/data/postgres-cluster';
import { Alerting } from '../constructs/observability/alert-routing';
import { plainUrls } from '../constructs/observability/alert-receivers';
import { IngressSettings } from '../constructs/platform/ingress';
import { AwsCloud, Environment } from './environment';

/** An AWS network of its own: account, region, VPC range and zones. Spot, CDN and Karpenter default to the base's. */
export interface AwsNetwork extends Partial<Omit<AwsCloud, 'kind' | 'accountId' | 'region' | 'vpcCidr'>> {
  readonly kind: 'aws';
  readonly accountId: string;
  readonly region: string;
  /** A /16 to /20 not used by any other environment; the ingress and API server policies follow it. */
  readonly vpcCidr: string;
  readonly zones: readonly string[];
  /** @default - the account's ECR in the region: `<accountId>.dkr.ecr.<region>.amazonaws.com` */
  readonly imageRegistry?: string;
}

/** A site without a cloud: its zones, registry and the addresses its policies allow. */
export interface SiteNetwork {
  readonly kind: 'none';
  readonly zones: readonly string[];
  readonly imageRegistry: string;
  readonly ingressFrom: readonly k8s.NetworkPolicyPeer[];
  readonly apiServer: ApiServerAccess;
}

/**
 * What makes an environment itself rather than a copy of another: every field is required, so a derived environment
 * cannot silently keep its base's VPC range, backup bucket, IAM role or alert receivers.
 */
export interface EnvironmentIdentity {
  /** DNS label: paths, labels, file names, the Pulumi stack `Pulumi.<name>.yaml`. */
  readonly name: string;
  readonly network: AwsNetwork | SiteNetwork;
  /** Where PostgreSQL base backups and WAL go, with the IAM role (S3) or credentials (object store) to write them. */
  readonly backup: PostgresBackup;
  /**
   * The Ingress of the public services: host names and certificate of this environment, or `undefined` for none
   * (required all the same, so that a base's hosts and certificate are never kept by omission).
   */
  readonly ingress: IngressSettings | undefined;
  /** Where pages and tickets go. */
  readonly receivers: Alerting;
  readonly costAllocation: CostAllocation;
}

/** Fields that only the identity sets. */
type IdentityField = 'name' | 'cloud' | 'zones' | 'imageRegistry' | 'ingressFrom' | 'ingress' | 'apiServer' | 'alerting' | 'costAllocation';

/** Anything else of the base to change: services, production, data-tier sizes (the backup is the identity's). */
export type EnvironmentChanges = Partial<Omit<Environment, IdentityField>>;

/**
 * A new environment from an existing one: the base's sizing, services and policies, with the identity given here.
 * The ingress and API server ranges of an AWS base follow the new VPC range. Anything still naming the base's account,
 * VPC range, backup location, IAM role, webhook receivers, ingress hosts or certificate afterwards (a service's `env`, say) is refused, with
 * every place listed at once.
 *
 * @example deriveEnvironment(prod, { name: 'perf', network: { kind: 'aws', ... }, backup, receivers, costAllocation })
 */
export function deriveEnvironment(base: Environment, identity: EnvironmentIdentity, changes: EnvironmentChanges = {}): Environment {
  const net = identity.network;
  const baseAws = base.cloud.kind === 'aws' ? base.cloud : undefined;
  const followVpc = (cidr: string) => (net.kind === 'aws' && cidr === baseAws?.vpcCidr ? net.vpcCidr : cidr);
  const karpenter = net.kind === 'aws' ? (net.karpenter ?? baseAws?.karpenter) : undefined;
  const network: Pick<Environment, 'cloud' | 'zones' | 'imageRegistry' | 'ingressFrom' | 'apiServer'> =
    net.kind === 'aws'
      ? {
          cloud: {
            kind: 'aws',
            accountId: net.accountId,
            region: net.region,
            vpcCidr: net.vpcCidr,
            spotPercent: net.spotPercent ?? baseAws?.spotPercent ?? 0,
            cdn: net.cdn ?? baseAws?.cdn ?? false,
            ...(karpenter ? { karpenter } : {}),
          },
          zones: net.zones,
          imageRegistry: net.imageRegistry ?? `${net.accountId}.dkr.ecr.${net.region}.amazonaws.com`,
          ingressFrom: base.ingressFrom.map((peer) =>
            peer.ipBlock ? { ...peer, ipBlock: { ...peer.ipBlock, cidr: followVpc(peer.ipBlock.cidr) } } : peer,
          ),
          apiServer: { ...base.apiServer, cidrs: base.apiServer.cidrs.map(followVpc) },
        }
      : {
          cloud: { kind: 'none' },
          zones: net.zones,
          imageRegistry: net.imageRegistry,
          ingressFrom: net.ingressFrom,
          apiServer: net.apiServer,
        };
  const dataTier = changes.dataTier ?? base.dataTier;
  const derived: Environment = {
    ...base,
    ...changes,
    name: identity.name,
    ...network,
    ingress: identity.ingress,
    dataTier: { ...dataTier, postgres: { ...dataTier.postgres, backup: identity.backup } },
    alerting: identity.receivers,
    costAllocation: identity.costAllocation,
  };
  refuseLeftovers(base, derived);
  return derived;
}

/** The strings that identify `env` and must not appear in another environment. */
function identifyingValues(env: Environment): Map<string, string> {
  const values = new Map<string, string>();
  if (env.cloud.kind === 'aws') {
    values.set(env.cloud.accountId, 'AWS account');
    values.set(env.cloud.vpcCidr, 'VPC range');
  }
  const backup = env.dataTier.postgres.backup;
  const bucket = /^s3:\/\/([^/]+)/.exec(backup.destinationPath)?.[1];
  if (bucket) values.set(`s3://${bucket}`, 'backup bucket');
  if (backup.kind === 's3') values.set(backup.iamRoleArn, 'backup IAM role');
  for (const r of Object.values(env.alerting.receivers)) for (const { url } of plainUrls(r)) values.set(url, 'alert receiver');
  for (const host of env.ingress?.hosts ?? []) values.set(host, 'ingress host');
  if (env.ingress?.tls.kind === 'acm') values.set(env.ingress.tls.certificateArn, 'ingress certificate');
  return values;
}

function refuseLeftovers(base: Environment, derived: Environment): void {
  const values = identifyingValues(base);
  const p = new Problems(derived.name);
  const visit = (v: unknown, at: string) => {
    if (typeof v === 'string') {
      for (const [value, what] of values)
        if (v.includes(value)) p.add(at, v, `still names ${base.name}'s ${what}; give ${derived.name} its own`);
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${at}[${i}]`));
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) visit(x, at ? `${at}.${k}` : k);
    }
  };
  visit(derived, '');
  p.throwIfAny();
}
