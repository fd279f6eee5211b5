/**
 * `npm run capacity -- --env <env> --nodes <n>x<cpu>/<memory>[,...] [--overhead 400m/1536Mi] [--require min|max]`
 *
 * Whether an environment's pods fit a given set of nodes at minimum and maximum replicas, pod by pod, and how many
 * such nodes each level needs. Exit 0: fits at the required level (default min); 1: does not; 2: bad input.
 */
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { ConfigError } from '../constructs/core/errors';
import { ENVIRONMENTS } from '../stacks/environments';
import { synthesizeCharts } from '../stacks/synth';
import { podDemands } from './capacity';
import { DEFAULT_NODE_OVERHEAD, FitResult, fit, nodesNeeded, parseNodes, renderFit } from './capacity-fit';

export function fitMain(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('capacity')
    .requiredOption('-e, --env <name>', 'environment (dev, staging, prod, airgap, ...)')
    .requiredOption('-n, --nodes <spec>', 'nodes as <count>x<cpu>/<memory>, e.g. 4x4/8G or 3x8/32Gi,2x16/64Gi')
    .option(
      '--overhead <cpu/memory>',
      'kubelet, OS and DaemonSets per node',
      `${DEFAULT_NODE_OVERHEAD.cpuMillis}m/${DEFAULT_NODE_OVERHEAD.memoryMiB}Mi`,
    )
    .option('--require <level>', 'exit 1 unless the pods fit at this level: min or max', 'min')
    .option('-f, --format <format>', 'text or json', 'text');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const o = program.opts<{ env: string; nodes: string; overhead: string; require: string; format: string }>();
  const problems: string[] = [];
  const env = ENVIRONMENTS[o.env];
  if (!env) problems.push(`'--env' (${JSON.stringify(o.env)}) is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')}`);
  const { groups, problems: nodeProblems } = parseNodes(o.nodes);
  problems.push(...nodeProblems);
  const overhead = /^(\d+)m\/(\d+)Mi$/.exec(o.overhead);
  if (!overhead) problems.push(`'--overhead' (${JSON.stringify(o.overhead)}) must be <millicores>m/<MiB>Mi, e.g. 400m/1536Mi`);
  if (!['min', 'max'].includes(o.require)) problems.push(`'--require' (${JSON.stringify(o.require)}) must be min or max`);
  if (!['text', 'json'].includes(o.format)) problems.push(`'--format' (${JSON.stringify(o.format)}) must be text or json`);
  if (problems.length > 0) {
    for (const p of problems) err(`capacity: ${p}\n`);
    return 2;
  }
  let objects: Record<string, unknown>[];
  try {
    objects = synthesizeCharts(env!).flatMap((c) => [...c.objects]);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`${e.message}\n`);
    return 2;
  }
  const demands = podDemands(objects);
  const ovh = { cpuMillis: Number(overhead![1]), memoryMiB: Number(overhead![2]) };
  const results: FitResult[] = (['min', 'max'] as const).map((level) => fit(demands, groups, level, ovh));
  // "What the maximum needs", in nodes of the largest shape given.
  const largest = [...groups].sort((a, b) => b.cpuMillis * b.memoryMiB - a.cpuMillis * a.memoryMiB)[0];
  const needed = new Map((['min', 'max'] as const).map((level) => [level, nodesNeeded(demands, largest, level, ovh)]));
  const shape = `${largest.cpuMillis / 1000} cores/${(largest.memoryMiB / 1024).toFixed(1)}Gi`;
  if (o.format === 'json')
    out(`${JSON.stringify({ environment: env!.name, results, nodesNeeded: Object.fromEntries(needed), shape }, null, 2)}\n`);
  else out(renderFit(env!.name, results, needed, shape));
  return results.find((r) => r.level === o.require)!.fits ? 0 : 1;
}
