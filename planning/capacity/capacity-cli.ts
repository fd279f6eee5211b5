#!/usr/bin/env node
/**
 * `npm run capacity -- --history <file> --per-replica <req/min> [--months 6] [--env prod] [--service api-gateway]
 * [--target <0-1>] [--config Pulumi.<env>.yaml] [--plot capacity-projection.svg] [--format text|json]`
 * `npm run capacity -- --env <env> --nodes <n>x<cpu>/<memory>[,...] [--overhead 400m/1536Mi] [--require min|max]`
 *
 * Capacity planning, one CLI with one mode per question: `--history` projects growth (history-mode.ts: the peak
 * load months ahead with intervals, as replicas, nodes and cost), `--nodes` checks whether the environment's pods
 * fit given nodes (fit-mode.ts). This file reads the arguments once and hands each mode its options; a new mode
 * adds its options and a branch in `main`. Exit 0: printed (fit mode: fits); 1: does not fit; 2: bad input, one
 * line per problem.
 */
import * as fs from 'fs';
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../../cli/args';
import { reportPath } from '../../cli/output';
import { stacks } from '../shared/stacks-on-demand';
import { fitMode } from './fit-mode';
import { CommonOptions, historyMode } from './history-mode';
import { DEFAULT_NODE_OVERHEAD, parseNodes } from './node-fit';

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('capacity')
    .option('-e, --env <name>', 'environment (dev, staging, prod, airgap, ...)', 'prod')
    .option('-c, --config <file>', 'stack config with the price table (default: Pulumi.<env>.yaml)')
    .option('-f, --format <format>', 'text or json', 'text')
    // --history mode: growth projection.
    .option(
      '--history <files...>',
      'request-rate history of --service (CSV or Prometheus JSON, .gz allowed; several pieces, e.g. weekly exports, join): project its peak',
    )
    .option('--column <name>', 'CSV column holding the requests, by header name (default: the second column)')
    .option('--months <n>', 'months to project', '6')
    .option('--service <name>', 'the service the history measures', 'api-gateway')
    .option('--per-replica <n>', 'requests per minute one replica of --service serves at 100% utilization')
    .option('--target <0-1>', "utilization target (default: the service's CPU target)")
    .option('--plot <file.svg>', 'where to write the SVG plot (missing folders are created)', reportPath('capacity-projection.svg'))
    .option('--site-nodes <n>x<cpu>/<memory>', "an on-premises site's nodes (environments without a cloud side), e.g. 8x8/16G")
    // --nodes mode: does the environment fit these nodes?
    .option('-n, --nodes <spec>', 'check whether --env fits these nodes: <count>x<cpu>/<memory>, e.g. 4x4/8G or 3x8/32Gi,2x16/64Gi')
    .option(
      '--overhead <cpu/memory>',
      'with --nodes: kubelet, OS and DaemonSets per node',
      `${DEFAULT_NODE_OVERHEAD.cpuMillis}m/${DEFAULT_NODE_OVERHEAD.memoryMiB}Mi`,
    )
    .option('--require <level>', 'with --nodes: exit 1 unless the pods fit at this level, min or max', 'min');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const { history: historyFiles, ...rest } = program.opts<Record<string, string | undefined> & { history?: string[] }>();
  const o = { ...rest, history: historyFiles } as Record<string, string | undefined> & { history?: string[] };
  if (o.nodes !== undefined) {
    // The fit asks about one environment in particular: --env is not defaulted here.
    const env = program.getOptionValueSource('env') === 'default' ? undefined : o.env;
    return fitMode({ env, nodes: o.nodes, overhead: o.overhead!, require: o.require!, format: o.format! }, out, err);
  }
  const problems: string[] = [];
  const bad = (flag: string, value: string | undefined, fix: string) =>
    problems.push(`'${flag}' (${value === undefined ? 'missing' : JSON.stringify(value)}) ${fix}`);
  const { ENVIRONMENTS, cpuTargetOf } = stacks();
  const env = ENVIRONMENTS[o.env!];
  if (!env) bad('--env', o.env, `is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')}`);
  if (!['text', 'json'].includes(o.format!)) bad('--format', o.format, 'must be text or json');

  if (o.history === undefined) {
    bad('--history', undefined, 'is needed: the request-rate history to project (or --nodes to check a fit)');
  } else {
    for (const file of o.history) if (!fs.existsSync(file) || !fs.statSync(file).isFile()) bad('--history', file, 'no such file');
    const n = (text: string | undefined) => (text !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN);
    const months = n(o.months);
    if (!(Number.isInteger(months) && months >= 1 && months <= 36))
      bad('--months', o.months, 'must be a whole number of months from 1 to 36');
    const perReplica = n(o.perReplica);
    if (!(perReplica > 0)) bad('--per-replica', o.perReplica, 'must be a number of requests per minute > 0');
    const spec = env?.services.find((s) => s.name === o.service);
    if (env && !spec)
      bad('--service', o.service, `is not a service of ${env.name}; choose from ${env.services.map((s) => s.name).join(', ')}`);
    const target = o.target !== undefined ? n(o.target) : ((spec && cpuTargetOf(spec.metrics)) ?? NaN);
    if (!(target > 0 && target <= 1))
      bad(
        '--target',
        o.target,
        `must be a utilization between 0 (exclusive) and 1${o.target === undefined ? ' (the service has no CPU target to default to)' : ''}`,
      );
    if (problems.length > 0 || !env) {
      for (const p of problems) err(`capacity: ${p}\n`);
      return 2;
    }
    const site = o.siteNodes === undefined ? undefined : parseNodes(o.siteNodes);
    if (site && (site.problems.length > 0 || site.groups.length !== 1)) {
      err(
        `capacity: '--site-nodes' (${JSON.stringify(o.siteNodes)}) must be one group of identical nodes, <count>x<cpu>/<memory>, e.g. 8x8/16G\n`,
      );
      return 2;
    }
    const common: CommonOptions = {
      env,
      configFile: o.config ?? `Pulumi.${env.name}.yaml`,
      format: o.format as 'text' | 'json',
      siteNodes: site?.groups[0],
    };
    return historyMode(
      common,
      { history: o.history, months, service: o.service!, perReplica, target, plot: o.plot!, column: o.column },
      out,
      err,
    );
  }
  for (const p of problems) err(`capacity: ${p}\n`);
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
