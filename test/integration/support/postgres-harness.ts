/**
 * Real PostgreSQL instances and PgBouncer on loopback, configured with the parameters the PostgresCluster construct
 * synthesizes. postgres and pgbouncer refuse to run as root, so as root every command runs as the `postgres` user,
 * with a file-descriptor limit high enough for 1000 clients.
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { isRoot, which } from './programs';

const run = promisify(execFile);
const FD_LIMIT = 8192;

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program as the postgres user (when root) with a raised fd limit; never throws on a non-zero exit. */
export async function asPostgres(program: string, args: readonly string[], input?: string, timeoutMs = 120000): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn('sh', withFdLimit(program, args), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/**
 * `sh` arguments running `program` with a raised file-descriptor limit, as postgres when root. The limit is raised
 * after `runuser`, whose PAM session resets the soft limit to 1024 (too few for 1000 clients).
 */
function withFdLimit(program: string, args: readonly string[]): string[] {
  const inner = `ulimit -n ${FD_LIMIT}; exec "$0" "$@"`;
  return isRoot
    ? ['-c', `ulimit -n ${FD_LIMIT}; exec runuser -u postgres -- sh -c '${inner}' "$@"`, 'sh', program, ...args]
    : ['-c', inner, program, ...args];
}

function bin(name: string): string {
  const p = which(name);
  if (!p) throw new Error(`${name} not found`);
  return p;
}

/** `key = 'value'` lines, the postgresql.conf syntax, quoting every value as postgres accepts. */
export function confLines(parameters: Readonly<Record<string, string>>): string {
  return Object.entries(parameters)
    .map(([k, v]) => `${k} = '${v.replace(/'/g, "''")}'`)
    .join('\n');
}

export class PostgresHarness {
  public readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-pg-'));
  private readonly socketDir = path.join(this.root, 'sock');
  private readonly children: ChildProcess[] = [];

  constructor() {
    fs.mkdirSync(this.socketDir);
    fs.chmodSync(this.root, 0o777);
    fs.chmodSync(this.socketDir, 0o777);
  }

  private dir(name: string): string {
    return path.join(this.root, name);
  }

  private async must(program: string, args: readonly string[], input?: string): Promise<string> {
    const r = await asPostgres(program, args, input);
    if (r.code !== 0) throw new Error(`${path.basename(program)} ${args.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  /** initdb, then the given parameters (exactly as rendered) plus the loopback-only settings of a test instance. */
  public async initPrimary(
    name: string,
    port: number,
    parameters: Readonly<Record<string, string>>,
    extra: Record<string, string> = {},
  ): Promise<void> {
    const dir = this.dir(name);
    await this.initdb(dir);
    this.writeConf(dir, port, parameters, extra);
  }

  /**
   * A data folder as `initdb` leaves it. Its output is the same for every instance of a `jest` run (same binaries,
   * same options), so initdb runs once per run, in the run's scratch folder (test/support/run-cache.js), and each
   * instance gets a copy: 0.6 s of CPU per initdb against a few hundredths per copy. (The copies share a database
   * system identifier, which only matters to replication between them; replicas are made by pg_basebackup.)
   * Callers that ask at the same moment may each run initdb; the first to finish keeps its folder (rename), the
   * others drop theirs.
   */
  private async initdb(dir: string): Promise<void> {
    const args = ['-U', 'postgres', '--auth=trust', '--no-sync'];
    const cache = process.env.PERFSTACK_TEST_RUN_CACHE;
    if (!cache) {
      await this.must(bin('initdb'), ['-D', dir, ...args]);
      return;
    }
    // The postgres user's alone (0700): no other user may plant a template whose configuration every instance runs.
    const shared = path.join(cache, 'postgres');
    fs.mkdirSync(shared, { recursive: true, mode: 0o700 });
    if (isRoot) {
      const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
      fs.chownSync(shared, uid, gid);
    }
    const template = path.join(shared, 'initdb');
    if (!fs.existsSync(template)) {
      const building = `${template}.${process.pid}.${crypto.randomUUID()}`;
      await this.must(bin('initdb'), ['-D', building, ...args]);
      try {
        fs.renameSync(building, template);
      } catch {
        fs.rmSync(building, { recursive: true, force: true });
      }
    }
    await this.must('cp', ['-a', template, dir]);
  }

  private writeConf(dir: string, port: number, parameters: Readonly<Record<string, string>>, extra: Record<string, string>): void {
    const local = {
      port: String(port),
      listen_addresses: '127.0.0.1',
      unix_socket_directories: this.socketDir,
      wal_level: 'replica',
      max_wal_senders: '10',
      hot_standby: 'on',
      ...extra,
    };
    const conf = `# perfstack: the construct's parameters, then loopback settings\n${confLines(parameters)}\n${confLines(local)}\n`;
    fs.writeFileSync(path.join(dir, 'perfstack.conf'), conf);
    fs.appendFileSync(path.join(dir, 'postgresql.conf'), "\ninclude 'perfstack.conf'\n");
    if (isRoot) fs.chownSync(path.join(dir, 'perfstack.conf'), passwd('postgres', 2), passwd('postgres', 3));
  }

  public async start(name: string): Promise<void> {
    await this.must(bin('pg_ctl'), ['-D', this.dir(name), '-l', path.join(this.root, `${name}.log`), '-w', '-t', '60', 'start']);
  }

  /** A streaming replica from a base backup, identified to the primary by `applicationName`. */
  public async initReplica(
    name: string,
    port: number,
    primaryPort: number,
    applicationName: string,
    parameters: Readonly<Record<string, string>>,
  ): Promise<void> {
    const dir = await this.pgBasebackup(name, primaryPort, ['-R', '-X', 'stream', '-d', `application_name=${applicationName}`]);
    // The base backup copied the primary's include; replace it with the replica's own port.
    fs.writeFileSync(path.join(dir, 'perfstack.conf'), '');
    fs.writeFileSync(
      path.join(dir, 'postgresql.conf'),
      fs.readFileSync(path.join(dir, 'postgresql.conf'), 'utf8').replace(/\ninclude 'perfstack.conf'\n/g, '\n'),
    );
    this.writeConf(dir, port, parameters, {});
  }

  /** A base backup of the instance on `port` into `<root>/<name>`, without WAL (`-X none`): the archive has it. */
  public async baseBackup(name: string, port: number): Promise<string> {
    return this.pgBasebackup(name, port, ['-X', 'none', '--checkpoint=fast']);
  }

  /** pg_basebackup of the instance on `port` into `<root>/<name>`, with `options`; returns the folder. */
  private async pgBasebackup(name: string, port: number, options: readonly string[]): Promise<string> {
    const dir = this.dir(name);
    await this.must(bin('pg_basebackup'), ['-D', dir, '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', ...options]);
    return dir;
  }

  /**
   * A new instance from a copy of a base backup, recovering from the WAL archive with `restoreCommand` to the end of
   * the archive on the latest timeline, then promoted: what a CloudNativePG recovery Cluster does with barman-cloud.
   */
  public async restoreInto(
    name: string,
    port: number,
    backup: string,
    restoreCommand: string,
    parameters: Readonly<Record<string, string>>,
  ): Promise<void> {
    const dir = this.dir(name);
    await this.must('cp', ['-a', backup, dir]);
    fs.writeFileSync(path.join(dir, 'perfstack.conf'), '');
    fs.writeFileSync(
      path.join(dir, 'postgresql.conf'),
      fs.readFileSync(path.join(dir, 'postgresql.conf'), 'utf8').replace(/\ninclude 'perfstack.conf'\n/g, '\n'),
    );
    this.writeConf(dir, port, parameters, { restore_command: restoreCommand, recovery_target_timeline: 'latest', archive_mode: 'off' });
    fs.writeFileSync(path.join(dir, 'recovery.signal'), '');
    if (isRoot) fs.chownSync(path.join(dir, 'recovery.signal'), passwd('postgres', 2), passwd('postgres', 3));
  }

  public async psql(port: number, sql: string, database = 'postgres'): Promise<string> {
    return (
      await this.must(
        bin('psql'),
        ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'],
        sql,
      )
    ).trim();
  }

  public postmasterPid(name: string): number {
    return Number(fs.readFileSync(path.join(this.dir(name), 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  public killHard(name: string): void {
    process.kill(this.postmasterPid(name), 'SIGKILL');
  }

  public async promote(name: string): Promise<void> {
    await this.must(bin('pg_ctl'), ['-D', this.dir(name), '-w', '-t', '60', 'promote']);
  }

  public async pgbench(args: readonly string[]): Promise<CommandResult> {
    return asPostgres(bin('pgbench'), args);
  }

  /** pgbench's select-only workload: `clients` connections held for `seconds`, two threads, no vacuum. */
  public async selectOnly(port: number, clients: number, seconds: number, database: string): Promise<CommandResult> {
    return this.pgbench([
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'postgres',
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(seconds),
      '-S',
      '-n',
      database,
    ]);
  }

  /** PgBouncer in front of `postgresPort`, with the pooler's parameters and pool mode exactly as synthesized. */
  public async startPgbouncer(
    port: number,
    postgresPort: number,
    database: string,
    poolMode: string,
    parameters: Readonly<Record<string, string>>,
  ): Promise<void> {
    // One ini, log and pid file per instance: a test may run several PgBouncers side by side.
    const ini = path.join(this.root, `pgbouncer-${port}.ini`);
    const logfile = path.join(this.root, `pgbouncer-${port}.log`);
    fs.writeFileSync(path.join(this.root, 'users.txt'), '"postgres" ""\n');
    fs.writeFileSync(
      ini,
      [
        '[databases]',
        `${database} = host=127.0.0.1 port=${postgresPort} dbname=${database}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${path.join(this.root, 'users.txt')}`,
        'admin_users = postgres',
        `logfile = ${logfile}`,
        `pidfile = ${this.pgbouncerPidFile(port)}`,
        `pool_mode = ${poolMode}`,
        ...Object.entries(parameters).map(([k, v]) => `${k} = ${v}`),
        '',
      ].join('\n'),
    );
    const child = spawn('sh', withFdLimit(bin('pgbouncer'), [ini]), { stdio: 'ignore' });
    this.children.push(child);
    const deadline = Date.now() + 15000;
    for (;;) {
      const r = await asPostgres(bin('psql'), [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        database,
        '-X',
        '-A',
        '-t',
        '-c',
        'select 1',
      ]);
      if (r.code === 0) return;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`pgbouncer did not start: ${fs.existsSync(logfile) ? fs.readFileSync(logfile, 'utf8') : r.stderr}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  private pgbouncerPidFile(port: number): string {
    return path.join(this.root, `pgbouncer-${port}.pid`);
  }

  /** SIGKILLs the PgBouncer listening on `port`, as a node failure or an OOM kill would. */
  public killPgbouncer(port: number): void {
    process.kill(Number(fs.readFileSync(this.pgbouncerPidFile(port), 'utf8').trim()), 'SIGKILL');
  }

  public async stop(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null) c.kill('SIGKILL');
    await run('pkill', ['-9', '-f', `pgbouncer ${this.root}`]).catch(() => undefined);
    for (const name of fs.readdirSync(this.root)) {
      const pidFile = path.join(this.root, name, 'postmaster.pid');
      if (fs.existsSync(pidFile)) {
        try {
          process.kill(this.postmasterPid(name), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    // Backends exit on their own once their postmaster is gone, and may still write meanwhile.
    fs.rmSync(this.root, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
  }
}

/** Field `index` of a user's /etc/passwd entry (2: uid, 3: gid). */
function passwd(user: string, index: 2 | 3): number {
  const entry = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!entry) throw new Error(`no user ${user} in /etc/passwd`);
  return Number(entry.split(':')[index]);
}
