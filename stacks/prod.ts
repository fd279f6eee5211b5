import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { BASE_ENVIRONMENT, albIngress, awsEnvironment, monitoring, s3Backup } from './base-environment';
import { Environment } from './environment';
import { API_GATEWAY_MIX, webPlatformServices } from './services';
// Refreshed weekly from prod's Prometheus by .github/workflows/forecast-floors.yaml (see stacks/floors/README.md).
import apiGatewayFloors from './floors/prod-api-gateway.json';

const ACCOUNT = { accountId: '333333333333', vpcCidr: '10.30.0.0/16', spotPercent: 60, cdn: true, zones: 3 } as const;
const AWS = awsEnvironment('prod', ACCOUNT);

/** Three zones, about 60% spot, CloudFront, a synchronous Postgres replica (RPO 0), business-hours and forecast floors. */
export const prod: Environment = {
  ...BASE_ENVIRONMENT,
  ...AWS,
  production: true,
  monitoring: monitoring({ time: '30d', size: '200GB' }),
  ingress: albIngress(ACCOUNT.accountId, ['www.perfstack.dev', 'origin.perfstack.dev'], {
    hostedZoneId: 'Z05PERFSTACKPROD',
    hostname: 'origin.perfstack.dev',
  }),
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
      backup: s3Backup('prod', ACCOUNT.accountId, '30d'),
    },
  },
  // The tests are defined but run only by hand in production.
  loadTests: { target: 'api-gateway', endpoints: API_GATEWAY_MIX, schedule: '0 3 * * 0', suspended: true },
  restoreDrill: {},
  // Pages go to PagerDuty; tickets to the team's hook, as in the other environments.
  alerting: {
    ...AWS.alerting,
    onCall: { kind: 'pagerduty', routingKeySecret: { name: 'pagerduty', key: 'routing-key' } },
  },
  costAllocation: { team: 'platform', costCenter: 'cc-1003' },
};
