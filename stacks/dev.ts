import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { Environment } from './environment';
import { CLOUD_KUBERNETES_VERSION } from './kubernetes-versions';
import { webPlatformServices } from './services';

const VPC_CIDR = '10.10.0.0/16';

/** One zone, no spot, no CDN, the smallest data tier that is still a Redis Cluster. */
export const dev: Environment = {
  name: 'dev',
  zones: ['eu-west-1a'],
  cloud: { kind: 'aws', region: 'eu-west-1', accountId: '111111111111', vpcCidr: VPC_CIDR, spotPercent: 0, cdn: false },
  production: false,
  airGapped: false,
  imageRegistry: '111111111111.dkr.ecr.eu-west-1.amazonaws.com',
  kubernetesVersion: CLOUD_KUBERNETES_VERSION,
  namespace: 'web',
  monitoring: {
    namespace: 'monitoring',
    prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090',
    retention: { time: '3d', size: '10GB' },
  },
  // The ALB sends to pod IPs (target type ip) from inside the VPC.
  ingressFrom: [{ ipBlock: { cidr: VPC_CIDR } }],
  // The ALB of the AWS Load Balancer Controller; a regional ACM certificate covering the hosts.
  ingress: {
    hosts: ['dev.perfstack.dev'],
    tls: { kind: 'acm', certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/5e1d2c3b-4a59-4687-9f0e-7a6b5c4d3e2f' },
  },
  apiServer: { cidrs: [VPC_CIDR], port: 443 },
  services: webPlatformServices({ scale: 'minimal' }),
  dataTier: {
    redis: { shards: 3, replicasPerShard: 0, memory: Size.mebibytes(512), cpu: Cpu.millis(250), storage: Size.gibibytes(2) },
    postgres: {
      instances: 1,
      synchronousReplicas: 0,
      memory: Size.gibibytes(1),
      cpu: Cpu.millis(500),
      storage: Size.gibibytes(10),
      backup: {
        kind: 's3',
        destinationPath: 's3://perfstack-dev-backups/postgres',
        iamRoleArn: 'arn:aws:iam::111111111111:role/perfstack-dev-postgres-backup',
        retention: '7d',
      },
    },
  },
  alerting: {
    onCall: { kind: 'webhook', url: 'https://alerts.perfstack.dev/hooks/dev-page' },
    ticket: { kind: 'webhook', url: 'https://alerts.perfstack.dev/hooks/dev-ticket' },
  },
  costAllocation: { team: 'platform', costCenter: 'cc-1001' },
};
