#!/usr/bin/env node
/**
 * `npm run cost -- --env prod [--config Pulumi.prod.yaml] [--manifests dist/prod] [--format text|json]`
 *
 * Nodes each pool needs at minimum and maximum replicas, and the monthly cost all on-demand versus with the spot
 * mix, by cost-center label. Requests come from the environment's App synthesized in memory (or from manifests on
 * disk); prices and instance types from the stack's config. Exit 0: printed; 2: bad input.
 */
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../../cli/args';
import { OutputError, writeOutput } from '../../cli/output';
import { EnvironmentCost, renderCostDiff, renderCostReport, renderEnvironments } from './cost-report';
import { priceEnvironment } from './price-environment';
import { stacks } from '../shared/stacks-on-demand';

/** Objects from manifest files or folders; problems name the file and line (an empty folder or file is one). */
function objectsFrom(paths: readonly string[], flag: string): { objects?: Record<string, unknown>[]; problems: string[] } {
  let files: string[];
  try {
    files = stacks().manifestFiles([...paths], flag);
  } catch (e) {
    return { problems: [(e as Error).message] };
  }
  const { items, problems } = stacks().loadManifests(files);
  if (problems.length > 0) return { problems: problems.map((p) => `${p.file}:${p.line}: ${p.message}`) };
  return { objects: items.map((i) => i.object as unknown as Record<string, unknown>), problems: [] };
}

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('cost')
    .requiredOption('-e, --env <name>', "environment (dev, staging, prod, ...), or 'all' for every priced one side by side")
    .option('-c, --config <file>', 'stack config with the price table (default: Pulumi.<env>.yaml)')
    .option('-m, --manifests <paths...>', 'cost these manifests instead of synthesizing the environment')
    .option(
      '--compare <paths...>',
      "base branch's manifests of the same environment: print the change as a pull-request comment (Markdown)",
    )
    .option('-f, --format <format>', 'text, json or markdown', 'text')
    .option('-o, --output <file>', 'write the report to a file instead of stdout (missing folders are created)');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const opts = program.opts<{ env: string; config?: string; manifests?: string[]; compare?: string[]; format: string; output?: string }>();
  const fail = (lines: string[]) => {
    for (const l of lines) err(`cost: ${l}\n`);
    return 2;
  };
  /** The report to stdout, or whole to --output (folders created, never a partial file) with one line saying so. */
  const emit = (text: string): number => {
    if (!opts.output) {
      out(text);
      return 0;
    }
    try {
      writeOutput(opts.output, text, '--output');
    } catch (e) {
      if (!(e instanceof OutputError)) throw e;
      return fail([e.message]);
    }
    out(`cost: wrote the ${opts.format} report for ${opts.env} to ${opts.output}\n`);
    return 0;
  };
  if (!['text', 'json', 'markdown'].includes(opts.format))
    return fail([`'--format' (${JSON.stringify(opts.format)}) must be text, json or markdown`]);
  const { ENVIRONMENTS } = stacks();

  if (opts.env === 'all') {
    if (opts.config || opts.manifests || opts.compare)
      return fail([`'--env' ("all") prices each environment with its own Pulumi.<env>.yaml; drop --config, --manifests and --compare`]);
    const costs: EnvironmentCost[] = [];
    const skipped: string[] = [];
    const problems: string[] = [];
    for (const env of Object.values(ENVIRONMENTS)) {
      const r = priceEnvironment(env, `Pulumi.${env.name}.yaml`, undefined);
      if (r.priced) costs.push({ environment: env.name, report: r.priced.report });
      else if (r.noCloud) skipped.push(env.name);
      else problems.push(...r.problems);
    }
    if (problems.length > 0) return fail(problems);
    return emit(
      opts.format === 'json'
        ? JSON.stringify({ environments: costs, notPriced: skipped }, null, 2) + '\n'
        : renderEnvironments(costs, skipped),
    );
  }

  const env = ENVIRONMENTS[opts.env];
  if (!env)
    return fail([
      `'--env' (${JSON.stringify(opts.env)}) is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')} or all`,
    ]);
  const configFile = opts.config ?? `Pulumi.${env.name}.yaml`;
  const head = opts.manifests ? objectsFrom(opts.manifests, '--manifests') : { objects: undefined, problems: [] };
  if (head.problems.length > 0) return fail(head.problems);
  const priced = priceEnvironment(env, configFile, head.objects);
  if (!priced.priced) return fail(priced.problems);
  const { input, report, bounds, settings } = priced.priced;

  if (opts.compare) {
    const base = objectsFrom(opts.compare, '--compare');
    if (base.problems.length > 0) return fail(base.problems);
    const before = priceEnvironment(env, configFile, base.objects);
    if (!before.priced) return fail(before.problems);
    return emit(
      opts.format === 'json'
        ? JSON.stringify({ environment: env.name, base: before.priced.report, head: report }, null, 2) + '\n'
        : renderCostDiff(env.name, before.priced.report, report),
    );
  }
  return emit(
    opts.format === 'json'
      ? JSON.stringify({ environment: env.name, configFile, bounds, ...report }, null, 2) + '\n'
      : renderCostReport(input, report, {
          environment: env.name,
          region: settings.environment.cloud.region,
          targetSpotPercent: settings.environment.cloud.spotPercent,
          configFile,
          bounds,
        }),
  );
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
