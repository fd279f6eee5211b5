#!/usr/bin/env node
/**
 * `npm run scaling-audit -- (--prometheus URL | --export FILES...) --service NAME --from ISO --to ISO
 *   [--format table|json|csv] [--output FILE]`
 *
 * One line per replica change of a service with its reason (reporting/scaling-decisions.ts), read from the recorded
 * series of a live Prometheus or from the metrics export's files. Exit 0: listed (none is a valid answer for a
 * range with records); 2: bad input, one line, nothing written.
 */
import { Command } from 'commander';
import { SCALING_RECORDS } from '../constructs/observability/performance-record-names';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { OutputError, writeOutput } from '../cli/output';
import { RecordSource, RecordsError, exportSource, parseRange, prometheusSource } from './records';
import { ScalingDecision, describeDecision, scalingDecisions } from './scaling-decisions';

/** The HPA syncs every 15 s: the records' resolution. */
export const AUDIT_STEP_S = 15;

export interface AuditInput {
  readonly source: RecordSource;
  readonly service: string;
  readonly from: number;
  readonly to: number;
  /** @default - the platform's scale-down stabilization window (300 s) */
  readonly scaleDownWindowS?: number;
}

/** Reads one service's records and lists its decisions; bad input (unknown service, no records) throws RecordsError. */
export async function auditService(i: AuditInput): Promise<ScalingDecision[]> {
  const range = { from: i.from, to: i.to };
  const series = await i.source.query('perfstack:scaling_.+', { service: i.service }, range, AUDIT_STEP_S);
  if (series.some((s) => s.metric.__name__ === SCALING_RECORDS.current)) {
    // Loaded here: the simulator's module brings cdk8s, which --help does not need.
    const { PLATFORM_BEHAVIOR } = await import('../planning/forecast/hpa-sim');
    const all = scalingDecisions(i.service, series, { scaleDownWindowS: i.scaleDownWindowS ?? PLATFORM_BEHAVIOR.scaleDown.windowS });
    return all.filter((d) => d.t >= i.from && d.t <= i.to);
  }
  const any = await i.source.query(SCALING_RECORDS.current, {}, range, 3600);
  const services = [...new Set(any.map((s) => s.metric.service))].sort();
  throw new RecordsError([
    services.length === 0
      ? `${i.source.name}: no scaling records between ${new Date(i.from).toISOString()} and ${new Date(i.to).toISOString()}; is the range right, and does Prometheus load the performance-records rules?`
      : `'--service' (${JSON.stringify(i.service)}) has no scaling records in that range; services with records: ${services.join(', ')}`,
  ]);
}

const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
const csvCell = (v: unknown) => (v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const COLUMNS = ['time', 'service', 'from', 'to', 'cause', 'metric', 'value', 'target', 'proposed', 'limit'] as const;

export function formatDecisions(decisions: readonly ScalingDecision[], format: string): string {
  if (format === 'json')
    return (
      JSON.stringify(
        decisions.map((d) => ({ ...d, time: iso(d.t), reason: describeDecision(d) })),
        null,
        2,
      ) + '\n'
    );
  if (format === 'csv')
    return (
      [
        [...COLUMNS, 'reason'].join(','),
        ...decisions.map((d) =>
          [iso(d.t), ...COLUMNS.slice(1).map((c) => d[c as keyof ScalingDecision]), describeDecision(d)].map(csvCell).join(','),
        ),
      ].join('\n') + '\n'
    );
  const ups = decisions.filter((d) => d.to > d.from).length;
  return (
    decisions.map((d) => `${iso(d.t)}  ${d.service}  ${describeDecision(d)}`).join('\n') +
    `${decisions.length > 0 ? '\n' : ''}${decisions.length} replica changes (${ups} up, ${decisions.length - ups} down)\n`
  );
}

/** `--prometheus` or `--export`, exactly one. */
export function sourceOf(opts: { prometheus?: string; export?: string[] }): RecordSource {
  if ((opts.prometheus === undefined) === (opts.export === undefined))
    throw new RecordsError(["give '--prometheus URL' or '--export FILES...' (the metrics export's files), one of them"]);
  return opts.prometheus !== undefined ? prometheusSource(opts.prometheus) : exportSource(opts.export!);
}

export async function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): Promise<number> {
  const program = new Command()
    .name('scaling-audit')
    .option('--prometheus <url>', 'Prometheus base URL, e.g. http://localhost:9090')
    .option('--export <paths...>', "the metrics export's files or folders (<service>.records.<day>.json) instead of Prometheus")
    .requiredOption('--service <name>', 'the service, as its HPA / ScaledObject is named')
    .requiredOption('--from <time>', 'ISO-8601 time with an offset, e.g. 2026-12-01T00:00Z')
    .requiredOption('--to <time>', 'ISO-8601 time with an offset, after --from')
    .option('-f, --format <format>', 'table, json or csv', 'table')
    .option('-o, --output <file>', 'write the list to a file instead of stdout (missing folders are created)');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const opts = program.opts<{
    prometheus?: string;
    export?: string[];
    service: string;
    from: string;
    to: string;
    format: string;
    output?: string;
  }>();
  const fail = (line: string) => {
    err(`scaling-audit: ${line}\n`);
    return 2;
  };
  if (!['table', 'json', 'csv'].includes(opts.format))
    return fail(`'--format' (${JSON.stringify(opts.format)}) must be table, json or csv`);
  let text: string;
  let count: number;
  try {
    const range = parseRange(opts.from, opts.to);
    const decisions = await auditService({ source: sourceOf(opts), service: opts.service, ...range });
    text = formatDecisions(decisions, opts.format);
    count = decisions.length;
  } catch (e) {
    if (e instanceof RecordsError) return fail(e.problems[0]);
    throw e;
  }
  if (!opts.output) {
    out(text);
    return 0;
  }
  try {
    writeOutput(opts.output, text);
  } catch (e) {
    if (e instanceof OutputError) return fail(e.message);
    throw e;
  }
  out(`scaling-audit: wrote ${count} replica changes of ${opts.service} to ${opts.output}\n`);
  return 0;
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
