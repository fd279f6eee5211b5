#!/usr/bin/env node
/**
 * `npm run cost -- --env prod [--config Pulumi.prod.yaml] [--manifests dist/prod] [--format text|json]`
 *
 * Nodes each pool needs at minimum and maximum replicas, and the monthly cost all on-demand versus with the spot
 * mix, by cost-center label. Requests come from the environment's App synthesized in memory (or from manifests on
 * disk); prices and instance types from the stack's config. Exit 0: printed; 2: bad input.
 */
import * as fs from 'fs';
import * as pulumi from '@pulumi/pulumi';
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { ConfigError } from '../constructs/core/errors';
import { loadManifests, manifestFiles } from '../manifests/load';
import { ENVIRONMENTS } from '../stacks/environments';
import { synthesizeCharts } from '../stacks/synth';
import { podDemands } from './capacity';
import { PricedPool, costReport, renderCostReport } from './cost-report';
import { nodeShape } from '../infra/node-pools';
import { stackPoolBounds } from '../infra/program';
import { CloudStackSettings, readStackSettings, stackConfigFileValues } from '../infra/stack-settings';

/** A pool priced at the mean of its instance types' prices: the node group spreads over all of them. */
export function pricedPool(settings: CloudStackSettings, types: readonly string[]): PricedPool {
  const specs = types.map((t) => settings.instanceTypes[t]);
  const mean = (f: (s: (typeof specs)[number]) => number) => specs.reduce((acc, s) => acc + f(s), 0) / specs.length;
  return {
    instanceType: types.length === 1 ? types[0] : `${types[0]} +${types.length - 1}`,
    shape: nodeShape(specs[0], settings.nodeOverhead),
    vcpu: specs[0].vcpu,
    onDemandHourly: mean((s) => s.onDemandHourly),
    spotHourly: mean((s) => s.spotHourly),
  };
}

function settingsProblems(e: unknown): string[] | undefined {
  if (pulumi.InputPropertiesError.isInstance(e)) return e.errors.map((i) => `${i.propertyPath}: ${i.reason}`);
  if (pulumi.InputPropertyError.isInstance(e)) return [`${e.propertyPath}: ${e.reason}`];
  return undefined;
}

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('cost')
    .requiredOption('-e, --env <name>', `environment (${Object.keys(ENVIRONMENTS).join(', ')})`)
    .option('-c, --config <file>', 'stack config with the price table (default: Pulumi.<env>.yaml)')
    .option('-m, --manifests <paths...>', 'cost these manifests instead of synthesizing the environment')
    .option('-f, --format <format>', 'text or json', 'text');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const opts = program.opts<{ env: string; config?: string; manifests?: string[]; format: string }>();
  const fail = (lines: string[]) => {
    for (const l of lines) err(`cost: ${l}\n`);
    return 2;
  };
  if (!['text', 'json'].includes(opts.format)) return fail([`'--format' (${JSON.stringify(opts.format)}) must be text or json`]);
  const env = ENVIRONMENTS[opts.env];
  if (!env)
    return fail([`'--env' (${JSON.stringify(opts.env)}) is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')}`]);
  const configFile = opts.config ?? `Pulumi.${env.name}.yaml`;
  if (!fs.existsSync(configFile)) {
    return fail([
      opts.config
        ? `${configFile}: no such file; pass the stack config with --config`
        : `${configFile}: no such file; create the stack config of environment '${env.name}' (pulumi stack init ${env.name}, then perfstack:environment, nodePools and instanceTypes prices as in Pulumi.prod.yaml), or pass one with --config`,
    ]);
  }

  const values = stackConfigFileValues(configFile);
  if (values.environment !== undefined && values.environment !== env.name) {
    return fail([`${configFile}: is the config of environment '${String(values.environment)}', not '${env.name}'`]);
  }
  let settings;
  try {
    settings = readStackSettings({ ...values, environment: env.name }, env.name);
  } catch (e) {
    const problems = settingsProblems(e);
    if (!problems) throw e;
    return fail(problems.map((p) => `${configFile}: ${p}`));
  }
  if (settings.mode !== 'cloud') {
    return fail([`${configFile}: environment '${settings.environment.name}' has no cloud side to price (mode ${settings.mode})`]);
  }

  let objects: Record<string, unknown>[];
  if (opts.manifests) {
    let files: string[];
    try {
      files = manifestFiles(opts.manifests);
    } catch (e) {
      return fail([(e as Error).message]);
    }
    const { items, problems } = loadManifests(files);
    if (problems.length > 0) return fail(problems.map((p) => `${p.file}:${p.line}: ${p.message}`));
    objects = items.map((i) => i.object as unknown as Record<string, unknown>);
  } else {
    try {
      objects = synthesizeCharts(env).flatMap((c) => [...c.objects]);
    } catch (e) {
      if (e instanceof ConfigError) return fail([e.message]);
      throw e;
    }
  }

  const demands = podDemands(objects);
  let report, bounds, input;
  try {
    bounds = stackPoolBounds(settings, demands);
    input = {
      demands,
      onDemand: pricedPool(settings, settings.nodePools.onDemand.instanceTypes),
      spot: settings.nodePools.spot ? pricedPool(settings, settings.nodePools.spot.instanceTypes) : undefined,
      minNodes: { onDemand: bounds.onDemand.min, spot: bounds.spot?.min ?? 0 },
    };
    report = costReport(input);
  } catch (e) {
    // A pod larger than any node of its pool.
    const problems = settingsProblems(e);
    if (!problems) throw e;
    return fail(problems.map((p) => `${configFile}: ${p}`));
  }
  if (opts.format === 'json') out(JSON.stringify({ environment: env.name, configFile, bounds, ...report }, null, 2) + '\n');
  else
    out(
      renderCostReport(input, report, {
        environment: env.name,
        region: settings.environment.cloud.region,
        targetSpotPercent: settings.environment.cloud.spotPercent,
        configFile,
        bounds,
      }),
    );
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
