import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { Environment } from './environment';
import { CLOUD_KUBERNETES_VERSION } from './kubernetes-versions';
import { API_GATEWAY_MIX, webPlatformServices } from './services';
// Refreshed weekly from prod's Prometheus by .github/workflows/forecast-floors.yaml (see stacks/floors/README.md).
import apiGatewayFloors from './floors/prod-api-gateway.json';

const VPC_CIDR = '10.30.0.0/16';

/** Three zones, about 60% spot, CloudFront, a synchronous Postgres replica (RPO 0), business-hours and forecast floors. */
export const prod: Environment = {
  name: 'prod',
  zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  cloud: { kind: 'aws', region: 'eu-west-1', accountId: '333333333333', vpcCidr: VPC_CIDR, spotPercent: 60, cdn: true },
  production: true,
  airGapped: false,
  imageRegistry: '333333333333.dkr.ecr.eu-west-1.amazonaws.com',
  kubernetesVersion: CLOUD_KUBERNETES_VERSION,
  namespace: 'web',
  monitoring: {
    namespace: 'monitoring',
    prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090',
    retention: { time: '30d', size: '200GB' },
  },
  ingressFrom: [{ ipBlock: { cidr: VPC_CIDR } }],
  // The ALB of the AWS Load Balancer Controller; a regional ACM certificate covering the hosts.
  ingress: {
    hosts: ['www.perfstack.dev', 'origin.perfstack.dev'],
    tls: { kind: 'acm', certificateArn: 'arn:aws:acm:eu-west-1:333333333333:certificate/5e1d2c3b-4a59-4687-9f0e-7a6b5c4d3e2f' },
    dns: { hostedZoneId: 'Z05PERFSTACKPROD', hostname: 'origin.perfstack.dev' },
  },
  apiServer: { cidrs: [VPC_CIDR], port: 443 },
  services: webPlatformServices({
    scale: 'full',
    apiBusinessHours: { timeZone: 'Europe/Dublin', start: '08:00', end: '20:00', days: '1-5', minReplicas: 6 },
    apiForecastFloors: { timeZone: 'Europe/Dublin', floors: apiGatewayFloors.floors },
  }),
  dataTier: {
    // Two replicas per shard, in the two other zones: losing a zone leaves every shard a master and a replica.
    redis: { shards: 3, replicasPerShard: 2, memory: Size.gibibytes(4), cpu: Cpu.units(1), storage: Size.gibibytes(20) },
    postgres: {
      instances: 3,
      synchronousReplicas: 1,
      // Every client connection of the services at their maximum scale, with one PgBouncer instance down.
      targetClients: 1000,
      memory: Size.gibibytes(16),
      cpu: Cpu.units(4),
      storage: Size.gibibytes(500),
      backup: {
        kind: 's3',
        destinationPath: 's3://perfstack-prod-backups/postgres',
        iamRoleArn: 'arn:aws:iam::333333333333:role/perfstack-prod-postgres-backup',
        retention: '30d',
      },
    },
  },
  // The tests are defined but run only by hand in production.
  loadTests: { target: 'api-gateway', endpoints: API_GATEWAY_MIX, schedule: '0 3 * * 0', suspended: true },
  restoreDrill: {},
  alerting: {
    onCall: { kind: 'pagerduty', routingKeySecret: { name: 'pagerduty', key: 'routing-key' } },
    ticket: { kind: 'webhook', url: 'https://alerts.perfstack.dev/hooks/prod-ticket' },
  },
  costAllocation: { team: 'platform', costCenter: 'cc-1003' },
};
