import { asSynthesized, inSynthOrder } from './support/stacks';
import * as pulumi from '@pulumi/pulumi';
import { ENVIRONMENTS } from '../../stacks/environments';
import * as fs from 'fs';
import * as path from 'path';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { Workloads, crdNameOf, requiredCrds } from '../../infra/workloads';
import { SHARED_CRDS } from '../support/k8s-schema';
import { Recorded, installMocks, quiescent, stackConfigValues, withoutStackTraces } from '../support/pulumi-mocks';
import { chartsOf } from '../support/environments';

const recorded: Recorded[] = [];

beforeAll(async () => {
  // The program warns that EKS no longer runs Kubernetes 1.28 (asserted in program.test.ts).
  jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
  await installMocks('staging', recorded);
});

function settled<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

/** prod's App as a Workloads component named `name`, once every resource has registered. */
function deployProd(name: string): Promise<void> {
  return withoutStackTraces(async () => {
    const w = new Workloads(name, { environment: ENVIRONMENTS.prod });
    await settled(pulumi.all(Object.values(w.groups).map((g) => g.urn)));
    await quiescent(recorded);
  });
}

describe('Workloads', () => {
  it('hands @pulumi/kubernetes exactly the objects npm run synth writes, one ConfigGroup per chart', async () => {
    await deployProd('prod');
    const expected = chartsOf('prod');
    const groups = recorded.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name.startsWith('prod-'));
    expect(groups.map((g) => g.name).sort()).toEqual(expected.map((c) => `prod-${c.chart}`).sort());
    for (const c of expected) {
      const group = groups.find((g) => g.name === `prod-${c.chart}`)!;
      // Ingresses are typed resources, so that their status (the load balancer's name) is an output.
      const ingresses = recorded
        .filter(
          (r) =>
            (r.type === 'kubernetes:networking.k8s.io/v1:Ingress' || r.type === 'kubernetes:gateway.networking.k8s.io/v1:Gateway') &&
            r.name.startsWith(`prod-${c.chart}-`),
        )
        .map((r) => asSynthesized(r.inputs));
      expect(inSynthOrder([...group.inputs.objs, ...ingresses], c.objects)).toEqual(JSON.parse(JSON.stringify(c.objects)));
    }
  });
});

describe('the CRDs the App needs', () => {
  const crdFiles = fs.readdirSync(SHARED_CRDS).filter((f) => f.endsWith('.yaml'));
  const crds = crdFiles.flatMap((f) =>
    (loadAll(fs.readFileSync(path.join(SHARED_CRDS, f), 'utf8'), null, { schema: CORE_SCHEMA }) as { kind?: string }[])
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      .filter((d): d is any => d?.kind === 'CustomResourceDefinition'),
  );

  it.each(crds.map((c) => [c.metadata.name, c]))('finds %s from its group and kind', (name, crd) => {
    for (const v of crd.spec.versions) expect(crdNameOf(`${crd.spec.group}/${v.name}`, crd.spec.names.kind)).toBe(name);
  });

  it.each([
    ['apps/v1', 'Deployment'],
    ['v1', 'Service'],
    ['autoscaling/v2', 'HorizontalPodAutoscaler'],
    ['networking.k8s.io/v1', 'NetworkPolicy'],
    ['scheduling.k8s.io/v1', 'PriorityClass'],
    ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ])('needs no CRD for the built-in %s %s', (apiVersion, kind) => {
    expect(crdNameOf(apiVersion, kind)).toBeUndefined();
  });

  it('reads every CRD of the environment before applying, and only those', async () => {
    await deployProd('crds');
    const objects = chartsOf('prod').flatMap((c) => c.objects);
    const read = recorded.filter(
      (r) => r.type === 'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition' && r.name.startsWith('crds-'),
    );
    expect(read.map((r) => r.id).sort()).toEqual(requiredCrds(objects));
    expect(requiredCrds(objects)).toEqual(
      expect.arrayContaining([
        'scaledobjects.keda.sh',
        'clusters.postgresql.cnpg.io',
        'verticalpodautoscalers.autoscaling.k8s.io',
        'servicemonitors.monitoring.coreos.com',
      ]),
    );
    const known = crds.map((c) => c.metadata.name);
    for (const name of requiredCrds(objects)) expect(known).toContain(name);
  });
});

describe('the Pulumi program', () => {
  it('builds the stack its perfstack config describes', async () => {
    const values = stackConfigValues('staging');
    pulumi.runtime.setAllConfig(
      Object.fromEntries(Object.entries(values).map(([k, v]) => [`perfstack:${k}`, typeof v === 'string' ? v : JSON.stringify(v)])),
    );
    const program = await withoutStackTraces(async () => {
      const imported = await import('../../infra/index');
      await quiescent(recorded);
      return imported;
    });
    expect(program.environment).toBe('staging');
    expect(program.mode).toBe('cloud');
    expect(program.charts).toEqual(chartsOf('staging').map((c) => c.chart));
    expect(program.nodePoolBounds?.spot?.min).toBe(0);
  });
});
