#!/usr/bin/env node
/**
 * `npm run scaling-audit -- (--prometheus URL | --export FILES...) (--service NAME | --nodes) --from ISO --to ISO
 *   [--format table|json|csv] [--output FILE]`
 *
 * One line per replica change of a service with its reason (reporting/scaling-decisions.ts), or with `--nodes` per
 * node change of the cluster's autoscaler with its reason (reporting/node-changes.ts), read from the recorded series
 * of a live Prometheus or from the metrics export's files. Exit 0: listed (none is a valid answer for a range with
 * records); 2: bad input, one line, nothing written.
 */
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { OutputError, writeOutput } from '../cli/output';
import { RecordsError, parseRange, sourceOf } from './records';
import { NodeChange, describeNodeChange } from './node-changes';
import { auditNodes } from './node-audit';
import { ScalingDecision, describeDecision } from './scaling-decisions';
import { auditService } from './service-audit';

const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
const csvCell = (v: unknown) => (v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
/** A list in the three formats: json objects, csv with a header and the sentence last, table lines and a summary. */
interface Listing<T extends { readonly t: number }> {
  readonly columns: readonly string[];
  /** The csv cells after `time`, in `columns` order. */
  readonly cells: (row: T) => readonly unknown[];
  /** The sentence: the json field and csv column named `sentence`, and the table's text. */
  readonly sentence: string;
  readonly describe: (row: T) => string;
  readonly line: (row: T) => string;
  readonly summary: string;
}

function formatList<T extends { readonly t: number }>(rows: readonly T[], format: string, l: Listing<T>): string {
  if (format === 'json')
    return (
      JSON.stringify(
        rows.map((r) => ({ ...r, time: iso(r.t), [l.sentence]: l.describe(r) })),
        null,
        2,
      ) + '\n'
    );
  if (format === 'csv')
    return (
      [
        ['time', ...l.columns, l.sentence].join(','),
        ...rows.map((r) => [iso(r.t), ...l.cells(r), l.describe(r)].map(csvCell).join(',')),
      ].join('\n') + '\n'
    );
  return rows.map((r) => `${iso(r.t)}  ${l.line(r)}`).join('\n') + `${rows.length > 0 ? '\n' : ''}${l.summary}\n`;
}

const COLUMNS = ['service', 'from', 'to', 'cause', 'metric', 'value', 'target', 'proposed', 'limit'] as const;

export function formatDecisions(decisions: readonly ScalingDecision[], format: string): string {
  const ups = decisions.filter((d) => d.to > d.from).length;
  return formatList(decisions, format, {
    columns: COLUMNS,
    cells: (d) => COLUMNS.map((c) => d[c]),
    sentence: 'reason',
    describe: describeDecision,
    line: (d) => `${d.service}  ${describeDecision(d)}`,
    summary: `${decisions.length} replica changes (${ups} up, ${decisions.length - ups} down)`,
  });
}

export function formatNodeChanges(changes: readonly NodeChange[], format: string): string {
  const count = (change: NodeChange['change']) => changes.filter((c) => c.change === change).reduce((n, c) => n + c.count, 0);
  return formatList(changes, format, {
    columns: ['autoscaler', 'change', 'count', 'reason', 'nodepool', 'capacity_type'],
    cells: (c) => [c.autoscaler, c.change, c.count, c.reason, c.nodepool, c.capacityType],
    sentence: 'description',
    describe: describeNodeChange,
    line: describeNodeChange,
    summary: `${changes.length} node changes (${count('added')} nodes added, ${count('removed')} removed)`,
  });
}

/** `--prometheus` or `--export`, exactly one. */
export async function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): Promise<number> {
  const program = new Command()
    .name('scaling-audit')
    .option('--prometheus <url>', 'Prometheus base URL, e.g. http://localhost:9090')
    .option('--export <paths...>', "the metrics export's files or folders (<service>.records.<day>.json) instead of Prometheus")
    .option('--service <name>', 'the service, as its HPA / ScaledObject is named')
    .option('--nodes', "the cluster's node changes (Karpenter or the cluster autoscaler) instead of a service's replica changes")
    .requiredOption('--from <time>', 'ISO-8601 time with an offset, e.g. 2026-12-01T00:00Z')
    .requiredOption('--to <time>', 'ISO-8601 time with an offset, after --from')
    .option('-f, --format <format>', 'table, json or csv', 'table')
    .option('-o, --output <file>', 'write the list to a file instead of stdout (missing folders are created)');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const opts = program.opts<{
    prometheus?: string;
    export?: string[];
    service?: string;
    nodes?: boolean;
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
    if ((opts.service === undefined) === !opts.nodes)
      throw new RecordsError(["give '--service NAME' (its replica changes) or '--nodes' (the cluster's node changes), one of them"]);
    const range = parseRange(opts.from, opts.to);
    if (opts.nodes) {
      const changes = await auditNodes(sourceOf(opts), range.from, range.to);
      text = formatNodeChanges(changes, opts.format);
      count = changes.length;
    } else {
      // Loaded here: the simulator's module brings cdk8s, which --help does not need.
      const { PLATFORM_BEHAVIOR } = await import('../planning/forecast/hpa-sim');
      const decisions = await auditService({
        source: sourceOf(opts),
        service: opts.service!,
        ...range,
        scaleDownWindowS: PLATFORM_BEHAVIOR.scaleDown.windowS,
      });
      text = formatDecisions(decisions, opts.format);
      count = decisions.length;
    }
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
  out(
    `scaling-audit: wrote ${count} ${opts.nodes ? 'node changes of the cluster' : `replica changes of ${opts.service}`} to ${opts.output}\n`,
  );
  return 0;
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
