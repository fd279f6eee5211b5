import * as pulumi from '@pulumi/pulumi';
import { inputErrorLines, stackSettingsFromConfig } from '../../../stacks/stack-config';
import { stackConfigValues } from '../../support/pulumi-mocks';

/** The stack's config as Pulumi hands it to a program: every value a string, JSON for objects. */
function setConfig(values: Record<string, unknown>, other: Record<string, string> = {}): void {
  pulumi.runtime.setAllConfig({
    ...other,
    ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`perfstack:${k}`, typeof v === 'string' ? v : JSON.stringify(v)])),
  });
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs },
    'perfstack',
    'prod',
    false,
  );
});

describe('stackSettingsFromConfig (inside the Pulumi program)', () => {
  it("reads the perfstack keys of the running stack's config, JSON values parsed, other namespaces ignored", () => {
    setConfig(stackConfigValues('prod'), { 'aws:region': 'eu-west-1' });
    const settings = stackSettingsFromConfig();
    expect(settings.mode).toBe('cloud');
    expect(settings.environment.name).toBe('prod');
  });

  it('reports a misspelt key of the running stack rather than ignoring it', () => {
    setConfig({ ...stackConfigValues('prod'), nodePool: {} });
    let lines: string[] | undefined;
    try {
      stackSettingsFromConfig();
    } catch (e) {
      lines = inputErrorLines(e);
    }
    expect(lines).toEqual([expect.stringMatching(/^'perfstack:nodePool' \(\{\}\) is not a field; known: environment, mode, /)]);
  });
});
