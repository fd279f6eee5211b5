import { SpawnSyncReturns, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENVIRONMENTS } from '../../stacks/environments';
import { main } from '../../stacks/synth-cli';
import { buildSynthProject } from '../support/compiled';
import { snapshotTree } from '../support/files';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The README's second path, `npm run build && npx cdk8s synth`: the compiled app named by cdk8s.yaml, run by the
 * cdk8s CLI, in a scratch copy of the project (cdk8s.yaml, and lib/ linked) so the real dist/ is never touched.
 */
describe('npm run build && npx cdk8s synth', () => {
  let tmp: string;
  let first: SpawnSyncReturns<string>;
  const cdk8s = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'node_modules/cdk8s-cli/bin/cdk8s'), 'synth', ...args], { cwd: tmp, encoding: 'utf8' });

  beforeAll(() => {
    buildSynthProject();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-cdk8s-'));
    fs.copyFileSync(path.join(ROOT, 'cdk8s.yaml'), path.join(tmp, 'cdk8s.yaml'));
    fs.symlinkSync(path.join(ROOT, 'lib'), path.join(tmp, 'lib'));
    // One CLI run (a second of CPU) writes the dist/ both tests read; only a failing app may change it after.
    first = cdk8s();
  }, 300000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes the same files as npm run synth, for every environment', () => {
    // (The CLI's stderr may carry its own update check, which needs the npm registry.)
    expect(first.status).toBe(0);
    const expected = path.join(tmp, 'expected');
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(main(['--out', expected])).toBe(0);
    jest.restoreAllMocks();
    expect(fs.readdirSync(path.join(tmp, 'dist')).sort()).toEqual(Object.keys(ENVIRONMENTS).sort());
    expect(snapshotTree(path.join(tmp, 'dist'))).toEqual(snapshotTree(expected));
  }, 120000);

  it('leaves the previous dist/ in place when the app fails', () => {
    expect(first.status).toBe(0);
    const before = snapshotTree(path.join(tmp, 'dist'));
    const r = cdk8s('--app', 'node lib/stacks/synth-cli.js --out dist --env qa');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`'--env' ("qa") is not an environment`);
    expect(snapshotTree(path.join(tmp, 'dist'))).toEqual(before);
  }, 120000);
});
