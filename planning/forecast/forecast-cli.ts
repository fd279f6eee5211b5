#!/usr/bin/env node
/**
 * `npm run -s forecast -- --history <file> --until <ISO> --per-replica <req/min> [--target <0-1>] [--min <n>]
 * [--max <n>] [--service <name> --env <env>] [--format json|table]`
 *
 * Replica floors for the 7 days after `--until`, learnt from the history before it (CSV or Prometheus range-query
 * JSON, see planning/history.ts). `--service`/`--env` take min, max and the CPU target from the environment; an
 * explicit flag overrides them. Exit 0: printed; 2: bad input, one line per problem.
 */
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../../cli/args';
import type { Environment } from '../../stacks/environment';
import type { SafeForecast } from './do-no-harm';
import { DAY_MS, History, HistoryError, readHistoryFiles, parseIsoWithOffset, sliceHistory } from '../shared/history';

/**
 * The environments, loaded only for `--service`/`--env`: building them pulls in cdk8s, which would double the
 * CLI's start-up for a forecast that does not need it.
 */
function environments(): {
  ENVIRONMENTS: Readonly<Record<string, Environment>>;
  cpuTargetOf: (typeof import('../../constructs/workload/scaling-metric'))['cpuTargetOf'];
} {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ENVIRONMENTS: (require('../../stacks/environments') as typeof import('../../stacks/environments')).ENVIRONMENTS,
    cpuTargetOf: (require('../../constructs/workload/scaling-metric') as typeof import('../../constructs/workload/scaling-metric'))
      .cpuTargetOf,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

interface Opts {
  history?: string;
  until?: string;
  perReplica?: string;
  target?: string;
  min?: string;
  max?: string;
  service?: string;
  env?: string;
  format: string;
}

/** Service bounds and CPU target from an environment, for `--service`/`--env`. */
export function serviceDefaults(env: string, service: string): { min: number; max: number; target?: number } | string {
  const { ENVIRONMENTS, cpuTargetOf } = environments();
  const e = ENVIRONMENTS[env];
  if (!e) return `'--env' (${JSON.stringify(env)}) is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')}`;
  const spec = e.services.find((s) => s.name === service);
  if (!spec) {
    return `'--service' (${JSON.stringify(service)}) is not a service of ${env}; choose from ${e.services.map((s) => s.name).join(', ')}`;
  }
  return { min: spec.replicas.min, max: spec.replicas.max, target: cpuTargetOf(spec.metrics) };
}

const iso = (ms: number, offsetMin: number) => {
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
  if (offsetMin === 0) return `${local}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const a = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
};

/** Offset in minutes of an ISO timestamp's zone (`Z` is 0), so output stays in the zone the user wrote. */
function offsetOf(text: string): number {
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(text);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

export function renderTable(f: SafeForecast, offsetMin: number, header: string): string {
  const lines = [
    header,
    `margin on peaks: x${f.marginFactor.toFixed(2)} (${Math.round(f.marginQuantile * 100)}th percentile of ${f.errors.count} forecast errors, ${f.errors.method}); ` +
      `trend: ${((f.weeklyTrend - 1) * 100).toFixed(1)}% per week measured, half of it carried forward`,
    `verdict: ${f.verdict.decision === 'reactive' ? 'REACTIVE ONLY (every floor at --min)' : 'floors'}: ${f.verdict.reason}`,
    ...f.verdict.excluded.map((x) => `excluded from learning (${x.reason}): ${iso(x.from, offsetMin)} .. ${iso(x.to, offsetMin)}`),
    '',
    `${'from'.padEnd(25)}  ${'to'.padEnd(25)}  min replicas`,
    ...f.floors.map(
      (x) => `${iso(x.from, offsetMin).padEnd(25)}  ${iso(x.to, offsetMin).padEnd(25)}  ${String(x.minReplicas).padStart(12)}`,
    ),
  ];
  return lines.join('\n') + '\n';
}

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('forecast')
    .option('--history <file>', 'request-rate history: CSV (timestamp,requests) or Prometheus range-query JSON (.gz allowed)')
    .option('--until <iso>', 'forecast the 7 days after this ISO-8601 time with offset; only history before it is used')
    .option('--per-replica <n>', 'requests per minute one replica serves at 100% utilization')
    .option('--target <0-1>', "utilization target (default: the service's CPU target with --service/--env)")
    .option('--min <n>', 'fewest replicas (default: the service min with --service/--env)')
    .option('--max <n>', 'most replicas (default: the service max with --service/--env)')
    .option('--service <name>', 'take min, max and target from this service of --env')
    .option('--env <name>', 'environment of --service (dev, staging, prod, airgap, ...)')
    .option('--format <format>', 'json or table', 'table');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const o = program.opts<Opts>();
  const problems: string[] = [];
  const bad = (flag: string, value: unknown, fix: string) =>
    problems.push(`'${flag}' (${value === undefined ? 'missing' : JSON.stringify(value)}) ${fix}`);

  let defaults: { min?: number; max?: number; target?: number } = {};
  if (o.service !== undefined || o.env !== undefined) {
    if (o.service === undefined) bad('--service', undefined, 'is needed with --env');
    else if (o.env === undefined) bad('--env', undefined, 'is needed with --service');
    else {
      const d = serviceDefaults(o.env, o.service);
      if (typeof d === 'string') problems.push(d);
      else defaults = d;
    }
  }
  const num = (flag: string, text: string | undefined, fallback: number | undefined, ok: (n: number) => boolean, fix: string) => {
    if (text === undefined) {
      if (fallback === undefined) bad(flag, undefined, `${fix}; pass it, or --service and --env`);
      return fallback ?? NaN;
    }
    const n = /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
    if (!ok(n)) bad(flag, text, fix);
    return n;
  };
  const perReplica = num('--per-replica', o.perReplica, undefined, (n) => n > 0, 'must be a number of requests per minute > 0');
  const target = num('--target', o.target, defaults.target, (n) => n > 0 && n <= 1, 'must be a utilization between 0 (exclusive) and 1');
  const min = num('--min', o.min, defaults.min, (n) => Number.isInteger(n) && n >= 0, 'must be a whole number >= 0');
  const max = num('--max', o.max, defaults.max, (n) => Number.isInteger(n) && n >= 1, 'must be a whole number >= 1');
  if (Number.isInteger(min) && Number.isInteger(max) && min > max) bad('--min', o.min ?? String(min), `must be <= '--max' (${max})`);
  if (!['json', 'table'].includes(o.format)) bad('--format', o.format, 'must be json or table');
  const until = o.until === undefined ? undefined : parseIsoWithOffset(o.until);
  if (until === undefined) bad('--until', o.until, 'must be an ISO-8601 time with an offset, e.g. 2026-07-06T00:00:00+02:00');

  let history: History | undefined;
  if (o.history === undefined) bad('--history', undefined, 'must name a CSV or Prometheus JSON history file');
  else {
    try {
      history = readHistoryFiles([o.history]);
    } catch (e) {
      if (!(e instanceof HistoryError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (history && until !== undefined) {
    const before = sliceHistory(history, history.start, until);
    const days = (before.perMinute.length * before.stepMs) / DAY_MS;
    if (days < 1) {
      bad('--until', o.until, `leaves ${days.toFixed(2)} days of history before it; the forecast needs at least 1 (ideally 2+ weeks)`);
    } else history = before;
  }
  if (problems.length > 0 || !history || until === undefined) {
    for (const p of problems) err(`forecast: ${p}\n`);
    return 2;
  }

  // Loaded here: the floors' backtest runs the HPA simulator, which reads the platform's scaling behaviour (cdk8s).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { safeFloors } = require('./do-no-harm') as typeof import('./do-no-harm');
  const f = safeFloors(history, { until, perReplica, target, min, max });
  const offset = offsetOf(o.until ?? '');
  if (o.format === 'json') {
    out(
      JSON.stringify({ floors: f.floors.map((x) => ({ from: iso(x.from, offset), to: iso(x.to, offset), minReplicas: x.minReplicas })) }) +
        '\n',
    );
  } else {
    out(
      renderTable(
        f,
        offset,
        `perfstack forecast: ${o.history}, 7 days from ${o.until}, ${perReplica} req/min per replica at ${target * 100}%, ${min}-${max} replicas`,
      ),
    );
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
