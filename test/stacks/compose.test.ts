import { airgap } from '../../stacks/airgap';
import { EnvironmentIdentity, deriveEnvironment } from '../../stacks/compose';
import { validateEnvironment } from '../../stacks/environment-rules';
import { buildPlatform } from '../../stacks/platform';
import { prod } from '../../stacks/prod';
import { PLATFORM_TEAMS, everyTeam } from '../../stacks/services';

const perfIdentity: EnvironmentIdentity = {
  name: 'perf',
  network: {
    kind: 'aws',
    accountId: '444444444444',
    region: 'eu-central-1',
    vpcCidr: '10.40.0.0/16',
    zones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
    spotPercent: 80,
  },
  backup: {
    kind: 's3',
    destinationPath: 's3://perfstack-perf-backups/postgres',
    iamRoleArn: 'arn:aws:iam::444444444444:role/perfstack-perf-postgres-backup',
    retention: '7d',
  },
  ingress: {
    hosts: ['perf.perfstack.dev'],
    tls: { kind: 'acm', certificateArn: 'arn:aws:acm:eu-central-1:444444444444:certificate/0f0e0d0c-0b0a-4909-8807-060504030201' },
  },
  receivers: {
    receivers: {
      page: { kind: 'webhook', url: 'https://alerts.example.com/perf-page' },
      ticket: { kind: 'webhook', url: 'https://alerts.example.com/perf-ticket' },
    },
    teams: everyTeam({ page: 'page', ticket: 'ticket' }),
    defaultTeam: PLATFORM_TEAMS.default,
  },
  costAllocation: { team: 'sre', costCenter: 'cc-4001' },
};

describe('deriveEnvironment', () => {
  it("takes the identity given and the base's sizing, services and policies", () => {
    const perf = deriveEnvironment(prod, perfIdentity);
    expect(perf).toMatchObject({
      name: 'perf',
      cloud: { kind: 'aws', accountId: '444444444444', region: 'eu-central-1', vpcCidr: '10.40.0.0/16', spotPercent: 80, cdn: true },
      zones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
      imageRegistry: '444444444444.dkr.ecr.eu-central-1.amazonaws.com',
      ingress: perfIdentity.ingress,
      alerting: perfIdentity.receivers,
      costAllocation: perfIdentity.costAllocation,
    });
    expect(perf.dataTier.postgres).toEqual({ ...prod.dataTier.postgres, backup: perfIdentity.backup });
    expect(perf.services).toBe(prod.services);
    expect(perf.production).toBe(true);
    expect(() => validateEnvironment(perf)).not.toThrow();
    expect(buildPlatform(perf).app.charts.length).toBe(buildPlatform(prod).app.charts.length);
  });

  it("moves the ingress and API server ranges that named the base's VPC to the new one", () => {
    const perf = deriveEnvironment(prod, perfIdentity);
    expect(perf.ingressFrom).toEqual([{ ipBlock: { cidr: '10.40.0.0/16' } }]);
    expect(perf.apiServer).toEqual({ ...prod.apiServer, cidrs: ['10.40.0.0/16'] });
    expect(JSON.stringify(perf)).not.toContain('10.30.0.0/16');
  });

  it('applies other changes but never over the identity', () => {
    const loadTests = { ...prod.loadTests!, schedule: '0 1 * * *' };
    const perf = deriveEnvironment(prod, perfIdentity, { production: false, loadTests });
    expect(perf.production).toBe(false);
    expect(perf.loadTests).toEqual(loadTests);
    expect(perf.dataTier.postgres.backup).toBe(perfIdentity.backup);
  });

  it("refuses, all at once, anything still naming the base's account, bucket, role, receivers or hosts", () => {
    const services = prod.services.map((s) =>
      s.name === 'api-gateway'
        ? {
            ...s,
            env: {
              BACKUP_URL: 's3://perfstack-prod-backups/exports',
              TICKETS: 'https://perfstack.service-now.com/api/sn_em_connector/em/inbound_event?source=prometheus',
              PUBLIC_URL: 'https://www.perfstack.dev/',
            },
          }
        : s,
    );
    const i = prod.services.findIndex((s) => s.name === 'api-gateway');
    expect(() => deriveEnvironment(prod, perfIdentity, { services })).toThrow(
      [
        `perf: 'services[${i}].env.BACKUP_URL' ("s3://perfstack-prod-backups/exports") still names prod's backup bucket; give perf its own`,
        `perf: 'services[${i}].env.TICKETS' ("https://perfstack.service-now.com/api/sn_em_connector/em/inbound_event?source=prometheus") still names prod's alert receiver; give perf its own`,
        `perf: 'services[${i}].env.PUBLIC_URL' ("https://www.perfstack.dev/") still names prod's ingress host; give perf its own`,
      ].join('\n'),
    );
  });

  it('derives a site without a cloud from its own network', () => {
    const site = deriveEnvironment(airgap, {
      name: 'site2',
      network: {
        kind: 'none',
        zones: ['hall-1', 'hall-2', 'hall-3'],
        imageRegistry: 'registry.site2.internal:5000',
        ingressFrom: airgap.ingressFrom,
        apiServer: { cidrs: ['10.96.0.1/32'], port: 6443 },
      },
      backup: { ...airgap.dataTier.postgres.backup, destinationPath: 's3://site2-backups/postgres' },
      ingress: undefined,
      receivers: {
        ...perfIdentity.receivers,
        receivers: {
          page: { kind: 'webhook', url: 'http://alert-bridge.monitoring.svc:8080/site2-page' },
          ticket: { kind: 'webhook', url: 'http://alert-bridge.monitoring.svc:8080/site2-ticket' },
        },
      },
      costAllocation: { team: 'platform', costCenter: 'cc-2002' },
    });
    expect(site.cloud).toEqual({ kind: 'none' });
    expect(site.ingress).toBeUndefined();
    expect(site.airGapped).toBe(true);
    expect(() => buildPlatform(site)).not.toThrow();
  });

  it('requires every identity field at compile time', () => {
    // @ts-expect-error: without its own backup location a derived environment would write into prod's bucket
    const missing: EnvironmentIdentity = {
      name: 'perf',
      ingress: undefined,
      network: perfIdentity.network,
      receivers: perfIdentity.receivers,
      costAllocation: perfIdentity.costAllocation,
    };
    expect(missing.name).toBe('perf');
  });
});
