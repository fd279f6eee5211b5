#!/usr/bin/env node
/**
 * `npm run loadtest:compare -- summary.json baseline.json [--tolerance 10] [--junit results.xml] [--update-baseline]`
 *
 * Compares a k6 `--summary-export` file with a baseline (compare.ts): p95 and p99 latency, error rate and
 * throughput. A change for the worse above the tolerance is a regression: exit 1. Usage errors, missing or malformed
 * files, an output that cannot be written: exit 2. The JUnit report defaults to `reports/loadtest-results.xml`
 * (git-ignored).
 */
import * as fs from 'fs';
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { OutputError, reportPath, writeOutput } from '../cli/output';
import { SummaryError, compare, junit, readSummary, table } from './compare';

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('loadtest:compare')
    .argument('<summary>', 'k6 --summary-export of this run')
    .argument('<baseline>', 'k6 --summary-export of the accepted baseline')
    .option('-t, --tolerance <percent>', 'largest change for the worse that is not a regression', '10')
    .option('--junit <file>', 'write a JUnit report (missing folders are created)', reportPath('loadtest-results.xml'))
    .option('--update-baseline', 'accept this run as the new baseline');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const [summaryFile, baselineFile] = program.args;
  const opts = program.opts<{ tolerance: string; junit: string; updateBaseline?: boolean }>();
  const tolerance = Number(opts.tolerance);
  if (opts.tolerance.trim() === '' || !Number.isFinite(tolerance) || tolerance < 0) {
    err(`loadtest:compare: '--tolerance' (${JSON.stringify(opts.tolerance)}) must be a percentage >= 0\n`);
    return 2;
  }
  try {
    const current = readSummary(summaryFile);
    if (opts.updateBaseline) {
      writeOutput(baselineFile, fs.readFileSync(summaryFile), '<baseline>');
      out(
        `loadtest:compare: ${baselineFile} now holds this run (p95 ${current.p95Ms.toFixed(1)} ms, ${current.requestsPerSecond.toFixed(1)} req/s)\n`,
      );
      return 0;
    }
    const rows = compare(current, readSummary(baselineFile), tolerance);
    out(`${table(rows, tolerance)}\n`);
    writeOutput(opts.junit, junit(rows, tolerance), '--junit');
    const regressions = rows.filter((r) => r.regressed);
    out(
      regressions.length === 0
        ? 'loadtest:compare: no regression\n'
        : `loadtest:compare: ${regressions.length} regression(s): ${regressions.map((r) => r.metric).join(', ')}\n`,
    );
    return regressions.length === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof SummaryError || e instanceof OutputError) {
      err(
        `${e.message
          .split('\n')
          .map((l) => `loadtest:compare: ${l}`)
          .join('\n')}\n`,
      );
      return 2;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
