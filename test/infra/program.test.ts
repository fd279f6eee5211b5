import * as pulumi from '@pulumi/pulumi';
import { nodePoolBounds } from '../../infra/node-pools';
import { buildStack } from '../../infra/program';
import { podDemands } from '../../sizing/node-sizing';
import { cloudfrontViolations, s3OriginViolations, spotNodeGroupViolations } from '../../policies/crossguard/aws';
import { kubernetesViolations, packContext } from '../../policies/crossguard/kubernetes';
import { ENVIRONMENTS } from '../../stacks/environments';
import { environmentSchema } from '../../stacks/environment-schema';
import { recordStack } from '../support/pulumi-mocks';
import { CloudStackSettings } from '../../stacks/stack-config';
import { asStackResources, deployedObjects, distObjects, ofType, one, recordStacks, settingsOf, stacks } from './support/stacks';
import { CLOUD_STACKS, PULUMI_STACKS, chartsOf } from '../support/environments';

// The composition (infra/program.ts): providers, the deployed App, the CrossGuard pack, the stack modes and their mistakes.
recordStacks([...PULUMI_STACKS, 'onprem', 'bootstrap']);

describe.each(CLOUD_STACKS)('the %s stack', (stack) => {
  const env = ENVIRONMENTS[stack];
  const cloud = env.cloud as Extract<typeof env.cloud, { kind: 'aws' }>;

  it('only touches its own account, in its own region', () => {
    const provider = one(stack, 'pulumi:providers:aws');
    expect(provider.inputs.region).toBe(cloud.region);
    expect(JSON.parse(provider.inputs.allowedAccountIds)).toEqual([cloud.accountId]);
  });

  it('keeps EKS and load balancers in the zones the policies expect: no CrossGuard AWS violations', () => {
    const resources = asStackResources(stack);
    expect(spotNodeGroupViolations(resources)).toEqual([]);
    expect(cloudfrontViolations(resources)).toEqual([]);
    expect(s3OriginViolations(resources)).toEqual([]);
  });

  it('passes the pack Kubernetes policy too, CRDs read to order the deployment included', () => {
    const resources = asStackResources(stack);
    expect(resources.some((r) => r.type === 'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition')).toBe(true);
    expect(kubernetesViolations(resources, packContext([], {}))).toEqual([]);
  });

  it('hands the kubernetes provider of the new cluster exactly the objects written to dist/', () => {
    const provider = one(stack, 'pulumi:providers:kubernetes');
    const kubeconfig = JSON.parse(provider.inputs.kubeconfig);
    expect(kubeconfig.users[0].user.exec.args).toEqual(expect.arrayContaining(['get-token', '--cluster-name', `perfstack-${stack}`]));
    expect(deployedObjects(stack)).toEqual(distObjects(stack));
  });
});

describe('one pulumi up', () => {
  it('validates the Environment once (validateEnvironment is the one parser of the Environment schema)', async () => {
    const parses = jest.spyOn(environmentSchema, 'safeParse');
    try {
      // The program's path: the stack config read into settings, then the stack built from them.
      await recordStack('prod', () => buildStack(settingsOf('prod')));
      expect(parses.mock.calls.map(([env]) => (env as { name: string }).name)).toEqual(['prod']);
    } finally {
      parses.mockRestore();
    }
  });
});

describe('the airgap stack (existing cluster)', () => {
  it('creates no cloud resources and deploys the objects of dist/airgap to the current kubeconfig context', () => {
    expect(stacks.airgap.filter((r) => r.type.startsWith('aws:') || r.type.startsWith('perfstack:aws:'))).toEqual([]);
    expect(one('airgap', 'pulumi:providers:kubernetes').inputs.context).toBeUndefined();
    expect(deployedObjects('airgap')).toEqual(distObjects('airgap'));
  });
});

describe('an existing-cluster stack of an AWS environment', () => {
  it('builds nothing in AWS and deploys the environment objects to the named kubeconfig context', () => {
    expect(stacks.onprem.filter((r) => r.type.startsWith('aws:') || r.type.startsWith('perfstack:aws:'))).toEqual([]);
    expect(one('onprem', 'pulumi:providers:kubernetes').inputs.context).toBe('onprem-prod');
    const groups = ofType('onprem', 'kubernetes:yaml/v2:ConfigGroup').map((g) => g.name);
    expect(groups.sort()).toEqual(
      chartsOf('prod')
        .map((c) => `prod-${c.chart}`)
        .sort(),
    );
  });
});

describe('mistakes found while building a stack', () => {
  it('names the pool whose instance type cannot hold a pod', () => {
    const settings = settingsOf('prod') as CloudStackSettings;
    const small = { ...settings, nodePools: { ...settings.nodePools, onDemand: { instanceTypes: ['m6i.xlarge'] } } };
    const demands = podDemands(chartsOf('prod').flatMap((c) => c.objects));
    let thrown: unknown;
    try {
      nodePoolBounds(small, demands);
    } catch (e) {
      thrown = e;
    }
    expect(pulumi.InputPropertyError.isInstance(thrown)).toBe(true);
    expect(thrown).toEqual(
      expect.objectContaining({
        propertyPath: 'perfstack:nodePools.onDemand.instanceTypes',
        reason:
          '(["m6i.xlarge"]) a pod requesting 4000m CPU and 16384Mi memory does not fit a node with 3600m and 14848Mi allocatable; choose a larger instance type',
      }),
    );
  });

  it('reports a broken environment as the synth report, without a stack trace', () => {
    const settings = settingsOf('prod') as CloudStackSettings;
    const broken = { ...settings, environment: { ...settings.environment, zones: [] } };
    let thrown: unknown;
    try {
      buildStack(broken);
    } catch (e) {
      thrown = e;
    }
    expect(pulumi.RunError.isInstance(thrown)).toBe(true);
    expect((thrown as Error).message).toBe("prod: 'zones' ([]) must list at least one zone");
  });
});

describe('the deployWorkloads false escape hatch', () => {
  it('builds the cloud side and the operators but applies none of the App, and so no CDN', () => {
    expect(ofType('bootstrap', 'aws:eks/cluster:Cluster')).toHaveLength(1);
    expect(ofType('bootstrap', 'aws:eks/nodeGroup:NodeGroup')).toHaveLength(2);
    expect(ofType('bootstrap', 'kubernetes:helm.sh/v3:Release').length).toBeGreaterThan(0);
    expect(ofType('bootstrap', 'kubernetes:yaml/v2:ConfigGroup')).toEqual([]);
    expect(ofType('bootstrap', 'aws:cloudfront/distribution:Distribution')).toEqual([]);
  });
});
