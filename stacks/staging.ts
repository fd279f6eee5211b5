import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { BASE_ENVIRONMENT, albIngress, awsEnvironment, monitoring, s3Backup } from './base-environment';
import { Environment } from './environment';
import { webPlatformRemediation } from './remediation-policies';
import { API_GATEWAY_MIX, PLATFORM_TEAMS, everyTeam, webPlatformServices } from './services';

const ACCOUNT = { accountId: '222222222222', vpcCidr: '10.20.0.0/16', spotPercent: 60, cdn: true, zones: 3 } as const;

const STAGING_SERVICES = webPlatformServices({ scale: 'full' });

/** Production's shape at smaller data sizes: three zones, spot, CloudFront, one Postgres replica. */
export const staging: Environment = {
  ...BASE_ENVIRONMENT,
  ...awsEnvironment('staging', ACCOUNT),
  monitoring: monitoring({ time: '15d', size: '50GB' }),
  ingress: albIngress(ACCOUNT.accountId, ['staging.perfstack.dev']),
  services: STAGING_SERVICES,
  dataTier: {
    redis: { shards: 3, replicasPerShard: 1, memory: Size.gibibytes(1), cpu: Cpu.millis(500), storage: Size.gibibytes(5) },
    postgres: {
      instances: 2,
      synchronousReplicas: 0,
      memory: Size.gibibytes(4),
      cpu: Cpu.units(1),
      storage: Size.gibibytes(50),
      backup: s3Backup('staging', ACCOUNT.accountId, '14d'),
    },
  },
  // Nightly baseline regression run against api-gateway.
  loadTests: { target: 'api-gateway', endpoints: API_GATEWAY_MIX, schedule: '0 2 * * *' },
  chaos: {},
  restoreDrill: {},
  // Acts, as production will: staging proves the actions and their limits first.
  remediation: webPlatformRemediation(STAGING_SERVICES, { dryRun: false }),
  // Pages to Slack, escalated to the leads' channel when not acknowledged in 15 minutes; tickets to Microsoft Teams.
  alerting: {
    receivers: {
      slack: { kind: 'slack', webhookUrlSecret: { name: 'slack-webhook', key: 'url' }, channel: '#perfstack-staging' },
      'slack-leads': { kind: 'slack', webhookUrlSecret: { name: 'slack-webhook-leads', key: 'url' }, channel: '#perfstack-leads' },
      teams: { kind: 'msteams', webhookUrlSecret: { name: 'teams-webhook', key: 'url' } },
    },
    teams: everyTeam({ page: 'slack', ticket: 'teams', escalation: { afterMinutes: 15, receiver: 'slack-leads' } }),
    defaultTeam: PLATFORM_TEAMS.default,
  },
  costAllocation: { team: 'platform', costCenter: 'cc-1002' },
};
