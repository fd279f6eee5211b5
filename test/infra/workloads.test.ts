import * as pulumi from '@pulumi/pulumi';
import { ENVIRONMENTS } from '../../stacks/environments';
import { synthesizeCharts } from '../../stacks/synth';
import { Workloads } from '../../infra/workloads';

interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

const recorded: Recorded[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    'perfstack',
    'staging',
    false,
  );
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
  it('deploys the environment named by the stack', async () => {
    const program = await import('../../infra/index');
    expect(program.environmentName).toBe('staging');
    expect(program.charts).toEqual(synthesizeCharts(ENVIRONMENTS.staging).map((c) => c.chart));
  });
});
