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
import { SCALING_RECORDS, SERVICE_RECORDS } from '../constructs/observability/performance-record-names';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { OutputError, reportPath, writeOutput } from '../cli/output';
import { projectionSvg } from '../planning/capacity/projection-plot';
import { History } from '../planning/shared/history';
import { MatrixSeries } from '../planning/shared/prometheus-export';
import { MIN_LEVEL_DAYS, bandAt, projectMonthly } from '../planning/capacity/monthly-projection';
import { dailyPeaks } from '../planning/capacity/projection-backtest';
import type { Environment } from '../stacks/environment';
import { Points } from './findings';
import { Range, RecordSource, RecordsError, parseRange } from './records';
import { Panel, ReportInput, ServiceData, renderReport } from './report-html';
import { AUDIT_STEP_S, auditService, sourceOf } from './scaling-audit-cli';

/** Points a chart draws at most: a week at 15 minutes. */
const CHART_POINTS = 700;

const pointsOf = (series: readonly MatrixSeries[], name: string, labels: Record<string, string> = {}): Points =>
  series.find((s) => s.metric.__name__ === name && Object.entries(labels).every(([k, v]) => s.metric[k] === v))?.samples ?? [];

/** The replica count as steps: its first value and every change (exact, and small however long the range). */
const changesOnly = (ps: Points): Points => ps.filter((p, i) => i === 0 || i === ps.length - 1 || p[1] !== ps[i - 1][1]);

/** One service's series over the range, or undefined when it has no records there. */
async function serviceData(source: RecordSource, env: Environment, service: string, range: Range): Promise<ServiceData | undefined> {
  const step = Math.max(60, Math.ceil((range.to - range.from) / 1000 / CHART_POINTS / 60) * 60);
  const series = await source.query(
    `${SERVICE_RECORDS.requests}|${SERVICE_RECORDS.latency}|slo:sli_error:ratio_rate5m`,
    { service },
    range,
    step,
  );
  const requests = pointsOf(series, SERVICE_RECORDS.requests);
  if (requests.length < 2) return undefined;
  const scaling = await source.query(SCALING_RECORDS.current, { service }, range, AUDIT_STEP_S);
  const replicas = changesOnly(pointsOf(scaling, SCALING_RECORDS.current));
  const decisions = replicas.length > 0 ? await auditService({ source, service, ...range }) : [];
  return {
    service,
    objectives: (await import('./report-environment')).objectivesOf(env, service),
    requests,
    latency: pointsOf(series, SERVICE_RECORDS.latency),
    errorRatio: pointsOf(series, 'slo:sli_error:ratio_rate5m', { slo: 'availability' }),
    replicas,
    decisions,
  };
}

/** The projection of all services' peak traffic six months past the report, from up to 12 weeks of history. */
async function outlookOf(source: RecordSource, env: Environment, range: Range): Promise<Panel> {
  const title = 'Capacity outlook';
  const history = { from: range.to - 84 * 86_400_000, to: range.to };
  const series = await source.query(SERVICE_RECORDS.requests, { namespace: env.namespace }, history, 300);
  const total = new Map<number, number>();
  for (const s of series) for (const [t, v] of s.samples) total.set(t, (total.get(t) ?? 0) + v * 60);
  const ts = [...total.keys()].sort((a, b) => a - b);
  if (ts.length < 2) return { title, sentence: 'No traffic history to project.' };
  const h: History = {
    start: ts[0],
    stepMs: 300_000,
    perMinute: new Float64Array(Math.round((ts[ts.length - 1] - ts[0]) / 300_000) + 1).fill(NaN),
  };
  for (const t of ts) h.perMinute[Math.round((t - ts[0]) / 300_000)] = total.get(t)!;
  const peaks = dailyPeaks(h);
  const days = peaks.values.filter((v) => v > 0).length;
  if (days < MIN_LEVEL_DAYS)
    return { title, sentence: `Not enough history for a projection yet: ${days} day(s) with traffic, ${MIN_LEVEL_DAYS} needed.` };
  const months = 6;
  const model = projectMonthly(peaks, months);
  const at = (t: number) => bandAt(model, t);
  const until = model.from + months * 30.44 * 86_400_000;
  const band = at(until);
  const now = at(model.from).median;
  const change = Math.round((band.median / now - 1) * 100);
  const caveat =
    model.tooShort.length > 0
      ? ` The history is short for ${model.tooShort.length} of the ${months} months: the bands are widened, not a trend.`
      : '';
  return {
    title,
    svg: projectionSvg({
      title: `${env.name}: peak traffic of all services, projected ${months} months`,
      history: [...peaks.values].flatMap((peak, d) => (peak > 0 ? [{ t: peaks.start + d * 86_400_000, peak }] : [])),
      model: { at },
      until,
    }),
    sentence:
      `From the last ${days} days (${change >= 0 ? '+' : ''}${change}% by then), ` +
      `peak traffic reaches about ${Math.round(band.median)} requests per minute by ${new Date(until).toISOString().slice(0, 10)} ` +
      `(80% likely between ${Math.round(band.lo80)} and ${Math.round(band.hi80)}); \`npm run capacity\` turns this into replicas and nodes.${caveat}`,
  };
}

export async function buildReport(source: RecordSource, env: Environment, range: Range, configFile: string): Promise<ReportInput> {
  const services: ServiceData[] = [];
  for (const s of env.services) {
    const d = await serviceData(source, env, s.name, range);
    if (d) services.push(d);
  }
  if (services.length === 0)
    throw new RecordsError([
      `${source.name}: no service of ${env.name} has records between ${new Date(range.from).toISOString()} and ${new Date(range.to).toISOString()}; is the range right, and does Prometheus load the performance-records rules?`,
    ]);
  return {
    title: `${env.name} performance report`,
    from: range.from,
    to: range.to,
    services,
    cost: (await import('./report-environment')).costOf(env, configFile),
    outlook: await outlookOf(source, env, range),
  };
}

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
  const { ENVIRONMENTS } = await import('./report-environment');
  const env = ENVIRONMENTS[opts.env];
  if (!env) return fail(`'--env' (${JSON.stringify(opts.env)}) is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')}`);
  let html: string;
  let input: ReportInput;
  try {
    const range = parseRange(opts.from, opts.to);
    input = await buildReport(sourceOf(opts), env, range, opts.config ?? `Pulumi.${env.name}.yaml`);
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
