import { BASE_ENVIRONMENT, albIngress, awsEnvironment, monitoring, s3Backup } from '../../stacks/base-environment';
import { validateEnvironment } from '../../stacks/environment-rules';
import { ENVIRONMENTS } from '../../stacks/environments';
import { prod } from '../../stacks/prod';

describe('the base environment', () => {
  it('is where every shipped environment starts: one namespace, one Prometheus', () => {
    for (const env of Object.values(ENVIRONMENTS)) {
      expect(env.namespace).toBe(BASE_ENVIRONMENT.namespace);
      expect(env.monitoring).toMatchObject({ namespace: 'monitoring', prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090' });
    }
  });

  it('names everything of an AWS environment after its account and VPC, one zone per requested count', () => {
    const aws = awsEnvironment('perf', { accountId: '444444444444', vpcCidr: '10.40.0.0/16', spotPercent: 50, cdn: false, zones: 2 });
    expect(aws).toEqual({
      name: 'perf',
      zones: ['eu-west-1a', 'eu-west-1b'],
      cloud: { kind: 'aws', region: 'eu-west-1', accountId: '444444444444', vpcCidr: '10.40.0.0/16', spotPercent: 50, cdn: false },
      imageRegistry: '444444444444.dkr.ecr.eu-west-1.amazonaws.com',
      kubernetesVersion: prod.kubernetesVersion,
      ingressFrom: [{ ipBlock: { cidr: '10.40.0.0/16' } }],
      apiServer: { cidrs: ['10.40.0.0/16'], port: 443 },
      alerting: {
        receivers: {
          page: { kind: 'webhook', url: 'https://alerts.perfstack.dev/hooks/perf-page' },
          ticket: { kind: 'webhook', url: 'https://alerts.perfstack.dev/hooks/perf-ticket' },
        },
        teams: { platform: { page: 'page', ticket: 'ticket' }, nlp: { page: 'page', ticket: 'ticket' } },
        defaultTeam: 'platform',
      },
    });
    expect(albIngress('444444444444', ['perf.perfstack.dev']).tls).toEqual({
      kind: 'acm',
      certificateArn: 'arn:aws:acm:eu-west-1:444444444444:certificate/5e1d2c3b-4a59-4687-9f0e-7a6b5c4d3e2f',
    });
    expect(s3Backup('perf', '444444444444', '7d')).toEqual({
      kind: 's3',
      destinationPath: 's3://perfstack-perf-backups/postgres',
      iamRoleArn: 'arn:aws:iam::444444444444:role/perfstack-perf-postgres-backup',
      retention: '7d',
    });
  });

  it('makes a valid environment from the base, an AWS account and the few fields that differ', () => {
    const account = { accountId: '444444444444', vpcCidr: '10.40.0.0/16', spotPercent: 0, cdn: false, zones: 1 } as const;
    const perf = {
      ...prod,
      ...BASE_ENVIRONMENT,
      ...awsEnvironment('perf', account),
      monitoring: monitoring({ time: '7d', size: '20GB' }),
      ingress: albIngress(account.accountId, ['perf.perfstack.dev']),
      dataTier: { ...prod.dataTier, postgres: { ...prod.dataTier.postgres, backup: s3Backup('perf', account.accountId, '7d') } },
    };
    expect(() => validateEnvironment(perf)).not.toThrow();
    expect(perf.monitoring).not.toHaveProperty('runbookBaseUrl');
    expect(monitoring({ time: '7d', size: '20GB' }, 'http://runbooks.monitoring.svc').runbookBaseUrl).toBe(
      'http://runbooks.monitoring.svc',
    );
  });
});
