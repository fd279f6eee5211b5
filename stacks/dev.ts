import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { BASE_ENVIRONMENT, albIngress, awsEnvironment, monitoring, s3Backup } from './base-environment';
import { Environment } from './environment';
import { webPlatformRemediation } from './remediation-policies';
import { webPlatformServices } from './services';

const ACCOUNT = { accountId: '111111111111', vpcCidr: '10.10.0.0/16', spotPercent: 0, cdn: false, zones: 1 } as const;

const DEV_SERVICES = webPlatformServices({ scale: 'minimal' });

/** One zone, no spot, no CDN, the smallest data tier that is still a Redis Cluster. */
export const dev: Environment = {
  ...BASE_ENVIRONMENT,
  ...awsEnvironment('dev', ACCOUNT),
  monitoring: monitoring({ time: '3d', size: '10GB' }),
  ingress: albIngress(ACCOUNT.accountId, ['dev.perfstack.dev']),
  services: DEV_SERVICES,
  dataTier: {
    redis: { shards: 3, replicasPerShard: 0, memory: Size.mebibytes(512), cpu: Cpu.millis(250), storage: Size.gibibytes(2) },
    postgres: {
      instances: 1,
      synchronousReplicas: 0,
      memory: Size.gibibytes(1),
      cpu: Cpu.millis(500),
      storage: Size.gibibytes(10),
      backup: s3Backup('dev', ACCOUNT.accountId, '7d'),
    },
  },
  // Acts: development is where the actions are exercised.
  remediation: webPlatformRemediation(DEV_SERVICES, { dryRun: false }),
  costAllocation: { team: 'platform', costCenter: 'cc-1001' },
};
