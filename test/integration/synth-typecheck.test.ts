import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
/** What `npm run synth` reads: tsconfig.synth.json's folders, its configs, and lib/ with the incremental build info. */
const COPIED = [
  'stacks',
  'constructs',
  'imports',
  'loadtests',
  'cli',
  'manifests',
  'policies',
  'lib',
  'package.json',
  'tsconfig.json',
  'tsconfig.synth.json',
];

/**
 * `npm run synth` type-checks before it renders: a type error in a stack (here, a misspelt data store that would
 * silently drop api-gateway's database variables) stops it with the compiler's message, exit 1, dist/ as it was.
 * Run in a scratch copy of the project, so the real sources, lib/ and dist/ are never touched.
 */
describe('npm run synth with a type error in a stack', () => {
  let tmp: string;
  beforeAll(() => {
    // The synth build info makes the copy's check incremental: only what the injected error touches is re-checked.
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.synth.json'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-typecheck-'));
    for (const f of COPIED) fs.cpSync(path.join(ROOT, f), path.join(tmp, f), { recursive: true, preserveTimestamps: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
  }, 300000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('exits 1 with the compiler message and leaves dist/ unchanged', () => {
    const services = path.join(tmp, 'stacks/services.ts');
    const source = fs.readFileSync(services, 'utf8');
    expect(source).toContain("uses: ['redis', 'postgres']");
    fs.writeFileSync(services, source.replace("uses: ['redis', 'postgres']", "uses: ['redis', 'postgress']"));
    fs.mkdirSync(path.join(tmp, 'dist/prod'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'dist/prod/previous.k8s.yaml'), 'kind: Previous\n');
    const npm = process.env.npm_execpath;
    const r = npm
      ? spawnSync(process.execPath, [npm, 'run', '-s', 'synth'], { cwd: tmp, encoding: 'utf8' })
      : spawnSync('npm', ['run', '-s', 'synth'], { cwd: tmp, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/stacks\/services\.ts\(\d+,\d+\): error TS2820: Type '"postgress"' is not assignable/);
    expect(fs.readdirSync(path.join(tmp, 'dist'))).toEqual(['prod']);
    expect(fs.readdirSync(path.join(tmp, 'dist/prod'))).toEqual(['previous.k8s.yaml']);
  }, 300000);
});
