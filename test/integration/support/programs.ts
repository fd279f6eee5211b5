import { execFileSync } from 'child_process';
import * as fs from 'fs';

/** Debian package that provides each program, for the message when it is missing. */
const PACKAGES: Record<string, string> = {
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  'valkey-server': '-t bookworm-backports valkey-server',
  'valkey-cli': '-t bookworm-backports valkey-tools',
  initdb: 'postgresql',
  pg_ctl: 'postgresql',
  postgres: 'postgresql',
  pg_basebackup: 'postgresql',
  pgbench: 'postgresql-contrib (or postgresql)',
  psql: 'postgresql-client',
  pgbouncer: 'pgbouncer',
  promtool: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  runuser: 'util-linux',
  skopeo: 'skopeo',
  prometheus: 'prometheus',
  curl: 'curl',
  'docker-registry': 'docker-registry',
  umoci: 'umoci',
  unshare: 'util-linux',
  ip: 'iproute2',
  python3: 'python3',
};

/** Finds a program on PATH or in PostgreSQL's versioned bin folder. */
export function which(program: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    const pg = '/usr/lib/postgresql';
    if (!fs.existsSync(pg)) return undefined;
    for (const v of fs.readdirSync(pg).sort().reverse()) {
      const p = `${pg}/${v}/bin/${program}`;
      if (fs.existsSync(p)) return p;
    }
    return undefined;
  }
}

/**
 * Integration suites run only where the real programs are installed. In CI (CI=true) a missing program fails the
 * suite with what to install; elsewhere the suite is skipped with a loud notice, so `npm test` still works on a
 * laptop without them.
 */
export function describeWithPrograms(title: string, programs: readonly string[], body: (paths: Record<string, string>) => void): void {
  const paths: Record<string, string> = {};
  const missing: string[] = [];
  for (const p of programs) {
    const found = which(p);
    if (found) paths[p] = found;
    else missing.push(p);
  }
  if (missing.length === 0) {
    describe(title, () => body(paths));
    return;
  }
  const install = [...new Set(missing.map((m) => PACKAGES[m] ?? m))].join(' ');
  const message = `${title}: missing ${missing.join(', ')}; install with: apt-get install -y ${install}`;
  if (process.env.CI === 'true') {
    describe(title, () => {
      it('has the programs it tests against', () => {
        throw new Error(message);
      });
    });
  } else {
    process.stderr.write(`\n*** SKIPPED integration suite. ${message}\n\n`);
    describe.skip(title, () => body(paths));
  }
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
