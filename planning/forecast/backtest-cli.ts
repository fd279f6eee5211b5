#!/usr/bin/env node
/**
 * `npm run forecast:backtest -- [--history <files...>] [--per-replica 15] [--target 0.7] [--min 2] [--max 20]
 * [--min-train-days 14] [--max-triggers 40] [--format text|json]`
 *
 * Replays each week of each history (each learnt only from what came before) through the HPA simulator, reactive
 * alone and with the floors `npm run forecast` publishes (planning/forecast/do-no-harm.ts: kept only where a
 * backtest on the weeks before said they pay), and reports under-provisioned minutes, replica-hours, their ratios
 * against the targets (every week: <= 1.10x reactive's replica-hours; <= 10% of its under-provisioned minutes where
 * it has 30 or more, never more than it) and the verdict behind each week's floors. Default histories: NASA July
 * and August 1995 (with its outage) in planning/fixtures/traces. Exit 0: printed; 2: bad input.
 */
import * as path from 'path';
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../../cli/args';
import { DEFAULT_MAX_TRIGGERS } from '../../constructs/workload/forecast-floors';
import type { WeekResult } from './backtest';
import { trace } from '../shared/fixtures';
import { DEFAULT_MIN_TRAIN_DAYS } from './forecast';
import { History, HistoryError, readHistoryFiles } from '../shared/history';

export const DEFAULT_TRACE = trace('nasa-http-1995-07-per-minute.csv.gz');
/** NASA August 1-24 1995, with the outage of August 1-3 marked: floors must not learn it as demand. */
export const OUTAGE_TRACE = trace('nasa-http-1995-08-01-to-24-per-minute.csv.gz');

/**
 * The targets for every test week (DESIGN.md): replica-hours at most 1.10x reactive's; under-provisioned minutes
 * at most 10% of reactive's where it has 30 or more, and never more than reactive's.
 */
export const TARGETS = { underRatio: 0.1, replicaHoursRatio: 1.1, underCountedFrom: 30 } as const;

/** Whether a week meets the targets: `n/a` for the under-provisioning ratio where reactive had under 30 minutes. */
export function weekTargets(w: WeekResult): { hours: boolean; under: boolean | 'n/a'; neverWorse: boolean } {
  const r = w.reactive.underProvisionedMinutes;
  return {
    hours: w.replicaHoursRatio <= TARGETS.replicaHoursRatio,
    under: r >= TARGETS.underCountedFrom ? w.underRatio <= TARGETS.underRatio : 'n/a',
    neverWorse: w.withFloors.underProvisionedMinutes <= r,
  };
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

export function renderBacktest(weeks: readonly WeekResult[], header: string, maxTriggers = 40): string {
  const rows = [
    [
      'test week (UTC)',
      'trained',
      'under-prov. min',
      'ratio',
      'replica-hours',
      'ratio',
      'floors',
      'as deployed: triggers',
      'under',
      'hours',
      'targets (hours / under / never worse)',
    ],
    ...weeks.map((w) => [
      `${day(w.from)} .. ${day(w.to)}`,
      `${w.trainDays.toFixed(0)} d`,
      `${w.reactive.underProvisionedMinutes.toFixed(1)} -> ${w.withFloors.underProvisionedMinutes.toFixed(1)}`,
      w.underRatio.toFixed(3),
      `${w.reactive.replicaHours.toFixed(1)} -> ${w.withFloors.replicaHours.toFixed(1)}`,
      w.replicaHoursRatio.toFixed(3),
      String(w.floorCount),
      String(w.deployed.triggers),
      w.deployed.underRatio.toFixed(3),
      w.deployed.replicaHoursRatio.toFixed(3),
      (({ hours, under, neverWorse }) => [hours, under, neverWorse].map((v) => (v === 'n/a' ? 'n/a' : v ? 'met' : 'MISSED')).join(' / '))(
        weekTargets(w),
      ),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
  return [
    header,
    `(reactive -> with the published floors; ratios to reactive; as deployed: the floors rendered as at most ${maxTriggers} KEDA cron triggers;`,
    ` targets: replica-hours <= ${TARGETS.replicaHoursRatio}x, under-provisioned minutes <= ${TARGETS.underRatio * 100}% where reactive has >= ${TARGETS.underCountedFrom}, never more)`,
    '',
    table,
    '',
    'verdicts (the backtest on the weeks before each test week that decided its floors):',
    ...weeks.map((w) => `  ${day(w.from)}: ${w.verdict.decision === 'reactive' ? 'REACTIVE ONLY' : 'floors'}: ${w.verdict.reason}`),
    '',
  ].join('\n');
}

/**
 * The defaults replay prod's api-gateway: its replica bounds and CPU target. Loaded after the arguments parse:
 * the environments pull in cdk8s, and `--help` answers without it.
 */
function gateway(): { target: number; min: number; max: number } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { prod } = require('../../stacks/prod') as typeof import('../../stacks/prod');
  const { cpuTargetOf } = require('../../constructs/workload/scaling-metric') as typeof import('../../constructs/workload/scaling-metric');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const spec = prod.services.find((s) => s.name === 'api-gateway')!;
  return { target: cpuTargetOf(spec.metrics)!, min: spec.replicas.min, max: spec.replicas.max };
}

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('forecast:backtest')
    .option('--history <files...>', 'request-rate histories, each backtested on its own (CSV or Prometheus JSON, .gz allowed)', [
      DEFAULT_TRACE,
      OUTAGE_TRACE,
    ])
    .option('--per-replica <n>', 'requests per minute one replica serves at 100% utilization', '15')
    .option('--target <0-1>', "HPA utilization target (default: prod's api-gateway)")
    .option('--min <n>', "fewest replicas (default: prod's api-gateway)")
    .option('--max <n>', "most replicas (default: prod's api-gateway)")
    .option('--min-train-days <n>', 'history a test week needs before it', String(DEFAULT_MIN_TRAIN_DAYS))
    .option('--max-triggers <n>', 'cron triggers the deployed floors may take', String(DEFAULT_MAX_TRIGGERS))
    .option('--format <format>', 'text or json', 'text');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const o = program.opts<
    Record<'perReplica' | 'minTrainDays' | 'maxTriggers' | 'format', string> &
      Partial<Record<'target' | 'min' | 'max', string>> & { history: string[] }
  >();
  const defaults = o.target === undefined || o.min === undefined || o.max === undefined ? gateway() : undefined;
  const problems: string[] = [];
  const num = (flag: string, text: string, ok: (n: number) => boolean, fix: string) => {
    const n = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
    if (!ok(n)) problems.push(`'${flag}' (${JSON.stringify(text)}) ${fix}`);
    return n;
  };
  const perReplica = num('--per-replica', o.perReplica, (n) => n > 0, 'must be a number of requests per minute > 0');
  const target = num(
    '--target',
    o.target ?? String(defaults!.target),
    (n) => n > 0 && n <= 1,
    'must be a utilization between 0 (exclusive) and 1',
  );
  const min = num('--min', o.min ?? String(defaults!.min), (n) => Number.isInteger(n) && n >= 1, 'must be a whole number >= 1');
  const max = num('--max', o.max ?? String(defaults!.max), (n) => Number.isInteger(n) && n >= 1, 'must be a whole number >= 1');
  const minTrainDays = num('--min-train-days', o.minTrainDays, (n) => n >= 7, 'must be at least 7 (a week of history)');
  const maxTriggers = num('--max-triggers', o.maxTriggers, (n) => Number.isInteger(n) && n >= 2, 'must be a whole number >= 2');
  if (min > max) problems.push(`'--min' (${JSON.stringify(o.min ?? String(min))}) must be <= '--max' (${max})`);
  if (!['text', 'json'].includes(o.format)) problems.push(`'--format' (${JSON.stringify(o.format)}) must be text or json`);
  const histories: { file: string; history: History }[] = [];
  for (const file of o.history) {
    try {
      histories.push({ file, history: readHistoryFiles([file]) });
    } catch (e) {
      if (!(e instanceof HistoryError)) throw e;
      problems.push(...e.problems);
    }
  }
  // Loaded here: the replay runs the HPA simulator, which reads the platform's scaling behaviour (cdk8s).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { backtest } = require('./backtest') as typeof import('./backtest');
  const results =
    problems.length === 0
      ? histories.map(({ file, history }) => ({
          file,
          weeks: backtest(history, { perReplica, target, min, max, minTrainDays, maxTriggers }),
        }))
      : [];
  for (const r of results)
    if (r.weeks.length === 0)
      problems.push(`'--history' (${JSON.stringify(r.file)}) needs at least ${minTrainDays} days of history plus a test day`);
  if (problems.length > 0) {
    for (const p of problems) err(`forecast:backtest: ${p}\n`);
    return 2;
  }
  if (o.format === 'json') {
    out(JSON.stringify({ targets: TARGETS, histories: results }, null, 2) + '\n');
    return 0;
  }
  const texts = results.map(({ file, weeks }) =>
    renderBacktest(
      weeks,
      `perfstack forecast:backtest: ${path.relative(process.cwd(), file) || file}, ${perReplica} req/min per replica at ${target * 100}%, ${min}-${max} replicas`,
      maxTriggers,
    ),
  );
  out(texts.join('\n'));
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
