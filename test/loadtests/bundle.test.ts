import { buildSync } from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { K6_ENTRY, bundleK6Script, projectRoot } from '../../loadtests/bundle';
import { buildPlatform } from '../../stacks/platform';
import { prod } from '../../stacks/prod';
import { staging } from '../../stacks/staging';

jest.mock('esbuild', () => {
  const actual = jest.requireActual('esbuild');
  return { ...actual, buildSync: jest.fn(actual.buildSync) };
});

const ROOT = path.resolve(__dirname, '../..');

describe('the k6 script bundle', () => {
  it('is found from the project root, wherever the code runs from (sources or compiled lib/)', () => {
    expect(projectRoot(path.join(ROOT, 'lib', 'loadtests'))).toBe(ROOT);
    expect(K6_ENTRY).toBe(path.join(ROOT, 'loadtests', 'k6', 'script.ts'));
    expect(fs.existsSync(K6_ENTRY)).toBe(true);
  });

  it('is bundled once per process however many environments run load tests', () => {
    jest.mocked(buildSync).mockClear();
    buildPlatform(staging);
    buildPlatform(prod);
    expect(bundleK6Script()).toContain('export');
    // The platform bundles other programs too (constructs/core/node-tool.ts): count the k6 entry's builds only.
    const k6Builds = jest.mocked(buildSync).mock.calls.filter(([o]) => JSON.stringify(o.entryPoints) === JSON.stringify([K6_ENTRY]));
    expect(k6Builds).toHaveLength(1);
  });
});
