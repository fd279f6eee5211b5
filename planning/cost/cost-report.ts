/**
 * Monthly node cost of an environment, from its workloads' requests at minimum and maximum replicas and the price
 * table of its stack config. Pure: `planning/cost/cost-cli.ts` is the CLI around it.
 */
import { NodeShape, PodDemand, podsAt, poolNodes } from '../../sizing/node-sizing';

/** Cost-center row for pool minimums no pod uses. */
export const IDLE = '(idle pool minimum)';

/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

export interface PricedPool {
  readonly instanceType: string;
  readonly shape: NodeShape;
  readonly vcpu: number;
  readonly onDemandHourly: number;
  readonly spotHourly: number;
  /** Effective hourly price with reserved capacity. @default - none: no reserved-base option */
  readonly reservedHourly?: number;
}

export interface CostInput {
  readonly demands: readonly PodDemand[];
  readonly onDemand: PricedPool;
  /** @default - no spot pool: every pod on on-demand nodes */
  readonly spot?: PricedPool;
  /** Nodes a pool keeps however little runs (its scaling minimum), which are paid for too. @default - none */
  readonly minNodes?: { readonly onDemand: number; readonly spot: number };
}

export interface LevelCost {
  /** Nodes per pool: what the pods need (bin-packed), or the pool's minimum when that is more. */
  readonly nodes: { readonly onDemand: number; readonly spot: number };
  /** USD per month with the spot mix: on-demand nodes at on-demand prices, spot nodes at spot prices. */
  readonly withSpot: number;
  /** USD per month for the same nodes all bought on-demand. */
  readonly allOnDemand: number;
  /**
   * USD per month with the spot mix and the on-demand nodes the minimum replicas need bought as reserved capacity
   * (the base load, there every hour); on-demand nodes above it at on-demand prices. Undefined without a reserved price.
   */
  readonly withReservedBase?: number;
  /** Share of vCPU on spot nodes, 0-100. */
  readonly spotSharePercent: number;
  /** USD per month with the spot mix, by the `cost-center` label of the pods. */
  readonly byCostCenter: Readonly<Record<string, number>>;
  /** The same split by workload (`Kind/namespace/name`), and {@link IDLE} for pool minimums nothing uses. */
  readonly byWorkload: Readonly<Record<string, number>>;
}

export interface CostReport {
  readonly min: LevelCost;
  readonly max: LevelCost;
}

/**
 * Cost at one replica level. Each pool's cost is shared among its pods by their dominant share (the larger of
 * their CPU and memory fractions of a node), so a memory-heavy pod pays for the memory it holds idle for others.
 */
function levelCost(input: CostInput, level: 'min' | 'max', baseOnDemandNodes?: number): LevelCost {
  const { onDemand, spot } = input;
  const needed = poolNodes(input.demands, level, onDemand.shape, spot?.shape);
  const nodes = {
    onDemand: Math.max(needed.onDemand, input.minNodes?.onDemand ?? 0),
    spot: Math.max(needed.spot, input.minNodes?.spot ?? 0),
  };
  const monthly = (hourly: number, count: number) => hourly * HOURS_PER_MONTH * count;
  const onDemandCost = monthly(onDemand.onDemandHourly, nodes.onDemand);
  const spotCost = spot ? monthly(spot.spotHourly, nodes.spot) : 0;
  const allOnDemand = onDemandCost + (spot ? monthly(spot.onDemandHourly, nodes.spot) : 0);
  const byCostCenter: Record<string, number> = {};
  const byWorkload: Record<string, number> = {};
  const share = (pods: PodDemand[], pool: PricedPool, cost: number) => {
    const weight = (p: PodDemand) => Math.max(p.cpuMillis / pool.shape.cpuMillis, p.memoryMiB / pool.shape.memoryMiB);
    const total = pods.reduce((acc, p) => acc + weight(p), 0);
    // Nodes kept by a pool minimum with nothing on them still cost money: show it rather than lose it.
    if (total === 0 && cost > 0) {
      byCostCenter[IDLE] = (byCostCenter[IDLE] ?? 0) + cost;
      byWorkload[IDLE] = (byWorkload[IDLE] ?? 0) + cost;
    }
    for (const p of pods) {
      byCostCenter[p.costCenter] = (byCostCenter[p.costCenter] ?? 0) + (cost * weight(p)) / total;
      byWorkload[p.workload] = (byWorkload[p.workload] ?? 0) + (cost * weight(p)) / total;
    }
  };
  const pods = podsAt(input.demands, level);
  share(
    pods.filter((p) => !spot || !p.spotTolerant),
    onDemand,
    onDemandCost,
  );
  if (spot)
    share(
      pods.filter((p) => p.spotTolerant),
      spot,
      spotCost,
    );
  const vcpu = { onDemand: nodes.onDemand * onDemand.vcpu, spot: nodes.spot * (spot?.vcpu ?? 0) };
  const totalVcpu = vcpu.onDemand + vcpu.spot;
  return {
    nodes,
    withSpot: onDemandCost + spotCost,
    allOnDemand,
    withReservedBase:
      onDemand.reservedHourly === undefined
        ? undefined
        : monthly(onDemand.reservedHourly, Math.min(nodes.onDemand, baseOnDemandNodes ?? nodes.onDemand)) +
          monthly(onDemand.onDemandHourly, Math.max(0, nodes.onDemand - (baseOnDemandNodes ?? nodes.onDemand))) +
          spotCost,
    spotSharePercent: totalVcpu === 0 ? 0 : (100 * vcpu.spot) / totalVcpu,
    byCostCenter,
    byWorkload,
  };
}

export function costReport(input: CostInput): CostReport {
  const min = levelCost(input, 'min');
  return { min, max: levelCost(input, 'max', min.nodes.onDemand) };
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const pct = (n: number) => `${n.toFixed(0)}%`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

export interface RenderOptions {
  readonly environment: string;
  readonly region: string;
  readonly targetSpotPercent: number;
  readonly configFile: string;
  /** Node groups' scaling bounds, shown beside the nodes needed. */
  readonly bounds: { readonly onDemand: { min: number; max: number }; readonly spot?: { min: number; max: number } };
}

/** The report as the CLI prints it. */
export function renderCostReport(input: CostInput, report: CostReport, o: RenderOptions): string {
  const { onDemand, spot } = input;
  const lines = [
    `perfstack cost: ${o.environment} (${o.region}), ${HOURS_PER_MONTH} h/month, prices from ${o.configFile}`,
    '',
    table([
      ['pool', 'instance type', 'bounds', 'nodes at min', 'nodes at max'],
      [
        'on-demand',
        onDemand.instanceType,
        `${o.bounds.onDemand.min}-${o.bounds.onDemand.max}`,
        String(report.min.nodes.onDemand),
        String(report.max.nodes.onDemand),
      ],
      ...(spot && o.bounds.spot
        ? [
            [
              'spot',
              spot.instanceType,
              `${o.bounds.spot.min}-${o.bounds.spot.max}`,
              String(report.min.nodes.spot),
              String(report.max.nodes.spot),
            ],
          ]
        : []),
    ]),
    '',
    table([
      ['monthly cost', 'at min replicas', 'at max replicas'],
      ['all on-demand', usd(report.min.allOnDemand), usd(report.max.allOnDemand)],
      ['with the spot mix', usd(report.min.withSpot), usd(report.max.withSpot)],
      [
        'saved by spot',
        `${usd(report.min.allOnDemand - report.min.withSpot)} (${pct(saving(report.min))})`,
        `${usd(report.max.allOnDemand - report.max.withSpot)} (${pct(saving(report.max))})`,
      ],
      [`spot share of vCPU (target ${o.targetSpotPercent}%)`, pct(report.min.spotSharePercent), pct(report.max.spotSharePercent)],
      ...(report.max.withReservedBase !== undefined
        ? [
            ['with spot and a reserved base', usd(report.min.withReservedBase!), usd(report.max.withReservedBase)],
            [
              'saved by spot and reservation',
              `${usd(report.min.allOnDemand - report.min.withReservedBase!)} (${pct(savingBy(report.min, report.min.withReservedBase!))})`,
              `${usd(report.max.allOnDemand - report.max.withReservedBase)} (${pct(savingBy(report.max, report.max.withReservedBase))})`,
            ],
          ]
        : []),
    ]),
    '',
    table([
      ['by cost-center (spot mix)', 'at min replicas', 'at max replicas'],
      ...[...new Set([...Object.keys(report.min.byCostCenter), ...Object.keys(report.max.byCostCenter)])]
        .sort()
        .map((cc) => [cc, usd(report.min.byCostCenter[cc] ?? 0), usd(report.max.byCostCenter[cc] ?? 0)]),
    ]),
    '',
    table([
      ['by workload (spot mix)', 'at min replicas', 'at max replicas'],
      ...keys(report.min.byWorkload, report.max.byWorkload).map((w) => [
        w,
        usd(report.min.byWorkload[w] ?? 0),
        usd(report.max.byWorkload[w] ?? 0),
      ]),
    ]),
  ];
  if (spot && report.max.spotSharePercent + 5 < o.targetSpotPercent) {
    const pinned = input.demands
      .filter((d) => !d.spotTolerant)
      .map((d) => ({ d, cpu: d.cpuMillis * d.maxReplicas }))
      .sort((a, b) => b.cpu - a.cpu)
      .slice(0, 3)
      .map(({ d, cpu }) => `${d.workload} (${(cpu / 1000).toFixed(1)} vCPU at max)`);
    lines.push(
      '',
      `Spot carries ${pct(report.max.spotSharePercent)} of vCPU at max, below the ${o.targetSpotPercent}% target: only spot-tolerant pods run there.`,
      `The largest on-demand-only workloads: ${pinned.join(', ')}.`,
    );
  }
  return lines.join('\n') + '\n';
}

function savingBy(l: LevelCost, cost: number): number {
  return l.allOnDemand === 0 ? 0 : (100 * (l.allOnDemand - cost)) / l.allOnDemand;
}

function saving(l: LevelCost): number {
  return l.allOnDemand === 0 ? 0 : (100 * (l.allOnDemand - l.withSpot)) / l.allOnDemand;
}

const keys = (...records: Readonly<Record<string, number>>[]) => [...new Set(records.flatMap((r) => Object.keys(r)))].sort();

/** One environment's cost for the per-environment view. */
export interface EnvironmentCost {
  readonly environment: string;
  readonly report: CostReport;
}

/** Monthly cost of several environments side by side (spot mix and all on-demand, at min and max replicas). */
export function renderEnvironments(costs: readonly EnvironmentCost[], skipped: readonly string[]): string {
  const rows = costs.map((c) => [
    c.environment,
    usd(c.report.min.withSpot),
    usd(c.report.max.withSpot),
    usd(c.report.max.allOnDemand),
    pct(saving(c.report.max)),
  ]);
  const total = (f: (c: EnvironmentCost) => number) => usd(costs.reduce((a, c) => a + f(c), 0));
  const lines = [
    table([
      ['environment', 'at min replicas', 'at max replicas', 'max, all on-demand', 'saved at max'],
      ...rows,
      ['total', total((c) => c.report.min.withSpot), total((c) => c.report.max.withSpot), total((c) => c.report.max.allOnDemand), ''],
    ]),
  ];
  if (skipped.length > 0) lines.push('', `not priced (no cloud side): ${skipped.join(', ')}`);
  return lines.join('\n') + '\n';
}

const signed = (n: number) => `${n >= 0 ? '+' : '-'}${usd(Math.abs(n))}`;
const change = (base: number, head: number) =>
  base === 0 ? (head === 0 ? '0%' : 'new') : `${head >= base ? '+' : ''}${(((head - base) / base) * 100).toFixed(1)}%`;

/**
 * The cost change a pull request causes, as a Markdown comment: base branch against head, per environment, with
 * the workloads whose cost moved. Costs are monthly with the spot mix.
 */
export function renderCostDiff(environment: string, base: CostReport, head: CostReport): string {
  const line = (label: string, b: number, h: number) => `| ${label} | ${usd(b)} | ${usd(h)} | ${signed(h - b)} (${change(b, h)}) |`;
  const count = (label: string, b: number, h: number) => `| ${label} | ${b} | ${h} | ${h - b >= 0 ? '+' : ''}${h - b} |`;
  const lines = [
    `### Cost change: \`${environment}\``,
    '',
    '| monthly, spot mix | base | head | change |',
    '| --- | ---: | ---: | ---: |',
    line('at min replicas', base.min.withSpot, head.min.withSpot),
    line('at max replicas', base.max.withSpot, head.max.withSpot),
    line('at max, all on-demand', base.max.allOnDemand, head.max.allOnDemand),
    count('nodes at max (on-demand + spot)', base.max.nodes.onDemand + base.max.nodes.spot, head.max.nodes.onDemand + head.max.nodes.spot),
  ];
  const moved = keys(base.max.byWorkload, head.max.byWorkload).filter(
    (w) => Math.abs((head.max.byWorkload[w] ?? 0) - (base.max.byWorkload[w] ?? 0)) >= 0.01,
  );
  if (moved.length > 0) {
    lines.push('', '| workload, at max replicas | base | head | change |', '| --- | ---: | ---: | ---: |');
    for (const w of moved) lines.push(line(`\`${w}\``, base.max.byWorkload[w] ?? 0, head.max.byWorkload[w] ?? 0));
  } else lines.push('', 'No workload changes cost.');
  return lines.join('\n') + '\n';
}
