#!/usr/bin/env node
/**
 * `npm run policy -- <files or folders> [--format table|json|junit|sarif] [--output FILE]
 *   [--zones N] [--production | --no-production] [--registry HOST] [--require-digest]`
 *
 * Checks any Kubernetes YAML against perfstack's rules. The context (zones, production, air-gap registry) comes
 * from the `perfstack.io/*` annotations of the Namespaces among the objects, as the stacks synthesize them; the
 * flags override it. Exit 0: no error (warnings allowed); 1: errors; 2: usage or input that could not be read
 * (malformed YAML, a non-object document, a missing path, contradicting context annotations).
 */
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { OutputError, writeOutput } from '../cli/output';
import { declaredContext } from '../manifests/context';
import { evaluate } from './engine';
import { loadManifests, manifestFiles } from '../manifests/load';
import { formatJson, formatJunit, formatSarif, formatTable } from './report';

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('policy')
    .argument('<paths...>', 'YAML or JSON files, or folders of them')
    .option('-f, --format <format>', 'table, json, junit or sarif', 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout (missing folders are created)')
    .option('--zones <n>', "zones of the target cluster (default: the Namespace's perfstack.io/zones, else 1)")
    .option('--production', "apply the production rules (default: the Namespace's perfstack.io/production)")
    .option('--no-production', 'do not apply the production rules')
    .option('--registry <host>', "air-gapped: images must come from this registry (default: the Namespace's perfstack.io/registry)")
    .option('--require-digest', 'with a registry: images must be pinned by sha256 digest');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const opts = program.opts<{
    format: string;
    output?: string;
    zones?: string;
    production?: boolean;
    registry?: string;
    requireDigest?: boolean;
  }>();
  if (!['table', 'json', 'junit', 'sarif'].includes(opts.format)) {
    err(`policy: '--format' (${JSON.stringify(opts.format)}) must be table, json, junit or sarif\n`);
    return 2;
  }
  if (opts.zones !== undefined && !/^[1-9][0-9]*$/.test(opts.zones)) {
    err(`policy: '--zones' (${JSON.stringify(opts.zones)}) must be a whole number >= 1\n`);
    return 2;
  }
  let files: string[];
  try {
    files = manifestFiles(program.args);
  } catch (e) {
    for (const line of (e as Error).message.split('\n')) err(`policy: ${line}\n`);
    return 2;
  }
  const { items, problems } = loadManifests(files);
  const declared = declaredContext(items.map((i) => i.object));
  if (declared.problems.length > 0 && (opts.zones === undefined || opts.production === undefined || opts.registry === undefined)) {
    for (const p of declared.problems) err(`policy: ${p}\n`);
    return 2;
  }
  const report = evaluate(items, {
    zones: opts.zones !== undefined ? Number(opts.zones) : declared.context.zones,
    production: opts.production ?? declared.context.production,
    registry: opts.registry ?? declared.context.registry,
    requireDigest: opts.requireDigest,
  });
  const text =
    opts.format === 'json'
      ? formatJson(report, problems)
      : opts.format === 'junit'
        ? formatJunit(report)
        : opts.format === 'sarif'
          ? formatSarif(report, problems)
          : formatTable(report, problems);
  if (opts.output) {
    try {
      writeOutput(opts.output, text, '--output');
    } catch (e) {
      if (!(e instanceof OutputError)) throw e;
      err(`policy: ${e.message}\n`);
      return 2;
    }
    out(formatTable(report, problems).split('\n').filter(Boolean).pop() + '\n');
  } else {
    out(text);
  }
  for (const p of problems) err(`policy: ${p.file}:${p.line}: ${p.message}\n`);
  if (problems.length > 0) return 2;
  return report.errors > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
