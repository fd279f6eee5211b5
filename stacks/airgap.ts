import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { BASE_ENVIRONMENT, monitoring } from './base-environment';
import { Environment } from './environment';
import { webPlatformRemediation } from './remediation-policies';
import { PLATFORM_TEAMS, everyTeam, webPlatformServices } from './services';

const AIRGAP_SERVICES = webPlatformServices({ scale: 'full' });

/** On-premises, three zones, no cloud: plain YAML applied by operators, every image from the site registry. */
export const airgap: Environment = {
  ...BASE_ENVIRONMENT,
  name: 'airgap',
  zones: ['site-a', 'site-b', 'site-c'],
  cloud: { kind: 'none' },
  production: true,
  airGapped: true,
  imageRegistry: 'registry.airgap.internal:5000',
  // No reason to lag: 1.35 is the newest minor every operator line here supports, and 1.28 gets no upstream patches.
  kubernetesVersion: '1.35',
  monitoring: monitoring({ time: '90d', size: '400GB' }, 'http://runbooks.monitoring.svc'),
  // Envoy Gateway's proxies are admitted to the public services by the stack itself (the edge it installs).
  ingressFrom: [],
  // Envoy Gateway serves the edge; cert-manager issues the listener's certificate from the site CA's ClusterIssuer.
  ingress: { hosts: ['web.airgap.internal'], tls: { kind: 'cert-manager', clusterIssuer: 'site-ca' } },
  apiServer: { cidrs: ['10.96.0.1/32', '192.168.10.0/24'], port: 6443 },
  services: AIRGAP_SERVICES,
  dataTier: {
    redis: { shards: 3, replicasPerShard: 1, memory: Size.gibibytes(2), cpu: Cpu.millis(500), storage: Size.gibibytes(20) },
    postgres: {
      instances: 3,
      synchronousReplicas: 1,
      memory: Size.gibibytes(8),
      cpu: Cpu.units(2),
      storage: Size.gibibytes(200),
      backup: {
        kind: 'object-store',
        endpointUrl: 'http://minio.backup.svc:9000',
        destinationPath: 's3://postgres-backups/airgap',
        credentialsSecret: 'postgres-backup-credentials',
        retention: '30d',
      },
    },
  },
  restoreDrill: {},
  // Records what it would do (RemediationDryRun events) until the site opts in to acting.
  remediation: webPlatformRemediation(AIRGAP_SERVICES, { dryRun: true }),
  alerting: {
    receivers: {
      page: { kind: 'webhook', url: 'http://alert-bridge.monitoring.svc:8080/page' },
      ticket: { kind: 'webhook', url: 'http://alert-bridge.monitoring.svc:8080/ticket' },
      escalate: { kind: 'webhook', url: 'http://alert-bridge.monitoring.svc:8080/escalate' },
    },
    teams: everyTeam({ page: 'page', ticket: 'ticket', escalation: { afterMinutes: 30, receiver: 'escalate' } }),
    defaultTeam: PLATFORM_TEAMS.default,
  },
  costAllocation: { team: 'platform', costCenter: 'cc-2001', extraLabels: { site: 'on-prem' } },
};
