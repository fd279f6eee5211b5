import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main as cost } from '../../planning/cost/cost-cli';
import { runCli } from '../support/cli';
import { buildSynthProject } from '../support/compiled';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'cli/perfstack.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { COMMANDS } = require('../../cli/perfstack.js') as { COMMANDS: Record<string, { entry: string; summary: string }> };
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

const perfstack = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

describe('the perfstack command (cli/perfstack.js)', () => {
  it('is the package bin', () => {
    expect(pkg.bin).toEqual({ perfstack: 'cli/perfstack.js' });
    expect(fs.readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('runs each command from a compiled entry named <command>-cli.ts beside its tool, exporting main', () => {
    for (const [name, { entry }] of Object.entries(COMMANDS)) {
      expect([name, path.basename(entry)]).toEqual([name, expect.stringMatching(/^[a-z][a-z-]*-cli$/)]);
      const source = fs.readFileSync(path.join(ROOT, `${entry}.ts`), 'utf8');
      expect([name, source]).toEqual([name, expect.stringMatching(/^export (async )?function main\(/m)]);
    }
  });

  it('keeps every npm script of a command as an alias of it, under the same name', () => {
    const aliases = Object.entries(pkg.scripts).filter(([, s]) => s.startsWith('node cli/perfstack.js'));
    expect(Object.fromEntries(aliases)).toEqual(Object.fromEntries(Object.keys(COMMANDS).map((c) => [c, `node cli/perfstack.js ${c}`])));
  });

  it('lists every command with one line each on --help, and exits 0', () => {
    const r = perfstack(['--help']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual(Object.keys(COMMANDS));
    for (const l of lines) expect(l.trim().split(/\s{2,}/)).toHaveLength(2);
  });

  it('refuses an unknown command with one line and exit 2', () => {
    const r = perfstack(['deploy', '--env', 'prod']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("perfstack: 'deploy' is not a command; run perfstack --help for the list\n");
  });

  it('shows the list on stderr and exits 2 when no command is given', () => {
    const r = perfstack([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: perfstack <command>');
  });

  it('runs a real command end to end, compiled, with its arguments and exit code', () => {
    buildSynthProject();
    const args = ['--env', 'staging', '--config', 'planning/fixtures/cost/stack-config.yaml'];
    args.push('--manifests', 'planning/fixtures/cost/manifests', '--format', 'json');
    const r = perfstack(['cost', ...args]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const inProcess = runCli(cost, args);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(inProcess.out));
    expect(JSON.parse(r.stdout).environment).toBe('staging');
  });

  it("passes a command's own usage errors through: one line, exit 2", () => {
    buildSynthProject();
    const r = perfstack(['capacity', '--months', '6']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("capacity: '--history' (missing) is needed: the request-rate history to project (or --nodes to check a fit)\n");
  });
});
