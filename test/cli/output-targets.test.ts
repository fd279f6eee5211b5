/**
 * Every CLI output flag against what a path can name besides a regular file: a FIFO, a character device, a
 * socket, a symbolic link and a folder the process cannot write. A writer must never replace any of them with a
 * regular file (`capacity --plot /dev/null` once did, run as root). The CLIs run in process, except where the test
 * needs a mount namespace (a read-only folder as root) or the user's own command line (the /dev/null report).
 */
import { SpawnSyncReturns, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { main as capacity } from '../../planning/capacity/capacity-cli';
import { main as cost } from '../../planning/cost/cost-cli';
import { main as policy } from '../../policies/policy-cli';
import { main as compare } from '../../loadtests/compare-cli';
import { main as synthMain } from '../../stacks/synth-cli';
import { main as bundleMain } from '../../delivery/bundle-cli';
import { CliMain, captureStdio, runCli } from '../support/cli';

const ROOT = path.resolve(__dirname, '../..');
const LOADTESTS = path.join(ROOT, 'loadtests/fixtures');

/** One output flag of one CLI: how to run it with `target` as the flag's path. */
interface OutputFlag {
  readonly cli: string;
  readonly flag: string;
  readonly main: CliMain;
  /** Compiled entry, for runs in a child process. */
  readonly entry: string;
  readonly argv: (target: string) => string[];
}

const FLAGS: readonly OutputFlag[] = [
  {
    cli: 'policy',
    flag: '--output',
    main: policy,
    entry: 'lib/policies/policy-cli.js',
    argv: (t) => ['policies/fixtures/bad', '--format', 'json', '--output', t],
  },
  {
    cli: 'cost',
    flag: '--output',
    main: cost,
    entry: 'lib/planning/cost/cost-cli.js',
    argv: (t) => [
      ...['--env', 'staging', '--config', 'planning/fixtures/cost/stack-config.yaml'],
      ...['--manifests', 'planning/fixtures/cost/manifests', '--output', t],
    ],
  },
  {
    cli: 'capacity',
    flag: '--plot',
    main: capacity,
    entry: 'lib/planning/capacity/capacity-cli.js',
    argv: (t) => [
      '--history',
      'planning/fixtures/traces/nasa-http-1995-07-per-minute.csv.gz',
      '--per-replica',
      '30',
      '--env',
      'prod',
      '--plot',
      t,
    ],
  },
  {
    cli: 'loadtest:compare',
    flag: '--junit',
    main: compare,
    entry: 'lib/loadtests/compare-cli.js',
    argv: (t) => [path.join(LOADTESTS, 'pass.json'), path.join(LOADTESTS, 'baseline.json'), '--junit', t],
  },
  {
    cli: 'loadtest:compare',
    flag: '<baseline>',
    main: compare,
    entry: 'lib/loadtests/compare-cli.js',
    argv: (t) => [path.join(LOADTESTS, 'pass.json'), t, '--update-baseline'],
  },
];

function inProcess(f: OutputFlag, target: string): { code: number; out: string; err: string } {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    return runCli(f.main, f.argv(target));
  } finally {
    process.chdir(cwd);
  }
}

/** `mknod` of a null device (char 1,3): needs CAP_MKNOD; undefined when this machine does not allow it. */
function nullDevice(file: string): string | undefined {
  const r = spawnSync('mknod', [file, 'c', '1', '3'], { encoding: 'utf8' });
  return r.status === 0 ? file : undefined;
}

/** Runs `argv` with `dir` read-only: chmod for an ordinary user; for root, a read-only bind mount in its own namespace. */
function runWithReadOnlyDir(dir: string, argv: string[]): SpawnSyncReturns<string> | undefined {
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, 0o555);
    try {
      return spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    } finally {
      fs.chmodSync(dir, 0o755);
    }
  }
  const script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"';
  if (spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', dir, 'true']).status !== 0) return undefined;
  return spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', dir, ...argv], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-targets-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.each(FLAGS.map((f) => [`${f.cli} ${f.flag}`, f] as const))('%s', (_name, f) => {
  let want: { code: number; content: string } | undefined;
  /** What the flag writes to a regular file (run once): the content every other target must receive. */
  function expected(): { code: number; content: string } {
    if (want) return want;
    const file = path.join(dir, 'regular');
    if (f.flag === '<baseline>') fs.copyFileSync(path.join(LOADTESTS, 'baseline.json'), file);
    const r = inProcess(f, file);
    expect(r.err).toBe('');
    const content = fs.readFileSync(file, 'utf8');
    expect(content.length).toBeGreaterThan(0);
    fs.rmSync(file);
    return (want = { code: r.code, content });
  }

  it('follows a symbolic link: the link stays, the file it names gets the report', () => {
    const want = expected();
    const real = path.join(dir, 'real.out');
    fs.writeFileSync(real, 'old');
    const link = path.join(dir, 'link.out');
    fs.symlinkSync('real.out', link);
    expect(inProcess(f, link)).toMatchObject({ code: want.code, err: '' });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe('real.out');
    expect(fs.readFileSync(real, 'utf8')).toBe(want.content);
    expect(fs.readdirSync(dir).sort()).toEqual(['link.out', 'real.out']);
  });

  it('writes into a FIFO where it is, for the process reading it', async () => {
    const want = expected();
    const fifo = path.join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const received = path.join(dir, 'received');
    const fd = fs.openSync(received, 'w');
    const reader = spawn('cat', [fifo], { stdio: ['ignore', fd, 'inherit'] });
    fs.closeSync(fd);
    const done = new Promise<number | null>((resolve) => reader.on('close', resolve));
    expect(inProcess(f, fifo)).toMatchObject({ code: want.code, err: '' });
    expect(await done).toBe(0);
    expect(fs.readFileSync(received, 'utf8')).toBe(want.content);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('writes into a character device where it is, leaving the device a device', () => {
    const want = expected();
    const device = nullDevice(path.join(dir, 'null'));
    if (!device) {
      console.warn(`SKIPPED: ${f.cli} ${f.flag} on a character device: mknod is not allowed here (needs CAP_MKNOD)`);
      return;
    }
    expect(inProcess(f, device)).toMatchObject({ code: want.code, err: '' });
    const st = fs.lstatSync(device);
    expect([st.isCharacterDevice(), st.size]).toEqual([true, 0]);
  });

  it('refuses a socket with exit 2 and one line naming the flag, leaving the socket', async () => {
    const sock = path.join(dir, 'sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const r = inProcess(f, sock);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`${f.cli}: '${f.flag}' (${JSON.stringify(sock)}) cannot be written: it is a socket; name a file\n`);
      expect(fs.lstatSync(sock).isSocket()).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reports a read-only folder on one line naming the flag, in a child process, and writes nothing there', () => {
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro);
    const target = path.join(ro, 'report.out');
    const r = runWithReadOnlyDir(ro, [process.execPath, f.entry, ...f.argv(target)]);
    if (!r) {
      console.warn(`SKIPPED: ${f.cli} ${f.flag} in a read-only folder: running as root and unshare -rm is not allowed here`);
      return;
    }
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^${f.cli}: '${f.flag}' \\(${JSON.stringify(target).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) cannot be written: (permission denied|read-only file system)\\n$`,
      ),
    );
    expect(fs.readdirSync(ro)).toEqual([]);
  });
});

describe('npm run capacity -- --plot /dev/null, as the user ran it', () => {
  it('leaves a character device a device, in a child process, exit 0 and no stack trace', () => {
    const device = nullDevice(path.join(dir, 'null'));
    if (!device) {
      console.warn('SKIPPED: capacity --plot on a character device: mknod is not allowed here (needs CAP_MKNOD)');
      return;
    }
    const r = spawnSync(process.execPath, [FLAGS[2].entry, ...FLAGS[2].argv(device)], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`plot: ${device}`);
    const st = fs.lstatSync(device);
    expect([st.isCharacterDevice(), st.size, fs.readdirSync(dir)]).toEqual([true, 0, ['null']]);
  });
});

describe('folders a CLI replaces whole: synth --out, bundle --out', () => {
  const synth = (out: string) => captureStdio(() => synthMain(['--env', 'dev', '--out', out]));

  it.each([
    ['a FIFO', (p: string) => expect(spawnSync('mkfifo', [p]).status).toBe(0), 'a FIFO', (st: fs.Stats) => st.isFIFO()],
    ['a file', (p: string) => fs.writeFileSync(p, 'keep'), 'a file', (st: fs.Stats) => st.isFile() && st.size === 4],
  ])('synth refuses %s at --out with exit 2 and one line, leaving it as it was', (_what, make, kind, intact) => {
    const out = path.join(dir, 'dist');
    make(out);
    const r = synth(out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `synth: '--out' (${JSON.stringify(out)}) cannot be written: it is ${kind}; name a folder\nsynth: nothing written\n`,
    );
    expect(intact(fs.lstatSync(out))).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['dist']);
  });

  it('synth refuses a character device at --out, leaving the device', () => {
    const device = nullDevice(path.join(dir, 'null'));
    if (!device) {
      console.warn('SKIPPED: synth --out on a character device: mknod is not allowed here (needs CAP_MKNOD)');
      return;
    }
    const r = synth(device);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      2,
      `synth: '--out' (${JSON.stringify(device)}) cannot be written: it is a character device; name a folder`,
    ]);
    expect(fs.lstatSync(device).isCharacterDevice()).toBe(true);
  });

  it('synth follows a symbolic link at --out, and refuses one at --out/<env> instead of replacing it', () => {
    const real = path.join(dir, 'real');
    fs.mkdirSync(real);
    const link = path.join(dir, 'dist');
    fs.symlinkSync('real', link);
    expect(synth(link)).toMatchObject({ code: 0, stderr: '' });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readdirSync(path.join(real, 'dev')).length).toBeGreaterThan(0);

    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.symlinkSync(path.join(real, 'dev'), path.join(out, 'dev'));
    const r = synth(out);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `synth: '--out' (${JSON.stringify(path.join(out, 'dev'))}) cannot be written: it is a symbolic link; synth replaces dev/ whole, so name a folder without links`,
    );
    expect(fs.lstatSync(path.join(out, 'dev')).isSymbolicLink()).toBe(true);
  });

  it('synth reports a read-only folder on one line naming --out, in a child process, and writes nothing there', () => {
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro);
    const r = runWithReadOnlyDir(ro, [process.execPath, 'lib/stacks/synth-cli.js', '--env', 'dev', '--out', path.join(ro, 'dist')]);
    if (!r) {
      console.warn('SKIPPED: synth --out in a read-only folder: running as root and unshare -rm is not allowed here');
      return;
    }
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^synth: '--out' \(".*"\) cannot be written \((EACCES|EROFS)\); choose a folder you can write\n$/);
    expect(fs.readdirSync(ro)).toEqual([]);
  });

  it('bundle refuses a FIFO at --out, even with --force, with exit 2 and one line, leaving it', async () => {
    const out = path.join(dir, 'bundle');
    expect(spawnSync('mkfifo', [out]).status).toBe(0);
    let err = '';
    const code = await bundleMain(
      ['--env', 'airgap', '--out', out, '--force'],
      () => undefined,
      (s) => void (err += s),
    );
    expect(code).toBe(2);
    expect(err).toBe(`bundle: '--out' (${JSON.stringify(out)}) cannot be written: it is a FIFO; name a folder\n`);
    expect(fs.lstatSync(out).isFIFO()).toBe(true);
  });
});
