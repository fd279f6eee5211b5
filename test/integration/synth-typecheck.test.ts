import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSynthProject } from '../support/compiled';

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
const BUILD_INFO = 'lib/.synth.tsbuildinfo';

/**
 * The project's synth build info for the copy in `tmp`. tsc records each file by its real path relative to lib/, and
 * node_modules (linked into the copy) resolves to the project's: without the rebase every library file would count as
 * new in the copy and the incremental check would be a full one.
 */
function rebaseBuildInfo(tmp: string): void {
  const from = path.join(ROOT, 'lib');
  const to = path.join(tmp, 'lib');
  const info = JSON.parse(fs.readFileSync(path.join(ROOT, BUILD_INFO), 'utf8')) as { fileNames: string[] };
  const within = (dir: string, file: string) => !path.relative(dir, file).startsWith('..');
  info.fileNames = info.fileNames.map((name) => {
    const file = path.resolve(from, name);
    const copied = within(ROOT, file) && !within(path.join(ROOT, 'node_modules'), file);
    return copied || !fs.existsSync(file) ? name : path.relative(to, fs.realpathSync(file));
  });
  fs.writeFileSync(path.join(tmp, BUILD_INFO), JSON.stringify(info));
  // Its own time again: tsc -b sees the project out of date only by a source newer than the build info.
  const { atime, mtime } = fs.statSync(path.join(ROOT, BUILD_INFO));
  fs.utimesSync(path.join(tmp, BUILD_INFO), atime, mtime);
}

/**
 * `npm run synth` type-checks before it renders: a type error in a stack (here, a misspelt data store that would
 * silently drop api-gateway's database variables) stops it with the compiler's message, exit 1, dist/ as it was.
 * Run in a scratch copy of the project, so the real sources, lib/ and dist/ are never touched.
 */
describe('npm run synth with a type error in a stack', () => {
  let tmp: string;
  beforeAll(() => {
    // The project's own synth build first (once per run, shared with the other compiled suites), so the copy's check
    // below is incremental rather than a whole second one.
    buildSynthProject();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-typecheck-'));
    // lib/ is there once the project was built (npm test builds first).
    const present = COPIED.map((f) => path.join(ROOT, f)).filter((f) => fs.existsSync(f));
    execFileSync('cp', ['-a', ...present, tmp]);
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
    // The build info of the project's last `npm run synth` makes the copy's check incremental: only what the injected
    // error touches is re-checked (sources changed since are re-checked too). Without one, the check is a full one.
    if (fs.existsSync(path.join(ROOT, BUILD_INFO))) rebaseBuildInfo(tmp);
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
