import * as pulumi from '@pulumi/pulumi';
import { ENVIRONMENTS } from '../../stacks/environments';
import { synthesizeCharts } from '../../stacks/synth';
import { Workloads } from '../../infra/workloads';
import { Recorded, installMocks, quiescent, stackConfigValues } from '../support/pulumi-mocks';

const recorded: Recorded[] = [];

beforeAll(async () => {
  // The program warns that EKS no longer runs Kubernetes 1.28 (asserted in program.test.ts).
  jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
  await installMocks('staging', recorded);
});

function settled<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

describe('Workloads', () => {
  it('hands @pulumi/kubernetes exactly the objects npm run synth writes, one ConfigGroup per chart', async () => {
    const w = new Workloads('prod', { environment: ENVIRONMENTS.prod });
    await settled(pulumi.all(Object.values(w.groups).map((g) => g.urn)));
    const expected = synthesizeCharts(ENVIRONMENTS.prod);
    const groups = recorded.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name.startsWith('prod-'));
    expect(groups.map((g) => g.name).sort()).toEqual(expected.map((c) => `prod-${c.chart}`).sort());
    for (const c of expected) {
      const group = groups.find((g) => g.name === `prod-${c.chart}`)!;
      expect(group.inputs.objs).toEqual(JSON.parse(JSON.stringify(c.objects)));
    }
  });
});

describe('the Pulumi program', () => {
  it('builds the stack its perfstack config describes', async () => {
    const values = stackConfigValues('staging');
    pulumi.runtime.setAllConfig(
      Object.fromEntries(Object.entries(values).map(([k, v]) => [`perfstack:${k}`, typeof v === 'string' ? v : JSON.stringify(v)])),
    );
    const program = await import('../../infra/index');
    expect(program.environment).toBe('staging');
    expect(program.mode).toBe('cloud');
    expect(program.charts).toEqual(synthesizeCharts(ENVIRONMENTS.staging).map((c) => c.chart));
    expect(program.nodePoolBounds?.spot?.min).toBe(0);
    await quiescent(recorded);
  });
});
