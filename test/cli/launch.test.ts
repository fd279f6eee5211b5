import type * as childProcess from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** cli/launch.js: plain JavaScript, since it runs before anything is compiled. */
interface Launcher {
  fresh(root: string, entry: string, typescriptVersion?: string): boolean;
  launch(argv: readonly string[], root?: string): number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = () => require('../../cli/launch.js') as Launcher;

const TS = '5.9.3';
const T0 = new Date('2026-11-01T10:00:00Z');
const later = (s: number) => new Date(T0.getTime() + s * 1000);

/**
 * A scratch project as a successful `tsc -b tsconfig.synth.json` leaves it: sources, a declaration in node_modules,
 * the configs, lib/ with the compiled entry, a clean build info listing what the program read, and the time of the
 * last check, 10 s after every file was written.
 */
function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-launch-'));
  const write = (f: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), text);
  };
  write('stacks/main.ts', 'export const main = () => 0;\n');
  write('constructs/data/redis.ts', 'export {};\n');
  write('node_modules/cdk8s/lib/index.d.ts', 'export {};\n');
  for (const f of ['tsconfig.json', 'tsconfig.synth.json', 'package.json']) write(f, '{}\n');
  write('lib/stacks/main.js', 'exports.main = (args) => { global.launched = args; return 7; };\n');
  write(
    'lib/.synth.tsbuildinfo',
    JSON.stringify({
      fileNames: ['../node_modules/cdk8s/lib/index.d.ts', '../stacks/main.ts', '../constructs/data/redis.ts'],
      fileInfos: [],
      root: [2, 3],
      options: {},
      version: TS,
    }),
  );
  write('lib/.synth.checked', '');
  const walk = (d: string): string[] => [
    d,
    ...fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)])),
  ];
  for (const f of walk(root).reverse()) fs.utimesSync(f, T0, T0);
  fs.utimesSync(path.join(root, 'lib/.synth.checked'), later(10), later(10));
  return root;
}

describe('the launcher of npm run synth and npm run policy: is lib/ fresh?', () => {
  let root: string;
  beforeEach(() => (root = project()));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const fresh = () => load().fresh(root, 'stacks/main', TS);
  const touch = (f: string) => fs.utimesSync(path.join(root, f), later(20), later(20));

  it('is when nothing changed since the last successful check', () => {
    expect(fresh()).toBe(true);
  });

  it.each([
    ['a source', 'stacks/main.ts'],
    ['a declaration the program read in node_modules', 'node_modules/cdk8s/lib/index.d.ts'],
    ['tsconfig.json', 'tsconfig.json'],
    ['tsconfig.synth.json', 'tsconfig.synth.json'],
    ['package.json', 'package.json'],
    ['a folder of sources (a file added, removed or renamed)', 'constructs/data'],
    ['a parent folder of sources (a folder added)', 'constructs'],
  ])('is not when %s changed', (_, file) => {
    touch(file);
    expect(fresh()).toBe(false);
  });

  it('is not when a file the program read is gone', () => {
    fs.rmSync(path.join(root, 'constructs/data/redis.ts'));
    fs.utimesSync(path.join(root, 'constructs/data'), T0, T0);
    expect(fresh()).toBe(false);
  });

  it('is not when the last build failed or left work pending, or another TypeScript made it', () => {
    const info = path.join(root, 'lib/.synth.tsbuildinfo');
    const clean = JSON.parse(fs.readFileSync(info, 'utf8'));
    for (const extra of [{ errors: true }, { affectedFilesPendingEmit: [2] }, { checkPending: true }]) {
      fs.writeFileSync(info, JSON.stringify({ ...clean, ...extra }));
      expect(fresh()).toBe(false);
    }
    fs.writeFileSync(info, JSON.stringify(clean));
    expect(fresh()).toBe(true);
    expect(load().fresh(root, 'stacks/main', '5.8.2')).toBe(false);
  });

  it('is not without a build info, a recorded check or the compiled entry', () => {
    for (const f of ['lib/.synth.checked', 'lib/stacks/main.js', 'lib/.synth.tsbuildinfo']) {
      const r = project();
      fs.rmSync(path.join(r, f));
      expect(load().fresh(r, 'stacks/main', TS)).toBe(false);
      fs.rmSync(r, { recursive: true, force: true });
    }
    expect(load().fresh(root, 'policies/cli', TS)).toBe(false);
  });
});

describe('the launcher', () => {
  let root: string;
  let spawn: jest.SpyInstance;
  beforeEach(() => {
    root = project();
    jest.resetModules();
    // The module object itself: an `import * as` namespace is a copy the launcher never sees.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    spawn = jest.spyOn(require('child_process') as typeof childProcess, 'spawnSync');
    (global as { launched?: unknown }).launched = undefined;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(root, { recursive: true, force: true });
  });
  const launched = () => (global as { launched?: unknown }).launched;

  it("runs the compiled entry's main with the arguments, without the compiler, when lib/ is fresh", () => {
    const { launch, fresh } = load();
    // The scratch project's build info names the installed TypeScript, as a real build's does.
    const info = path.join(root, 'lib/.synth.tsbuildinfo');
    fs.writeFileSync(
      info,
      JSON.stringify({
        ...JSON.parse(fs.readFileSync(info, 'utf8')),
        version: JSON.parse(fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')).version,
      }),
    );
    fs.utimesSync(info, T0, T0);
    expect(fresh(root, 'stacks/main')).toBe(true);
    expect(launch(['stacks/main', '--out', 'dist'], root)).toBe(7);
    expect(launched()).toEqual(['--out', 'dist']);
    expect(spawn).not.toHaveBeenCalled();
  });

  it('runs tsc -b tsconfig.synth.json first when a source changed, and stops with its exit status on errors', () => {
    fs.utimesSync(path.join(root, 'stacks/main.ts'), later(20), later(20));
    spawn.mockReturnValue({ status: 2 } as childProcess.SpawnSyncReturns<Buffer>);
    expect(load().launch(['stacks/main'], root)).toBe(2);
    expect(spawn).toHaveBeenCalledWith(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.synth.json'], {
      cwd: root,
      stdio: 'inherit',
    });
    expect(launched()).toBeUndefined();
    expect(fs.statSync(path.join(root, 'lib/.synth.checked')).mtime).toEqual(later(10));
  });

  it('records when the successful check started, a second early, then runs the entry', () => {
    fs.utimesSync(path.join(root, 'stacks/main.ts'), later(20), later(20));
    spawn.mockReturnValue({ status: 0 } as childProcess.SpawnSyncReturns<Buffer>);
    const before = Date.now();
    expect(load().launch(['stacks/main'], root)).toBe(7);
    const checked = fs.statSync(path.join(root, 'lib/.synth.checked')).mtimeMs;
    expect(checked).toBeLessThanOrEqual(before - 1000);
    expect(checked).toBeGreaterThan(before - 2001);
    expect(launched()).toEqual([]);
  });

  it('explains its usage without an entry', () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(load().launch([], root)).toBe(2);
    expect(err).toHaveBeenCalledWith(expect.stringContaining('usage: node cli/launch.js <entry'));
  });
});
