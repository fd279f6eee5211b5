import * as pulumi from '@pulumi/pulumi';
import { loadProgramModules, withCleanInputErrors } from '../../infra/input-errors';
import { readStackSettings } from '../../stacks/stack-config';
import { stackConfigValues } from '../support/pulumi-mocks';

const prod = stackConfigValues('prod');

describe('withCleanInputErrors (the program entry)', () => {
  function thrownBy(values: Record<string, unknown>): unknown {
    try {
      withCleanInputErrors('prod', () => readStackSettings(values, 'prod'));
    } catch (e) {
      return e;
    }
    return undefined;
  }

  it('turns config errors into a RunError, which the Pulumi runtime prints as its message alone', () => {
    const e = thrownBy({ ...prod, cluster: { publicAccessCidrs: ['10.0.0.0/33', '300.0.0.0/16'] }, deployWorkloads: 'yes' });
    expect(pulumi.RunError.isInstance(e)).toBe(true);
    expect((e as Error).message.split('\n')).toEqual([
      `prod: 'perfstack:cluster.publicAccessCidrs.0' ("10.0.0.0/33") has prefix /33; an IPv4 prefix is at most /32`,
      `prod: 'perfstack:cluster.publicAccessCidrs.1' ("300.0.0.0/16") has octet 300; each octet is 0 to 255, without leading zeros`,
      `prod: 'perfstack:deployWorkloads' ("yes") must be true or false`,
    ]);
  });

  it('passes anything else through untouched (a perfstack bug keeps its stack)', () => {
    const bug = new TypeError('x is undefined');
    expect(() =>
      withCleanInputErrors('prod', () => {
        throw bug;
      }),
    ).toThrow(bug);
  });
});

describe('loadProgramModules (the program entry)', () => {
  it('reports a mistake thrown while an environment module loads as one line at its file and line', () => {
    let thrown: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loadProgramModules('prod', () => require('../stacks/fixtures/throws-on-load.js'));
    } catch (e) {
      thrown = e;
    }
    expect(pulumi.RunError.isInstance(thrown)).toBe(true);
    expect((thrown as Error).message).toBe(
      "prod: test/stacks/fixtures/throws-on-load.js:5: 'Duration' (-200) cannot be negative; a Duration is >= 0",
    );
  });
});
