/**
 * `npm run capacity -- --history <file> --per-replica <req/min> ...`: the capacity CLI's growth mode
 * (planning/capacity/capacity-cli.ts parses the arguments). The peak load projected `--months` ahead with 80% and 95%
 * intervals (monthly-projection.ts, with a backtest of how often its intervals held on the history), turned into
 * replicas per service, nodes per pool and monthly cost (capacity-projection.ts, sizing/node-sizing.ts,
 * cost/cost-report.ts), the dates services reach their max replicas and pools their max nodes, and an SVG plot.
 */
import { Write } from '../../cli/args';
import { OutputError, writeOutput } from '../../cli/output';
import type { CloudStackSettings } from '../../stacks/stack-config';
import type { Environment } from '../../stacks/environment';
import { PodDemand, podDemands } from '../../sizing/node-sizing';
import type { PoolBounds } from '../../sizing/pool-bounds';
import { stacks } from '../shared/stacks-on-demand';
import { DAY_MS, HistoryError, WEEK_MS, readHistoryFiles } from '../shared/history';
import { priceEnvironment } from '../cost/price-environment';
import { CostInput } from '../cost/cost-report';
import { CapacityProjection, LEVELS, Level, ServiceLoad, projectCapacity } from './capacity-projection';
import { projectionSvg } from './projection-plot';
import { DEFAULT_NODE_OVERHEAD, NodeGroup } from './node-fit';
import { MIN_LEVEL_DAYS, MonthlyProjection, bandAt, projectMonthly } from './monthly-projection';
import { ProjectionScore, dailyPeaks, scoreProjections } from './projection-backtest';
import { describeProjection } from './projection-text';

/** Options every mode shares. */
export interface CommonOptions {
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
  readonly bounds: PoolBounds;
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
    bounds: { onDemand: { min: nodes.count, max: nodes.count } } as PoolBounds,
  };
}

export interface HistoryOptions {
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

export function historyMode(common: CommonOptions, o: HistoryOptions, out: Write, err: Write): number {
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
