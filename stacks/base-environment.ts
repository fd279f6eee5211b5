/**
 * What every environment shares, so that each environment file (dev.ts, staging.ts, prod.ts, airgap.ts and the
 * sizing profiles) states only what differs: its name, size, retention, hosts and services. An AWS environment is one
 * account and one VPC in eu-west-1, and everything named after them here; a site without a cloud states its own
 * network, registry and receivers.
 */
import { IngressSettings } from '../constructs/platform/ingress';
import { PostgresBackup } from '../constructs/data/postgres-cluster';
import { Retention } from '../constructs/observability/monitoring-stack-values';
import { Environment } from './environment';
import { CLOUD_KUBERNETES_VERSION } from './kubernetes-versions';
import { PLATFORM_TEAMS, everyTeam } from './services';

/** The fields every environment starts from: the workloads' namespace, neither production nor air-gapped. */
export const BASE_ENVIRONMENT = {
  production: false,
  airGapped: false,
  namespace: 'web',
} as const satisfies Partial<Environment>;

/** Prometheus as kube-prometheus-stack installs it, in `monitoring`, keeping `retention`. */
export function monitoring(retention: Retention, runbookBaseUrl?: string): Environment['monitoring'] {
  return {
    namespace: 'monitoring',
    prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090',
    retention,
    ...(runbookBaseUrl === undefined ? {} : { runbookBaseUrl }),
  };
}

/** The region every AWS environment runs in. */
const REGION = 'eu-west-1';

/** One AWS environment's account and network: what its file states. */
export interface AwsAccount {
  readonly accountId: string;
  /** The VPC's range, a /16 to /20 of its own. */
  readonly vpcCidr: string;
  readonly spotPercent: number;
  readonly cdn: boolean;
  /** Zones of the region the cluster spans, from `a`. */
  readonly zones: 1 | 2 | 3;
}

/**
 * The fields of an AWS environment named after its account and VPC: zones, cloud, the account's ECR, the cloud
 * Kubernetes version, the ALB's and the API server's address range (the VPC), and the team's alert hooks.
 */
export function awsEnvironment(
  name: string,
  account: AwsAccount,
): Pick<Environment, 'name' | 'zones' | 'cloud' | 'imageRegistry' | 'kubernetesVersion' | 'ingressFrom' | 'apiServer' | 'alerting'> {
  const { accountId, vpcCidr, spotPercent, cdn } = account;
  return {
    name,
    zones: ['a', 'b', 'c'].slice(0, account.zones).map((z) => `${REGION}${z}`),
    cloud: { kind: 'aws', region: REGION, accountId, vpcCidr, spotPercent, cdn },
    imageRegistry: `${accountId}.dkr.ecr.${REGION}.amazonaws.com`,
    kubernetesVersion: CLOUD_KUBERNETES_VERSION,
    // The ALB of the AWS Load Balancer Controller sends to pod IPs (target type ip) from inside the VPC.
    ingressFrom: [{ ipBlock: { cidr: vpcCidr } }],
    apiServer: { cidrs: [vpcCidr], port: 443 },
    alerting: {
      receivers: {
        page: { kind: 'webhook', url: `https://alerts.perfstack.dev/hooks/${name}-page` },
        ticket: { kind: 'webhook', url: `https://alerts.perfstack.dev/hooks/${name}-ticket` },
      },
      teams: everyTeam({ page: 'page', ticket: 'ticket' }),
      defaultTeam: PLATFORM_TEAMS.default,
    },
  };
}

/** The ALB of the AWS Load Balancer Controller, with a regional ACM certificate of the account covering `hosts`. */
export function albIngress(accountId: string, hosts: readonly string[], dns?: IngressSettings['dns']): IngressSettings {
  return {
    hosts,
    tls: { kind: 'acm', certificateArn: `arn:aws:acm:${REGION}:${accountId}:certificate/5e1d2c3b-4a59-4687-9f0e-7a6b5c4d3e2f` },
    ...(dns === undefined ? {} : { dns }),
  };
}

/** PostgreSQL backups to the environment's own bucket, written with a role of its account. */
export function s3Backup(name: string, accountId: string, retention: string): PostgresBackup {
  return {
    kind: 's3',
    destinationPath: `s3://perfstack-${name}-backups/postgres`,
    iamRoleArn: `arn:aws:iam::${accountId}:role/perfstack-${name}-postgres-backup`,
    retention,
  };
}
