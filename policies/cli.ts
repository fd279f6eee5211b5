#!/usr/bin/env node
/**
 * `npm run policy -- <files or folders> [--format table|json|junit|sarif] [--output FILE] [--env NAME]`
 *
 * Checks any Kubernetes YAML against perfstack's rules. Exit 0: no error (warnings allowed); 1: errors;
 * 2: input that could not be read (malformed YAML, a non-object document, a missing path).
 */
import * as fs from 'fs';
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { ENVIRONMENTS } from '../stacks/environments';
import { evaluate } from './engine';
import { loadManifests, manifestFiles } from '../manifests/load';
import { formatJson, formatJunit, formatSarif, formatTable } from './report';

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('policy')
    .argument('<paths...>', 'YAML or JSON files, or folders of them')
    .option('-f, --format <format>', 'table, json, junit or sarif', 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--require-digest', 'with --env of an air-gapped environment: images must be pinned by sha256 digest')
    .option('-e, --env <name>', `apply an environment's context: zones, production, registry (${Object.keys(ENVIRONMENTS).join(', ')})`);
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const opts = program.opts<{ format: string; output?: string; env?: string; requireDigest?: boolean }>();
  if (!['table', 'json', 'junit', 'sarif'].includes(opts.format)) {
    err(`policy: '--format' (${JSON.stringify(opts.format)}) must be table, json, junit or sarif\n`);
    return 2;
  }
  const env = opts.env ? ENVIRONMENTS[opts.env] : undefined;
  if (opts.env && !env) {
    err(`policy: '--env' (${JSON.stringify(opts.env)}) is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')}\n`);
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
  const report = evaluate(
    items,
    env
      ? {
          zones: env.zones.length,
          production: env.production,
          registry: env.airGapped ? env.imageRegistry : undefined,
          requireDigest: opts.requireDigest,
        }
      : {},
  );
  const text =
    opts.format === 'json'
      ? formatJson(report, problems)
      : opts.format === 'junit'
        ? formatJunit(report)
        : opts.format === 'sarif'
          ? formatSarif(report, problems)
          : formatTable(report, problems);
  if (opts.output) {
    fs.writeFileSync(opts.output, text);
    out(formatTable(report, problems).split('\n').filter(Boolean).pop() + '\n');
  } else {
    out(text);
  }
  for (const p of problems) err(`policy: ${p.file}:${p.line}: ${p.message}\n`);
  if (problems.length > 0) return 2;
  return report.errors > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
