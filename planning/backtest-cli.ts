#!/usr/bin/env node
/**
 * `npm run forecast:backtest -- [--history <file>] [--per-replica 15] [--target 0.7] [--min 2] [--max 20]
 * [--min-train-days 14] [--max-triggers 40] [--format text|json]`
 *
 * Replays each week of a history (the last one held out, each learnt only from what came before) through the HPA
 * simulator, reactive alone and with forecast floors, and reports under-provisioned minutes, replica-hours and
 * their ratios against the targets (<= 10% of reactive's under-provisioned minutes, <= 1.10x its replica-hours).
 * Default history: the NASA July 1995 trace in planning/fixtures/traces. Exit 0: printed; 2: bad input.
 */
import * as path from 'path';
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { DEFAULT_MAX_TRIGGERS } from '../constructs/workload/forecast-floors';
import { cpuTargetOf } from '../constructs/workload/scaling-metric';
import { prod } from '../stacks/prod';
import { DEFAULT_MIN_TRAIN_DAYS, WeekResult, backtest } from './backtest';
import { History, HistoryError, readHistoryFiles } from './history';

export const DEFAULT_TRACE = path.join(__dirname, 'fixtures/traces/nasa-http-1995-07-per-minute.csv.gz');

/** The targets for the held-out week. */
export const TARGETS = { underRatio: 0.1, replicaHoursRatio: 1.1 } as const;

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
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
  const held = weeks[weeks.length - 1];
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  return [
    header,
    `(reactive -> with forecast floors; ratios to reactive; as deployed: the floors rendered as at most ${maxTriggers} KEDA cron triggers)`,
    '',
    table,
    '',
    `held-out week: under-provisioned minutes ${(held.underRatio * 100).toFixed(2)}% of reactive ` +
      `(target <= ${TARGETS.underRatio * 100}%: ${verdict(held.underRatio <= TARGETS.underRatio)}), ` +
      `replica-hours ${held.replicaHoursRatio.toFixed(3)}x reactive ` +
      `(target <= ${TARGETS.replicaHoursRatio}x: ${verdict(held.replicaHoursRatio <= TARGETS.replicaHoursRatio)})`,
    '',
  ].join('\n');
}

/** The defaults replay prod's api-gateway: its replica bounds and CPU target. */
const GATEWAY = prod.services.find((s) => s.name === 'api-gateway')!;
const GATEWAY_TARGET = cpuTargetOf(GATEWAY.metrics)!;

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('forecast:backtest')
    .option('--history <file>', 'request-rate history (CSV or Prometheus JSON, .gz allowed)', DEFAULT_TRACE)
    .option('--per-replica <n>', 'requests per minute one replica serves at 100% utilization', '15')
    .option('--target <0-1>', "HPA utilization target (default: prod's api-gateway)", String(GATEWAY_TARGET))
    .option('--min <n>', "fewest replicas (default: prod's api-gateway)", String(GATEWAY.replicas.min))
    .option('--max <n>', "most replicas (default: prod's api-gateway)", String(GATEWAY.replicas.max))
    .option('--min-train-days <n>', 'history a test week needs before it', String(DEFAULT_MIN_TRAIN_DAYS))
    .option('--max-triggers <n>', 'cron triggers the deployed floors may take', String(DEFAULT_MAX_TRIGGERS))
    .option('--format <format>', 'text or json', 'text');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const o = program.opts<Record<'history' | 'perReplica' | 'target' | 'min' | 'max' | 'minTrainDays' | 'maxTriggers' | 'format', string>>();
  const problems: string[] = [];
  const num = (flag: string, text: string, ok: (n: number) => boolean, fix: string) => {
    const n = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
    if (!ok(n)) problems.push(`'${flag}' (${JSON.stringify(text)}) ${fix}`);
    return n;
  };
  const perReplica = num('--per-replica', o.perReplica, (n) => n > 0, 'must be a number of requests per minute > 0');
  const target = num('--target', o.target, (n) => n > 0 && n <= 1, 'must be a utilization between 0 (exclusive) and 1');
  const min = num('--min', o.min, (n) => Number.isInteger(n) && n >= 1, 'must be a whole number >= 1');
  const max = num('--max', o.max, (n) => Number.isInteger(n) && n >= 1, 'must be a whole number >= 1');
  const minTrainDays = num('--min-train-days', o.minTrainDays, (n) => n >= 7, 'must be at least 7 (a week of history)');
  const maxTriggers = num('--max-triggers', o.maxTriggers, (n) => Number.isInteger(n) && n >= 2, 'must be a whole number >= 2');
  if (min > max) problems.push(`'--min' (${JSON.stringify(o.min)}) must be <= '--max' (${max})`);
  if (!['text', 'json'].includes(o.format)) problems.push(`'--format' (${JSON.stringify(o.format)}) must be text or json`);
  let history: History | undefined;
  try {
    history = readHistoryFiles([o.history]);
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    problems.push(...e.problems);
  }
  const weeks = history && problems.length === 0 ? backtest(history, { perReplica, target, min, max, minTrainDays, maxTriggers }) : [];
  if (history && problems.length === 0 && weeks.length === 0) {
    problems.push(`'--history' (${JSON.stringify(o.history)}) needs at least ${minTrainDays} days of history plus a test day`);
  }
  if (problems.length > 0) {
    for (const p of problems) err(`forecast:backtest: ${p}\n`);
    return 2;
  }
  if (o.format === 'json') out(JSON.stringify({ targets: TARGETS, weeks }, null, 2) + '\n');
  else {
    const shown = path.relative(process.cwd(), o.history) || o.history;
    out(
      renderBacktest(
        weeks,
        `perfstack forecast:backtest: ${shown}, ${perReplica} req/min per replica at ${target * 100}%, ${min}-${max} replicas`,
      ),
    );
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
