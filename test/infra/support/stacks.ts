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

/**
 * A typed resource's inputs as the object synth writes: without the `status` key (which makes the status an output)
 * and without the Gateway's `pulumi.com/waitFor` annotation (Pulumi's wait for its address), each checked present.
 */
export function asSynthesized(inputs: Record<string, unknown>): Record<string, unknown> {
  const rest = Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== 'status'));
  if (rest.kind !== 'Gateway') return rest;
  const meta = rest.metadata as { annotations: Record<string, string> };
  expect(meta.annotations['pulumi.com/waitFor']).toBe('jsonpath={.status.addresses[0].value}');
  const annotations = Object.fromEntries(Object.entries(meta.annotations).filter(([k]) => k !== 'pulumi.com/waitFor'));
  return { ...rest, metadata: { ...meta, ...(Object.keys(annotations).length > 0 ? { annotations } : { annotations: undefined }) } };
}

/** `deployed` in the order of `synthesized` (by kind, namespace and name): typed resources are created beside the group. */
export function inSynthOrder(deployed: readonly unknown[], synthesized: readonly unknown[]): unknown[] {
  const key = (o: unknown) => {
    const x = o as { kind: string; metadata: { namespace?: string; name: string } };
    return `${x.kind}/${x.metadata.namespace ?? ''}/${x.metadata.name}`;
  };
  const at = new Map(synthesized.map((o, i) => [key(o), i]));
  return [...deployed].sort((a, b) => (at.get(key(a)) ?? Infinity) - (at.get(key(b)) ?? Infinity));
}

/** The objects of every ConfigGroup of a stack, by chart file name. */
export function deployedObjects(stack: string): Record<string, unknown[]> {
  return Object.fromEntries(
    chartsOf(stack).map((c) => {
      const group = stacks[stack].find((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name === `${stack}-${c.chart}`)!;
      // Ingresses are typed resources (their status is the load balancer's name), the rest go through the group.
      const ingresses = stacks[stack]
        .filter(
          (r) =>
            (r.type === 'kubernetes:networking.k8s.io/v1:Ingress' || r.type === 'kubernetes:gateway.networking.k8s.io/v1:Gateway') &&
            r.name.startsWith(`${stack}-${c.chart}-`),
        )
        .map((r) => asSynthesized(r.inputs));
      return [c.file, inSynthOrder([...group.inputs.objs, ...ingresses], c.objects)];
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
