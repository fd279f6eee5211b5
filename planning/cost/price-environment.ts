/**
 * Prices an environment: its pods' requests at their replica bounds, the node pools' bounds and prices from the
 * stack config, as `npm run cost`, `npm run capacity -- --history` and the performance report see it.
 */
import * as fs from 'fs';
import type { Environment } from '../../stacks/environment';
import type { CloudStackSettings } from '../../stacks/stack-config';
import { podDemands } from '../../sizing/node-sizing';
import { PoolBounds, PoolTooSmallError } from '../../sizing/pool-bounds';
import { CostInput, CostReport, PricedPool, costReport } from './cost-report';
import { stacks } from '../shared/stacks-on-demand';

/** A pool priced at the mean of its instance types' prices: the node group spreads over all of them. */
function pricedPool(settings: CloudStackSettings, types: readonly string[]): PricedPool {
  const specs = types.map((t) => settings.instanceTypes[t]);
  const mean = (f: (s: (typeof specs)[number]) => number) => specs.reduce((acc, s) => acc + f(s), 0) / specs.length;
  return {
    instanceType: types.length === 1 ? types[0] : `${types[0]} +${types.length - 1}`,
    shape: stacks().nodeShape(specs[0], settings.nodeOverhead),
    vcpu: specs[0].vcpu,
    onDemandHourly: mean((s) => s.onDemandHourly),
    spotHourly: mean((s) => s.spotHourly),
    // Reserved pricing applies to the sizing type only (reservations are per instance type).
    reservedHourly: specs[0].reservedHourly,
  };
}

/** A stack config mistake or a pool too small for a pod, as lines; `undefined` for anything else (a bug). */
const settingsProblems = (e: unknown) => (e instanceof PoolTooSmallError ? [e.message] : stacks().inputErrorLines(e));

export interface Priced {
  readonly input: CostInput;
  readonly report: CostReport;
  readonly bounds: PoolBounds;
  readonly settings: CloudStackSettings;
  readonly configFile: string;
}

/**
 * Prices an environment's objects (synthesized when not given) with its stack config: `npm run cost` and
 * `npm run capacity -- --history` both start here. `undefined` settings mean the stack has no cloud side
 * (nothing to price); problems are input errors, one line each.
 */
export function priceEnvironment(
  env: Environment,
  configFile: string,
  objects: readonly Record<string, unknown>[] | undefined,
): { priced?: Priced; problems: string[]; noCloud?: boolean } {
  if (!fs.existsSync(configFile))
    return {
      problems: [
        `${configFile}: no such file; create the stack (pulumi stack init ${env.name}) and a ${configFile} with perfstack:environment: ${env.name}, perfstack:nodePools and perfstack:instanceTypes (see docs/deploying.md, "Config keys"), or pass --config`,
      ],
    };
  const { StackConfigFileError, stackConfigFileValues, readStackSettings, synthesizeCharts, ConfigError, stackPoolBounds } = stacks();
  let values: Record<string, unknown>;
  try {
    values = stackConfigFileValues(configFile);
  } catch (e) {
    if (!(e instanceof StackConfigFileError)) throw e;
    return { problems: [e.message] };
  }
  if (values.environment !== undefined && values.environment !== env.name) {
    return { problems: [`${configFile}: is the config of environment '${String(values.environment)}', not '${env.name}'`] };
  }
  let settings;
  try {
    settings = readStackSettings({ ...values, environment: env.name }, env.name);
  } catch (e) {
    const problems = settingsProblems(e);
    if (!problems) throw e;
    return { problems: problems.map((p) => `${configFile}: ${p}`) };
  }
  if (settings.mode !== 'cloud') {
    return {
      problems: [`${configFile}: environment '${settings.environment.name}' has no cloud side to price (mode ${settings.mode})`],
      noCloud: true,
    };
  }
  let all = objects;
  if (!all) {
    try {
      all = synthesizeCharts(env).flatMap((c) => [...c.objects]);
    } catch (e) {
      if (e instanceof ConfigError) return { problems: [e.message] };
      throw e;
    }
  }
  const demands = podDemands(all);
  try {
    const bounds = stackPoolBounds(settings, demands);
    const input: CostInput = {
      demands,
      onDemand: pricedPool(settings, settings.nodePools.onDemand.instanceTypes),
      spot: settings.nodePools.spot ? pricedPool(settings, settings.nodePools.spot.instanceTypes) : undefined,
      minNodes: { onDemand: bounds.onDemand.min, spot: bounds.spot?.min ?? 0 },
    };
    return { priced: { input, report: costReport(input), bounds, settings, configFile }, problems: [] };
  } catch (e) {
    // A pod larger than any node of its pool.
    const problems = settingsProblems(e);
    if (!problems) throw e;
    return { problems: problems.map((p) => `${configFile}: ${p}`) };
  }
}
