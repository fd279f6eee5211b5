#!/usr/bin/env node
/**
 * `npm run report -- (--prometheus URL | --export FILES...) --from ISO --to ISO [--env prod] [--config FILE]
 *   [--out reports/performance.html]`
 *
 * The performance report for people who do not read PromQL: one self-contained HTML page (reporting/report-html.ts)
 * with each service's SLO attainment and error budget, latency against its objective, traffic, scaling activity
 * (the scaling audit), incidents, the environment's cost per month (planning/cost/price-environment.ts) and its capacity outlook
 * (planning/capacity/monthly-projection.ts). Exit 0: written; 2: bad input, one line, nothing written.
 */
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { OutputError, reportPath, writeOutput } from '../cli/output';
import { RecordsError, parseRange, sourceOf } from './records';
import { buildReport } from './report-build';
import { ReportInput, renderReport } from './report-html';

export async function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): Promise<number> {
  const program = new Command()
    .name('report')
    .option('--prometheus <url>', 'Prometheus base URL, e.g. http://localhost:9090')
    .option('--export <paths...>', "the metrics export's files or folders (<service>.records.<day>.json) instead of Prometheus")
    .requiredOption('--from <time>', 'ISO-8601 time with an offset, e.g. 2026-12-01T00:00Z')
    .requiredOption('--to <time>', 'ISO-8601 time with an offset, after --from')
    .option('-e, --env <name>', 'environment whose objectives and cost the report uses (stacks/environments.ts)', 'prod')
    .option('-c, --config <file>', 'stack config with the price table (default: Pulumi.<env>.yaml)')
    .option('-o, --out <file>', 'the HTML file (missing folders are created)', reportPath('performance.html'));
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const opts = program.opts<{
    prometheus?: string;
    export?: string[];
    from: string;
    to: string;
    env: string;
    config?: string;
    out: string;
  }>();
  const fail = (line: string) => {
    err(`report: ${line}\n`);
    return 2;
  };
  // Loaded after the arguments: it synthesizes environments, which --help does not need.
  const { ENVIRONMENTS, reportContext } = await import('./report-environment');
  const env = ENVIRONMENTS[opts.env];
  if (!env) return fail(`'--env' (${JSON.stringify(opts.env)}) is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')}`);
  let html: string;
  let input: ReportInput;
  try {
    const range = parseRange(opts.from, opts.to);
    input = await buildReport(sourceOf(opts), reportContext(env, opts.config ?? `Pulumi.${env.name}.yaml`), range);
    html = renderReport(input);
  } catch (e) {
    if (e instanceof RecordsError) return fail(e.problems[0]);
    throw e;
  }
  try {
    writeOutput(opts.out, html);
  } catch (e) {
    if (e instanceof OutputError) return fail(e.message);
    throw e;
  }
  out(`report: wrote ${opts.out} (${input.services.map((s) => s.service).join(', ')}; ${Math.round(html.length / 1024)} KiB)\n`);
  return 0;
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
