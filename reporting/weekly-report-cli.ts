#!/usr/bin/env node
/**
 * `node weekly-report.js --context FILE --prometheus URL --out-dir DIR [--days 7] [--to ISO] [--keep 8]`
 *
 * The weekly performance report, in the cluster (constructs/observability/weekly-report.ts runs it as a CronJob on
 * the Node.js image, bundled at synth): the same page as `npm run report`, for the `--days` before `--to` (default:
 * today 00:00 UTC), written to `DIR/report-<from>-<to>.html` beside the metrics export, the oldest beyond `--keep`
 * deleted. What `npm run report` reads from the environments (objectives, cost, the scale-down window) comes from
 * the context file fixed at synth, so this program bundles without cdk8s or the stacks.
 * Exit 0: written; 2: bad input, one line, nothing written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import type { ReportContext } from '../constructs/observability/report-context';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { OutputError, writeOutput } from '../cli/output';
import { RecordsError, parseRange, prometheusSource } from './records';
import { buildReport } from './report-build';
import { renderReport } from './report-html';

const DAY_MS = 86_400_000;
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/** The context file, or a RecordsError naming the file and what is wrong with it. */
export function readContext(file: string): ReportContext {
  let ctx: ReportContext;
  try {
    ctx = JSON.parse(fs.readFileSync(file, 'utf8')) as ReportContext;
  } catch (e) {
    throw new RecordsError([`'--context' (${file}) is not a readable JSON file: ${(e as Error).message.split('\n')[0]}`]);
  }
  const ok =
    typeof ctx?.env === 'string' &&
    typeof ctx.namespace === 'string' &&
    finite(ctx.scaleDownWindowS) &&
    typeof ctx.cost?.sentence === 'string' &&
    Array.isArray(ctx.services) &&
    ctx.services.length > 0 &&
    ctx.services.every(
      (s) =>
        typeof s?.name === 'string' &&
        finite(s.objectives?.availability) &&
        finite(s.objectives.latencyQuantile) &&
        finite(s.objectives.latencyThresholdS),
    );
  if (!ok)
    throw new RecordsError([
      `'--context' (${file}) is not a report context (env, namespace, services with objectives, cost, scaleDownWindowS); it is written at synth by constructs/observability/weekly-report.ts`,
    ]);
  return ctx;
}

/** The reports in `dir` beyond the newest `keep`, oldest first (the names sort by date). */
export function expiredReports(dir: string, keep: number): string[] {
  const reports = fs
    .readdirSync(dir)
    .filter((f) => /^report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.html$/.test(f))
    .sort();
  return reports.slice(0, Math.max(0, reports.length - keep));
}

export async function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): Promise<number> {
  const program = new Command()
    .name('weekly-report')
    .requiredOption('--context <file>', 'the report context written at synth (objectives, cost, scale-down window)')
    .requiredOption('--prometheus <url>', 'Prometheus base URL, e.g. http://prometheus-operated.monitoring.svc:9090')
    .requiredOption('--out-dir <dir>', 'the folder the report is written to (the metrics export volume)')
    .option('--days <n>', 'days the report covers, ending at --to', '7')
    .option('--to <time>', 'ISO-8601 end of the report (default: today 00:00 UTC)')
    .option('--keep <n>', 'reports kept in --out-dir; older ones are deleted', '8');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const opts = program.opts<{ context: string; prometheus: string; outDir: string; days: string; to?: string; keep: string }>();
  const fail = (line: string) => {
    err(`weekly-report: ${line}\n`);
    return 2;
  };
  const days = Number(opts.days);
  const keep = Number(opts.keep);
  if (!Number.isInteger(days) || days < 1)
    return fail(`'--days' (${JSON.stringify(opts.days)}) must be a whole number of days, at least 1`);
  if (!Number.isInteger(keep) || keep < 1)
    return fail(`'--keep' (${JSON.stringify(opts.keep)}) must be a whole number of reports, at least 1`);
  const to = opts.to ?? `${day(Date.now())}T00:00Z`;
  let file: string;
  let html: string;
  try {
    const end = parseRange('1970-01-01T00:00Z', to).to;
    const range = parseRange(new Date(end - days * DAY_MS).toISOString(), new Date(end).toISOString());
    const input = await buildReport(prometheusSource(opts.prometheus), readContext(opts.context), range);
    html = renderReport(input);
    file = path.join(opts.outDir, `report-${day(range.from)}-${day(range.to)}.html`);
  } catch (e) {
    if (e instanceof RecordsError) return fail(e.problems[0]);
    throw e;
  }
  try {
    writeOutput(file, html, '--out-dir');
  } catch (e) {
    if (e instanceof OutputError) return fail(e.message);
    throw e;
  }
  for (const old of expiredReports(opts.outDir, keep)) fs.rmSync(path.join(opts.outDir, old), { force: true });
  out(`weekly-report: wrote ${file} (${Math.round(html.length / 1024)} KiB)\n`);
  return 0;
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
