import * as pulumi from '@pulumi/pulumi';
import { eksVersionWarning, kubeconfig, serviceAccountTrustPolicy } from '../../../infra/cluster';
import { bucketOf } from '../../../infra/backup-storage';
import { readStackSettings } from '../../../stacks/stack-config';
import { ENVIRONMENT_NAMES, PULUMI_STACKS } from '../../support/environments';
import { stackConfigValues } from '../../support/pulumi-mocks';

/** The problems a config yields, as `key: reason` lines. */
function problems(values: Record<string, unknown>, stack = 'prod'): string[] {
  try {
    readStackSettings(values, stack);
  } catch (e) {
    if (pulumi.InputPropertiesError.isInstance(e)) return e.errors.map((i) => `${i.propertyPath}: ${i.reason}`);
    if (pulumi.InputPropertyError.isInstance(e)) return [`${e.propertyPath}: ${e.reason}`];
    throw e;
  }
  return [];
}

const prod = stackConfigValues('prod');
const without = (key: string) => Object.fromEntries(Object.entries(prod).filter(([k]) => k !== key));

describe('readStackSettings', () => {
  it.each(PULUMI_STACKS)('accepts the committed Pulumi.%s.yaml', (stack) => {
    expect(problems(stackConfigValues(stack), stack)).toEqual([]);
  });

  it('takes the environment from the stack name when perfstack:environment is unset', () => {
    expect(readStackSettings({}, 'airgap')).toMatchObject({ mode: 'existing-cluster', environment: { name: 'airgap' } });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'an unknown environment',
      { environment: 'qa' },
      `perfstack:environment: ("qa") is not an environment; pulumi config set perfstack:environment <${ENVIRONMENT_NAMES.join('|')}>`,
    ],
    ['a misspelt key', { ...prod, nodepools: {} }, 'perfstack:nodepools: ({}) is not a field; known: environment, mode,'],
    ['no node pools', without('nodePools'), 'perfstack:nodePools: is required'],
    ['no price table', without('instanceTypes'), 'perfstack:instanceTypes: is required'],
    [
      'a spot pool of two types',
      { ...prod, nodePools: { onDemand: { instanceTypes: ['m6i.2xlarge'] }, spot: { instanceTypes: ['m6i.xlarge', 'm5.xlarge'] } } },
      'perfstack:nodePools.spot.instanceTypes: (["m6i.xlarge","m5.xlarge"]) lists 2 type(s); a spot pool needs at least 3 of one size class',
    ],
    [
      'a spot pool mixing sizes',
      {
        ...prod,
        nodePools: { onDemand: { instanceTypes: ['m6i.2xlarge'] }, spot: { instanceTypes: ['m6i.xlarge', 'm5.xlarge', 'm6i.2xlarge'] } },
      },
      'perfstack:nodePools.spot.instanceTypes: (["m6i.xlarge","m5.xlarge","m6i.2xlarge"]) mixes sizes (4 vCPU/16 GiB, 8 vCPU/32 GiB)',
    ],
    [
      'an instance type missing from the price table',
      {
        ...prod,
        nodePools: { onDemand: { instanceTypes: ['c7g.large'] }, spot: { instanceTypes: ['m6i.xlarge', 'm5.xlarge', 'm5a.xlarge'] } },
      },
      'perfstack:nodePools.onDemand.instanceTypes: (["c7g.large"]) names c7g.large, missing from perfstack:instanceTypes',
    ],
    [
      'a spot price above on-demand',
      {
        ...prod,
        instanceTypes: { ...(prod.instanceTypes as object), 'm5.xlarge': { vcpu: 4, memoryGiB: 16, onDemandHourly: 0.2, spotHourly: 0.3 } },
      },
      'perfstack:instanceTypes.m5.xlarge.spotHourly: (0.3) is above onDemandHourly (0.2)',
    ],
    [
      'an API endpoint open to the internet',
      { ...prod, cluster: { publicAccessCidrs: ['0.0.0.0/0'] } },
      'perfstack:cluster.publicAccessCidrs: (["0.0.0.0/0"]) opens the API endpoint to the internet',
    ],
    [
      'an admin that is not an IAM role',
      { ...prod, cluster: { adminRoleArns: ['alice@example.com'] } },
      'perfstack:cluster.adminRoleArns: (["alice@example.com"]) must be a list of IAM role ARNs',
    ],
    [
      'an unknown cluster setting',
      { ...prod, cluster: { version: '1.30' } },
      'perfstack:cluster.version: ("1.30") is not a field of \'cluster\'; known: publicAccessCidrs, adminRoleArns',
    ],
    ['no CDN certificate in production', without('cdn'), 'perfstack:cdn.certificateArn: is required in production'],
    [
      'production without its own certificate',
      { ...prod, cdn: { priceClass: 'PriceClass_100' } },
      'perfstack:cdn.certificateArn: is required in production',
    ],
    [
      'a certificate outside us-east-1',
      { ...prod, cdn: { ...(prod.cdn as object), certificateArn: 'arn:aws:acm:eu-west-1:333333333333:certificate/x' } },
      'perfstack:cdn.certificateArn: ("arn:aws:acm:eu-west-1:333333333333:certificate/x") must be an ACM certificate ARN in us-east-1',
    ],
    [
      'an unknown API caching mode',
      { ...prod, cdn: { ...(prod.cdn as object), apiCaching: 'always' } },
      `perfstack:cdn.apiCaching: ("always") must be 'disabled'`,
    ],
    [
      'a kubeconfig context for a stack that builds its own cluster',
      { ...prod, kubeContext: 'x' },
      `perfstack:kubeContext: ("x") applies only to mode 'existing-cluster'`,
    ],
    [
      'cloud settings on a stack that deploys to an existing cluster',
      { ...prod, mode: 'existing-cluster' },
      `perfstack:cluster: ({"publicAccessCidrs":["198.51.100.0/24"],"adminRoleArns":["arn:aws:iam::33333...) applies only to mode 'cloud' (this stack deploys to an existing cluster); remove it`,
    ],
    [
      'cloud mode for an environment without a cloud',
      { environment: 'airgap', mode: 'cloud' },
      `perfstack:mode: ("cloud") needs an AWS environment`,
    ],
  ])('rejects %s, naming the key and the fix', (_, values, message) => {
    expect(problems(values).join('\n')).toContain(message);
  });

  it('reports every problem at once', () => {
    expect(problems({ environment: 'prod' })).toEqual([
      expect.stringMatching(/^perfstack:instanceTypes: is required/),
      expect.stringMatching(/^perfstack:nodePools: is required/),
      expect.stringMatching(/^perfstack:cdn.certificateArn: is required in production/),
      expect.stringMatching(/^perfstack:cdn.aliases: must list the site's host names/),
    ]);
  });

  it('deploys the workloads unless told not to', () => {
    expect(readStackSettings(prod, 'prod')).toMatchObject({ deployWorkloads: true });
    expect(readStackSettings({ ...prod, deployWorkloads: false }, 'prod')).toMatchObject({ deployWorkloads: false });
    expect(problems({ ...prod, deployWorkloads: 'no' })).toEqual(['perfstack:deployWorkloads: ("no") must be true or false']);
  });

  it('requires CDN aliases the Ingress answers for: the viewer Host reaches the load balancer', () => {
    const staging = stackConfigValues('staging');
    expect(problems({ ...staging, cdn: { priceClass: 'PriceClass_100' } })).toEqual([
      expect.stringMatching(/^perfstack:cdn.aliases: must list the site's host names/),
    ]);
    expect(problems({ ...staging, cdn: { ...(staging.cdn as object), aliases: ['www.example.com'] } })).toEqual([
      expect.stringMatching(
        /^perfstack:cdn.aliases: \(\["www.example.com"\]\) names www.example.com, missing from environment 'staging' ingress.hosts/,
      ),
    ]);
  });

  it('resolves the CDN defaults once', () => {
    const settings = readStackSettings(stackConfigValues('staging'), 'staging');
    expect(settings.mode === 'cloud' && settings.cdn).toEqual({
      aliases: ['staging.perfstack.dev'],
      certificateArn: 'arn:aws:acm:us-east-1:222222222222:certificate/7d2e4f10-8b3c-4a6d-9e21-5c4b3a2f1e0d',
      priceClass: 'PriceClass_100',
      originShield: false,
      apiCaching: 'disabled',
    });
  });
});

describe('cluster access', () => {
  it('authenticates the kubernetes provider through aws eks get-token, with no token in the kubeconfig', () => {
    const config = JSON.parse(kubeconfig('perfstack-prod', 'https://x.eks.amazonaws.com', 'Q0E=', 'eu-west-1'));
    expect(config.clusters[0].cluster).toEqual({ server: 'https://x.eks.amazonaws.com', 'certificate-authority-data': 'Q0E=' });
    expect(config.users[0].user).toEqual({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: 'aws',
        args: ['eks', 'get-token', '--cluster-name', 'perfstack-prod', '--region', 'eu-west-1', '--output', 'json'],
      },
    });
  });

  it('trusts exactly one service account of the cluster for a service-account role', () => {
    const policy = JSON.parse(
      serviceAccountTrustPolicy('arn:aws:iam::1:oidc-provider/oidc.eks/id/X', 'https://oidc.eks/id/X', 'web', 'postgres'),
    );
    expect(policy.Statement[0].Condition.StringEquals).toEqual({
      'oidc.eks/id/X:sub': 'system:serviceaccount:web:postgres',
      'oidc.eks/id/X:aud': 'sts.amazonaws.com',
    });
  });

  it('warns that EKS no longer creates a cluster once its version is past extended support', () => {
    expect(eksVersionWarning('1.28', new Date('2025-11-25T12:00:00Z'))).toBeUndefined();
    expect(eksVersionWarning('1.28', new Date('2026-11-23T00:00:00Z'))).toMatch(
      /^EKS ended extended support for Kubernetes 1.28 on 2025-11-26/,
    );
  });

  it('finds the backup bucket in an s3:// destination', () => {
    expect(bucketOf('s3://perfstack-prod-backups/postgres')).toBe('perfstack-prod-backups');
    expect(() => bucketOf('https://example.com/x')).toThrow('is not an s3://bucket/path destination');
  });
});

describe('misspelt keys inside the settings', () => {
  it('are reported with the known ones instead of being ignored', () => {
    const lines = problems({
      ...prod,
      nodePools: { ...(prod.nodePools as object), spots: { instanceTypes: ['m5.xlarge'] } },
      nodeOverhead: { cpuMilis: 400, memoryMiB: 1536 },
    });
    expect(lines).toContain(
      `perfstack:nodePools.spots: ({"instanceTypes":["m5.xlarge"]}) is not a field of 'nodePools'; known: onDemand, spot (misspelt, or in the wrong place?)`,
    );
    expect(lines).toContain(
      "perfstack:nodeOverhead.cpuMilis: (400) is not a field of 'nodeOverhead'; known: cpuMillis, memoryMiB (misspelt, or in the wrong place?)",
    );
  });
});
