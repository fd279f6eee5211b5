import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { BASE_ENVIRONMENT, albIngress, awsEnvironment, monitoring, s3Backup } from './base-environment';
import { Environment } from './environment';
import { webPlatformRemediation } from './remediation-policies';
import { API_GATEWAY_MIX, PLATFORM_TEAMS, webPlatformServices } from './services';
// Refreshed weekly from prod's Prometheus by .github/workflows/forecast-floors.yaml (see stacks/floors/README.md).
import apiGatewayFloors from './floors/prod-api-gateway.json';

const ACCOUNT = { accountId: '333333333333', vpcCidr: '10.30.0.0/16', spotPercent: 60, cdn: true, zones: 3 } as const;
const AWS = awsEnvironment('prod', ACCOUNT);

const PROD_SERVICES = webPlatformServices({
  scale: 'full',
  apiBusinessHours: { timeZone: 'Europe/Dublin', start: '08:00', end: '20:00', days: '1-5', minReplicas: 6 },
  apiForecastFloors: { timeZone: 'Europe/Dublin', floors: apiGatewayFloors.floors },
});

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
  services: PROD_SERVICES,
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
  // Records what it would do (RemediationDryRun events) until a week of them is reviewed; then `dryRun: false`.
  remediation: webPlatformRemediation(PROD_SERVICES, { dryRun: true }),
  // Pages to PagerDuty (the platform team) and Jira Service Management (the NLP team, its escalation policy as
  // responder); tickets to ServiceNow. Credentials are Secrets in the monitoring namespace (docs/operations.md).
  alerting: {
    receivers: {
      pagerduty: { kind: 'pagerduty', routingKeySecret: { name: 'pagerduty', key: 'routing-key' } },
      'nlp-jsm': {
        kind: 'opsgenie',
        apiKeySecret: { name: 'jsm-nlp', key: 'api-key' },
        apiUrl: 'https://api.atlassian.com/jsm/ops/integration/',
        responders: [{ type: 'escalation', name: 'nlp-escalation' }],
      },
      servicenow: {
        kind: 'servicenow',
        url: 'https://perfstack.service-now.com/api/sn_em_connector/em/inbound_event?source=prometheus',
        username: 'alertmanager-prod',
        passwordSecret: { name: 'servicenow', key: 'password' },
      },
    },
    teams: { platform: { page: 'pagerduty', ticket: 'servicenow' }, nlp: { page: 'nlp-jsm', ticket: 'servicenow' } },
    defaultTeam: PLATFORM_TEAMS.default,
  },
  costAllocation: { team: 'platform', costCenter: 'cc-1003' },
};
