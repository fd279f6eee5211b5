import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { Environment } from './environment';
import { CLOUD_KUBERNETES_VERSION } from './kubernetes-versions';
import { API_GATEWAY_MIX, webPlatformServices } from './services';

const VPC_CIDR = '10.20.0.0/16';

/** Production's shape at smaller data sizes: three zones, spot, CloudFront, one Postgres replica. */
export const staging: Environment = {
  name: 'staging',
  zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  cloud: { kind: 'aws', region: 'eu-west-1', accountId: '222222222222', vpcCidr: VPC_CIDR, spotPercent: 60, cdn: true },
  production: false,
  airGapped: false,
  imageRegistry: '222222222222.dkr.ecr.eu-west-1.amazonaws.com',
  kubernetesVersion: CLOUD_KUBERNETES_VERSION,
  namespace: 'web',
  monitoring: {
    namespace: 'monitoring',
    prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090',
    retention: { time: '15d', size: '50GB' },
  },
  // Services sit behind the AWS Load Balancer Controller (IP targets): its traffic comes from the VPC range.
  ingressFrom: [{ ipBlock: { cidr: VPC_CIDR } }],
  // The ALB of the AWS Load Balancer Controller; a regional ACM certificate covering the hosts.
  ingress: {
    hosts: ['staging.perfstack.dev'],
    tls: { kind: 'acm', certificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/5e1d2c3b-4a59-4687-9f0e-7a6b5c4d3e2f' },
  },
  apiServer: { cidrs: [VPC_CIDR], port: 443 },
  services: webPlatformServices({ scale: 'full' }),
  dataTier: {
    redis: { shards: 3, replicasPerShard: 1, memory: Size.gibibytes(1), cpu: Cpu.millis(500), storage: Size.gibibytes(5) },
    postgres: {
      instances: 2,
      synchronousReplicas: 0,
      memory: Size.gibibytes(4),
      cpu: Cpu.units(1),
      storage: Size.gibibytes(50),
      backup: {
        kind: 's3',
        destinationPath: 's3://perfstack-staging-backups/postgres',
        iamRoleArn: 'arn:aws:iam::222222222222:role/perfstack-staging-postgres-backup',
        retention: '14d',
      },
    },
  },
  // Nightly baseline regression run against api-gateway.
  loadTests: { target: 'api-gateway', endpoints: API_GATEWAY_MIX, schedule: '0 2 * * *' },
  chaos: {},
  restoreDrill: {},
  alerting: {
    onCall: { kind: 'webhook', url: 'https://alerts.perfstack.dev/hooks/staging-page' },
    ticket: { kind: 'webhook', url: 'https://alerts.perfstack.dev/hooks/staging-ticket' },
  },
  costAllocation: { team: 'platform', costCenter: 'cc-1002' },
};
