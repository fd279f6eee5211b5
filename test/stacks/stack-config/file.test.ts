import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StackConfigFileError, stackConfigFileValues } from '../../../stacks/stack-config';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-stack-config-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

describe('stackConfigFileValues', () => {
  it('returns the perfstack keys without their namespace, and nothing of other namespaces', () => {
    const file = write(
      'Pulumi.ok.yaml',
      'config:\n  aws:region: eu-west-1\n  perfstack:environment: prod\n  perfstack:nodePools:\n    spot: { instanceTypes: [m6i.xlarge] }\n',
    );
    expect(stackConfigFileValues(file)).toEqual({ environment: 'prod', nodePools: { spot: { instanceTypes: ['m6i.xlarge'] } } });
    expect(stackConfigFileValues(write('Pulumi.empty.yaml', ''))).toEqual({});
  });

  it('names the file and the line of invalid YAML', () => {
    const file = write('Pulumi.bad.yaml', 'config:\n  perfstack:environment: [prod\n');
    expect(() => stackConfigFileValues(file)).toThrow(StackConfigFileError);
    expect(() => stackConfigFileValues(file)).toThrow(new RegExp(`^${file}:\\d+: not valid YAML: `));
  });

  it('refuses a file that is not a stack config, and one that cannot be read', () => {
    expect(() => stackConfigFileValues(write('Pulumi.list.yaml', '- a\n- b\n'))).toThrow(
      /is not a Pulumi stack config: expected a map with a 'config:' map/,
    );
    expect(() => stackConfigFileValues(write('Pulumi.cfg.yaml', 'config: [1, 2]\n'))).toThrow(/is not a Pulumi stack config/);
    const missing = path.join(dir, 'Pulumi.none.yaml');
    expect(() => stackConfigFileValues(missing)).toThrow(`${missing}: cannot be read (ENOENT)`);
  });
});
