#!/usr/bin/env node
/**
 * `npm run capacity:backtest -- [--history <files...>] [--column <name>] [--months 6] [--train-years 2]
 * [--step-days 30] [--format text|json]`
 *
 * How well `npm run capacity`'s projections held: for each history, from rolling origins (every `--step-days`,
 * the first `--train-years` after its start), a projection learnt from the history before the origin only, checked
 * against the actual monthly peaks 1-`--months` months later: the share inside the 80% band (target 70-90%) and the
 * 95% band (target >= 88%), and the median's median absolute error (target <= 10%). Default histories: the four
 * Wikipedia editions in planning/fixtures/traces (desktop page views per day, 2008-2015).
 * Exit 0: printed; 2: bad input.
 */
import * as path from 'path';
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../../cli/args';
import { trace } from '../shared/fixtures';
import { DAY_MS, HistoryError, readHistoryFiles } from '../shared/history';
import { ProjectionScore, dailyPeaks, scoreProjections } from './projection-backtest';

export const DEFAULT_HISTORIES = ['dewiki', 'frwiki', 'jawiki', 'eswiki'].map((w) => trace(`wikipedia-${w}-desktop-daily.csv.gz`));

/** The targets of DESIGN.md for projections on multi-year daily series, horizons 1-6 months. */
export const TARGETS = { in80: [0.7, 0.9], in95: 0.88, medianAbsError: 0.1 } as const;

const pct = (x: number) => (Number.isNaN(x) ? '-' : `${(x * 100).toFixed(0)}%`);

/** Which targets a score meets, as `met` / `MISSED` words. */
export function verdicts(s: ProjectionScore['all']): { in80: boolean; in95: boolean; medianAbsError: boolean } {
  return {
    in80: s.in80 >= TARGETS.in80[0] && s.in80 <= TARGETS.in80[1],
    in95: s.in95 >= TARGETS.in95,
    medianAbsError: s.medianAbsError <= TARGETS.medianAbsError,
  };
}

export function renderScores(results: readonly { file: string; score: ProjectionScore }[], header: string): string {
  const rows = [
    ['history', 'origins', 'peaks', 'in 80%', 'in 95%', 'above 80%', 'median error', 'by month ahead: in 80% / in 95% / median error'],
  ];
  for (const { file, score } of results) {
    rows.push([
      file,
      String(score.origins),
      String(score.all.count),
      pct(score.all.in80),
      pct(score.all.in95),
      pct(score.all.above80),
      pct(score.all.medianAbsError),
      score.byHorizon.map((h) => `${h.horizon}: ${pct(h.in80)}/${pct(h.in95)}/${pct(h.medianAbsError)}`).join('  '),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) =>
    r
      .map((c, i) => (i === 0 || i === 7 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd(),
  );
  const word = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const lines = results.map(({ file, score }) => {
    const v = verdicts(score.all);
    return (
      `${file}: 80% band ${pct(score.all.in80)} (target 70-90%: ${word(v.in80)}), 95% band ${pct(score.all.in95)} ` +
      `(target >= 88%: ${word(v.in95)}), median error ${pct(score.all.medianAbsError)} (target <= 10%: ${word(v.medianAbsError)})`
    );
  });
  return [header, '', ...table, '', ...lines, ''].join('\n');
}

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('capacity:backtest')
    .option(
      '--history <files...>',
      'request-rate histories, each backtested on its own (CSV or Prometheus JSON, .gz allowed)',
      DEFAULT_HISTORIES,
    )
    .option('--column <name>', 'CSV column holding the requests, by header name (default: the second column)')
    .option('--months <n>', 'months ahead to check', '6')
    .option('--train-years <n>', 'history before the first origin, in years', '2')
    .option('--step-days <n>', 'days between origins', '30')
    .option('--format <format>', 'text or json', 'text');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const o = program.opts<{ history: string[]; column?: string; months: string; trainYears: string; stepDays: string; format: string }>();
  const problems: string[] = [];
  const whole = (flag: string, text: string, lo: number, hi: number) => {
    const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
    if (!(n >= lo && n <= hi)) problems.push(`'${flag}' (${JSON.stringify(text)}) must be a whole number from ${lo} to ${hi}`);
    return n;
  };
  const months = whole('--months', o.months, 1, 24);
  const trainYears = whole('--train-years', o.trainYears, 0, 50);
  const stepDays = whole('--step-days', o.stepDays, 1, 365);
  if (!['text', 'json'].includes(o.format)) problems.push(`'--format' (${JSON.stringify(o.format)}) must be text or json`);
  const results: { file: string; score: ProjectionScore }[] = [];
  for (const file of o.history) {
    try {
      const peaks = dailyPeaks(readHistoryFiles([file], { column: o.column }));
      if (problems.length > 0) continue;
      const shown = path.relative(process.cwd(), file) || file;
      const score = scoreProjections(peaks, { months, firstOrigin: peaks.start + trainYears * 365.25 * DAY_MS, stepDays });
      if (score.all.count === 0)
        problems.push(
          `'--history' (${JSON.stringify(file)}) has no origin with ${trainYears} year(s) before it and ${months} month(s) after it`,
        );
      results.push({ file: shown, score });
    } catch (e) {
      if (!(e instanceof HistoryError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) {
    for (const p of problems) err(`capacity:backtest: ${p}\n`);
    return 2;
  }
  if (o.format === 'json') out(JSON.stringify({ targets: TARGETS, results }, null, 2) + '\n');
  else
    out(
      renderScores(
        results,
        `perfstack capacity:backtest: monthly peaks 1-${months} months ahead, from origins every ${stepDays} days after ${trainYears} year(s) of history, each projection learnt from the history before its origin`,
      ),
    );
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
