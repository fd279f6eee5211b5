#!/usr/bin/env node
/**
 * `npm run capacity -- --history <file> --per-replica <req/min> [--months 6] [--env prod] [--service api-gateway]
 * [--target <0-1>] [--config Pulumi.<env>.yaml] [--plot capacity-projection.svg] [--format text|json]`
 *
 * Capacity planning from a request-rate history: the peak load projected `--months` ahead with 80% and 95%
 * intervals (planning/capacity/monthly-projection.ts, with a backtest of how often its intervals held on the history), turned into
 * replicas per service, nodes per pool and monthly cost (planning/capacity.ts, planning/cost-report.ts), the dates
 * services reach their max replicas and pools their max nodes, and an SVG plot.
 *
 * `npm run capacity -- --env <env> --nodes <n>x<cpu>/<memory>` checks whether the environment fits given nodes
 * (planning/capacity-fit-cli.ts).
 *
 * One CLI, one mode per question: `--history` projects growth, `--nodes` checks a fit. Each mode is a function of the shared options and
 * its own; a new mode (e.g. fit-checking given nodes) adds its options and a branch in `main`.
 * Exit 0: printed; 2: bad input, one line per problem.
 */
import * as fs from 'fs';
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { OutputError, reportPath, writeOutput } from '../cli/output';
import type { stackPoolBounds } from './pool-bounds';
import type { CloudStackSettings } from '../stacks/stack-config';
import type { Environment } from '../stacks/environment';
import { stacks } from './stacks-on-demand';
import { PodDemand, podDemands } from './capacity';
import { CapacityProjection, LEVELS, Level, ServiceLoad, projectCapacity } from './capacity-projection';
import { projectionSvg } from './capacity-plot';
import { DEFAULT_NODE_OVERHEAD, NodeGroup, parseNodes } from './capacity-fit';
import { priceEnvironment } from './cost';
import { CostInput } from './cost-report';
import { DAY_MS, HistoryError, WEEK_MS, readHistoryFiles } from './history';
import { MIN_LEVEL_DAYS, MonthlyProjection, bandAt, projectMonthly } from './capacity/monthly-projection';
import { ProjectionScore, dailyPeaks, scoreProjections } from './capacity/projection-backtest';
import { describeProjection } from './capacity/projection-text';

/** The fit-checking mode, loaded only when asked for (it synthesizes the environment). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fitMode = () => (require('./capacity-fit-cli') as typeof import('./capacity-fit-cli')).fitMain;

/** Options every mode shares. */
interface CommonOptions {
  readonly env: Environment;
  readonly configFile: string;
  readonly format: 'text' | 'json';
  /** An on-premises site's nodes, for environments without a cloud side (no node pools in their stack config). */
  readonly siteNodes?: NodeGroup;
}

/** The environment's pods, priced pools and pool bounds, as `npm run cost` sees them. */
interface Cluster {
  readonly settings?: CloudStackSettings;
  readonly demands: readonly PodDemand[];
  readonly cost: CostInput;
  readonly bounds: ReturnType<typeof stackPoolBounds>;
}

/** Reads the stack config and prices the synthesized environment as `npm run cost` does; problems as lines. */
function loadCluster(o: CommonOptions): Cluster | string[] {
  const r = priceEnvironment(o.env, o.configFile, undefined);
  if (r.priced) return { settings: r.priced.settings, demands: r.priced.input.demands, cost: r.priced.input, bounds: r.priced.bounds };
  if (!r.noCloud) return r.problems;
  if (o.siteNodes) return siteCluster(o, o.siteNodes);
  return [
    `${o.configFile}: environment '${o.env.name}' has no node pools to plan; give the site's nodes with --site-nodes <count>x<cpu>/<memory>, e.g. 8x8/16G`,
  ];
}

/**
 * An on-premises site as one pool of identical nodes: the nodes it has are the pool's bounds, so the projection says
 * when the site runs out of them. Nothing is priced (the site owns its hardware).
 */
function siteCluster(o: CommonOptions, nodes: NodeGroup): Cluster | string[] {
  const { synthesizeCharts, ConfigError } = stacks();
  let demands: PodDemand[];
  try {
    demands = podDemands(synthesizeCharts(o.env).flatMap((c) => [...c.objects]));
  } catch (e) {
    if (e instanceof ConfigError) return [e.message];
    throw e;
  }
  const shape = {
    cpuMillis: nodes.cpuMillis - DEFAULT_NODE_OVERHEAD.cpuMillis,
    memoryMiB: nodes.memoryMiB - DEFAULT_NODE_OVERHEAD.memoryMiB,
  };
  const pool = {
    instanceType: `site node (${nodes.cpuMillis / 1000} cores)`,
    shape,
    vcpu: nodes.cpuMillis / 1000,
    onDemandHourly: 0,
    spotHourly: 0,
  };
  return {
    demands,
    cost: { demands, onDemand: pool, minNodes: { onDemand: nodes.count, spot: 0 } },
    bounds: { onDemand: { min: nodes.count, max: nodes.count } } as ReturnType<typeof stackPoolBounds>,
  };
}

interface HistoryOptions {
  readonly history: readonly string[];
  readonly months: number;
  readonly service: string;
  readonly perReplica: number;
  readonly target: number;
  readonly plot: string;
  readonly column?: string;
}

/**
 * Replicas per service at a peak load: the measured service from its capacity per replica at its target, the
 * others in proportion to the load, from their minimum at today's projected peak (the history is one service's).
 */
export function serviceLoads(env: Environment, measured: string, perReplica: number, target: number, peakNow: number): ServiceLoad[] {
  return env.services.map((s) => ({
    workload: `Deployment/${env.namespace}/${s.name}`,
    name: s.name,
    min: s.replicas.min,
    max: s.replicas.max,
    replicasAt:
      s.name === measured
        ? (peak: number) => Math.ceil(peak / (perReplica * target) - 1e-9)
        : (peak: number) => Math.ceil((s.replicas.min * peak) / peakNow - 1e-9),
  }));
}

const day = (t: number | undefined) => (t === undefined ? '-' : new Date(t).toISOString().slice(0, 10));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

export function renderProjection(
  p: CapacityProjection,
  model: MonthlyProjection,
  coverage: ProjectionScore,
  o: {
    header: string;
    plot: string;
    services: readonly string[];
    poolMax: { onDemand: number; spot: number };
    spot: boolean;
    historyDays: number;
  },
): string {
  const label: Record<Level, string> = { median: 'median', hi80: '80% upper', hi95: '95% upper' };
  const lines = [
    o.header,
    ...describeProjection(model, coverage, o.historyDays),
    '',
    table([
      ['month', 'peak req/min (median)', '80% interval', '95% interval'],
      ...p.rows.map((r) => [
        day(r.t),
        r.peak.median.toFixed(0),
        `${r.peak.lo80.toFixed(0)}-${r.peak.hi80.toFixed(0)}`,
        `${r.peak.lo95.toFixed(0)}-${r.peak.hi95.toFixed(0)}`,
      ]),
    ]),
    '',
  ];
  for (const level of LEVELS) {
    lines.push(
      `at the ${label[level]} peak:`,
      table([
        ['month', ...o.services, 'on-demand nodes', ...(o.spot ? ['spot nodes'] : []), 'USD/month'],
        ...p.rows.map((r) => {
          const l = r.levels[level];
          return [
            day(r.t),
            ...o.services.map((s) => String(l.replicas[s])),
            String(l.nodes.onDemand),
            ...(o.spot ? [String(l.nodes.spot)] : []),
            l.monthlyCost.toFixed(2),
          ];
        }),
      ]),
      '',
    );
  }
  lines.push(
    table([
      ['reaches its max', 'median', '80% upper', '95% upper'],
      ...o.services.map((s) => [`${s} replicas`, ...LEVELS.map((l) => day(p.serviceAtMax[s][l]))]),
      [`on-demand pool (${o.poolMax.onDemand} nodes)`, ...LEVELS.map((l) => day(p.poolAtMax.onDemand[l]))],
      ...(o.spot ? [[`spot pool (${o.poolMax.spot} nodes)`, ...LEVELS.map((l) => day(p.poolAtMax.spot[l]))]] : []),
    ]),
    '(- : not within the projection)',
    '',
    `plot: ${o.plot}`,
    '',
  );
  return lines.join('\n');
}

function historyMode(common: CommonOptions, o: HistoryOptions, out: Write, err: Write): number {
  const fail = (lines: string[]) => {
    for (const l of lines) err(`capacity: ${l}\n`);
    return 2;
  };
  let history;
  try {
    history = readHistoryFiles(o.history, { column: o.column });
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    return fail([...e.problems]);
  }
  const peaks = dailyPeaks(history);
  const days = peaks.values.filter((v) => v > 0).length;
  if (days < MIN_LEVEL_DAYS)
    return fail([
      `${o.history.join(', ')}: ${days} day(s) with data; a projection needs at least ${MIN_LEVEL_DAYS} (weeks of history, ideally two years: e.g. several weekly exports)`,
    ]);
  const model = projectMonthly(peaks, o.months);
  const coverage = scoreProjections(peaks, { months: o.months, firstOrigin: peaks.start + 8 * WEEK_MS });
  const cluster = loadCluster(common);
  if (Array.isArray(cluster)) return fail(cluster);

  const from = model.from;
  const at = (t: number) => bandAt(model, t);
  const services = serviceLoads(common.env, o.service, o.perReplica, o.target, at(from).median);
  const poolMax = { onDemand: cluster.bounds.onDemand.max, spot: cluster.bounds.spot?.max ?? 0 };
  const projection = projectCapacity({ model: { at }, from, months: o.months, services, cost: cluster.cost, poolMax });

  const spec = common.env.services.find((s) => s.name === o.service)!;
  const until = from + o.months * 30.44 * DAY_MS;
  try {
    writeOutput(
      o.plot,
      projectionSvg({
        title: `${common.env.name}/${o.service}: peak load, ${o.months}-month projection with 80% and 95% intervals`,
        history: [...peaks.values].flatMap((peak, d) => (peak > 0 ? [{ t: peaks.start + d * DAY_MS, peak }] : [])),
        model: { at },
        until,
        marks: [{ label: `${o.service} at max replicas (${spec.replicas.max})`, value: spec.replicas.max * o.perReplica * o.target }],
      }),
      '--plot',
    );
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    return fail([e.message]);
  }
  if (common.format === 'json') {
    out(
      JSON.stringify(
        {
          environment: common.env.name,
          service: o.service,
          model,
          coverage,
          poolMax,
          ...projection,
          plot: o.plot,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    out(
      renderProjection(projection, model, coverage, {
        header: `perfstack capacity: ${common.env.name}, ${o.service} history ${o.history.join(', ')}, ${o.perReplica} req/min per replica at ${o.target * 100}%, ${o.months} months`,
        plot: o.plot,
        services: common.env.services.map((s) => s.name),
        poolMax,
        spot: Boolean(cluster.cost.spot),
        historyDays: peaks.values.length,
      }),
    );
  }
  return 0;
}

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  if (argv.some((a) => a === '--nodes' || a === '-n' || a.startsWith('--nodes='))) return fitMode()(argv, out, err);
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
    .option('--site-nodes <n>x<cpu>/<memory>', "an on-premises site's nodes (environments without a cloud side), e.g. 8x8/16G");
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const { history: historyFiles, ...rest } = program.opts<Record<string, string | undefined> & { history?: string[] }>();
  const o = { ...rest, history: historyFiles } as Record<string, string | undefined> & { history?: string[] };
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
