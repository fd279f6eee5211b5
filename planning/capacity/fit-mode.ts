/**
 * `npm run capacity -- --env <env> --nodes <n>x<cpu>/<memory>[,...] [--overhead 400m/1536Mi] [--require min|max]`
 *
 * The capacity CLI's fit mode (planning/capacity/capacity-cli.ts parses the arguments): whether an environment's
 * pods fit a given set of nodes at minimum and maximum replicas, pod by pod, and how many such nodes each level
 * needs. Exit 0: fits at the required level (default min); 1: does not; 2: bad input.
 */
import { Write } from '../../cli/args';
import { podDemands } from '../../sizing/node-sizing';
import { stacks } from '../shared/stacks-on-demand';
import { fitReport, parseNodes, renderFit } from './node-fit';

/** The fit mode's options as given; `env` undefined when `--env` was not given. */
export interface FitOptions {
  readonly env?: string;
  readonly nodes: string;
  readonly overhead: string;
  readonly require: string;
  readonly format: string;
}

export function fitMode(o: FitOptions, out: Write, err: Write): number {
  const { ENVIRONMENTS, synthesizeCharts, ConfigError } = stacks();
  const problems: string[] = [];
  const env = o.env === undefined ? undefined : ENVIRONMENTS[o.env];
  if (o.env === undefined) problems.push(`'--env' (missing) is needed with --nodes: the environment whose pods to fit`);
  else if (!env)
    problems.push(`'--env' (${JSON.stringify(o.env)}) is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')}`);
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
  const report = fitReport(podDemands(objects), groups, { cpuMillis: Number(overhead![1]), memoryMiB: Number(overhead![2]) });
  const { results, nodesNeeded, shape } = report;
  if (o.format === 'json')
    out(`${JSON.stringify({ environment: env!.name, results, nodesNeeded: Object.fromEntries(nodesNeeded), shape }, null, 2)}\n`);
  else out(renderFit(env!.name, results, nodesNeeded, shape));
  return results.find((r) => r.level === o.require)!.fits ? 0 : 1;
}
