import * as pulumi from '@pulumi/pulumi';
import { parseAllDocuments } from 'yaml';
import { buildStack } from '../../../infra/program';
import { CloudStackSettings, readStackSettings } from '../../../stacks/stack-config';
import { Recorded, recordStack, stackConfigValues } from '../../support/pulumi-mocks';
import { runCached } from '../../support/worker-cache';
import { chartsOf, filesOf } from '../../support/environments';

/**
 * The committed stacks built with Pulumi mocks, recorded by resource, for the component specs under test/infra/
 * (each records only the stacks it reads, in its own beforeAll).
 */
export const settingsOf = (stack: string) => readStackSettings(stackConfigValues(stack), stack);
export const stacks: Record<string, Recorded[]> = {};
/** What `pulumi.log.warn` printed while the stacks were built. */
export const warnings: string[] = [];

const VARIANTS: Record<string, () => unknown> = {
  // staging with Karpenter instead of the cluster autoscaler and a spot node group.
  karpenter: () => {
    const staging = settingsOf('staging') as CloudStackSettings;
    return buildStack({
      ...staging,
      environment: { ...staging.environment, cloud: { ...staging.environment.cloud, karpenter: { cpuLimit: 160 } } },
    });
  },
  bootstrap: () => buildStack({ ...(settingsOf('prod') as CloudStackSettings), deployWorkloads: false }),
  // prod's App on a cluster someone else runs (on-prem): only the workloads, to a named context.
  onprem: () => buildStack(readStackSettings({ environment: 'prod', mode: 'existing-cluster', kubeContext: 'onprem-prod' }, 'onprem')),
};

/**
 * Records the named stacks (committed stacks by name, or a variant: karpenter, bootstrap, onprem) before the tests.
 * `cloudOnly` builds the committed stacks with `deployWorkloads: false`: the AWS side only, which is all a cloud
 * component's spec reads, without the cost of deploying the App through the mocks.
 */
export function recordStacks(names: readonly string[], options: { readonly cloudOnly?: boolean } = {}): void {
  const build = (name: string) => {
    const settings = settingsOf(name);
    return buildStack(options.cloudOnly && settings.mode === 'cloud' ? { ...settings, deployWorkloads: false } : settings);
  };
  beforeAll(async () => {
    let sink = warnings;
    jest.spyOn(pulumi.log, 'warn').mockImplementation(async (message: string) => void sink.push(message));
    for (const name of names) {
      // A stack is a pure function of the committed config: built once per test run (0.3-0.7 s), not every file.
      const entry = await runCached('pulumi-stack', `${name}:${options.cloudOnly === true}`, async () => {
        sink = [];
        const recorded = await recordStack(name, VARIANTS[name] ?? (() => build(name)));
        const printed = sink;
        sink = warnings;
        return { recorded, warnings: printed };
      });
      stacks[name] = entry.recorded;
      warnings.push(...entry.warnings);
    }
    // Several stacks on a machine busy with the whole suite (and a cold transform cache) can take over 30 s.
  }, 120_000);
}

export const ofType = (stack: string, type: string) => stacks[stack].filter((r) => r.type === type);
export const one = (stack: string, type: string) => {
  const found = ofType(stack, type);
  expect(found).toHaveLength(1);
  return found[0];
};
export const subnets = (stack: string, kind: 'public' | 'private') =>
  ofType(stack, 'aws:ec2/subnet:Subnet').filter((s) => s.inputs.mapPublicIpOnLaunch === (kind === 'public'));
export const nodeGroup = (stack: string, capacityType: 'SPOT' | 'ON_DEMAND') =>
  ofType(stack, 'aws:eks/nodeGroup:NodeGroup').filter((g) => g.inputs.capacityType === capacityType);
export const zonesOf = (stack: string, subnetIds: string[]) =>
  subnetIds.map((id) => ofType(stack, 'aws:ec2/subnet:Subnet').find((s) => s.id === id)!.inputs.availabilityZone).sort();
/** What the CrossGuard pack sees at `pulumi preview`: each resource's type, URN and properties (with its id). */
export const asStackResources = (stack: string) =>
  stacks[stack].map((r) => ({ type: r.type, urn: r.urn, props: { ...r.inputs, id: r.id } }));

/** The objects of every ConfigGroup of a stack, by chart file name. */
export function deployedObjects(stack: string): Record<string, unknown[]> {
  return Object.fromEntries(
    chartsOf(stack).map((c) => {
      const group = stacks[stack].find((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name === `${stack}-${c.chart}`)!;
      // Ingresses are typed resources (their status is the load balancer's name), the rest go through the group.
      const ingresses = stacks[stack]
        .filter((r) => r.type === 'kubernetes:networking.k8s.io/v1:Ingress' && r.name.startsWith(`${stack}-${c.chart}-`))
        .map((r) => Object.fromEntries(Object.entries(r.inputs).filter(([k]) => k !== 'status')));
      return [c.file, [...group.inputs.objs, ...ingresses]];
    }),
  );
}

/** The objects `npm run synth` writes to dist/<env>/, parsed back from the files' text. */
export function distObjects(stack: string): Record<string, unknown[]> {
  return Object.fromEntries(
    filesOf(stack)
      .filter((f) => f.path.endsWith('.k8s.yaml'))
      .map((f) => [f.path.split('/').pop()!, parseAllDocuments(f.content).map((d) => d.toJSON())]),
  );
}
