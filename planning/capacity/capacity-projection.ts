/**
 * A peak-load projection turned into replicas per service, nodes per pool and monthly cost, through the same
 * capacity (planning/capacity.ts) and cost (planning/cost-report.ts) model as `npm run cost`, with the dates
 * services reach their max replicas and pools their max nodes. Pure; planning/capacity-cli.ts is the CLI.
 */
import { PodDemand, poolNodes } from '../../sizing/node-sizing';
import { CostInput, costReport } from '../cost/cost-report';
import { DAY_MS, WEEK_MS } from '../shared/history';
import { Band } from './monthly-projection';

/** How a service's peak replicas follow the projected load. */
export interface ServiceLoad {
  /** `Deployment/<namespace>/<name>`, as podDemands names it. */
  readonly workload: string;
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /**
   * Replicas the service needs at a given peak load (requests per minute), before its bounds: the measured
   * service from its capacity per replica, the others in proportion to the load from their minimum today.
   */
  readonly replicasAt: (peak: number) => number;
}

export type Level = 'median' | 'hi80' | 'hi95';
export const LEVELS: readonly Level[] = ['median', 'hi80', 'hi95'];

export interface ProjectionRow {
  /** Epoch ms of the month's point. */
  readonly t: number;
  readonly peak: Band;
  /** Per level: replicas per service (within bounds), nodes per pool and monthly cost with the spot mix. */
  readonly levels: Readonly<
    Record<Level, { replicas: Readonly<Record<string, number>>; nodes: { onDemand: number; spot: number }; monthlyCost: number }>
  >;
}

export interface CapacityProjection {
  readonly rows: readonly ProjectionRow[];
  /** First week (epoch ms) each service needs its max replicas, per level; undefined: not within the horizon. */
  readonly serviceAtMax: Readonly<Record<string, Readonly<Record<Level, number | undefined>>>>;
  /** First week each pool would need more nodes than its max (replicas unbounded), per level. */
  readonly poolAtMax: Readonly<Record<'onDemand' | 'spot', Readonly<Record<Level, number | undefined>>>>;
}

export interface ProjectionInput {
  /** The projected band at a time. */
  readonly model: { readonly at: (t: number) => Band };
  /** End of the history: month 0. */
  readonly from: number;
  readonly months: number;
  readonly services: readonly ServiceLoad[];
  /** The environment's pods and pricing, as `npm run cost` builds them. */
  readonly cost: CostInput;
  readonly poolMax: { readonly onDemand: number; readonly spot: number };
}

const MONTH_MS = 30.44 * DAY_MS;

/** The demands with each projected service fixed at `replicas` (min = max), the rest as they are. */
function withReplicas(demands: readonly PodDemand[], replicas: Readonly<Record<string, number>>): PodDemand[] {
  return demands.map((d) =>
    replicas[d.workload] === undefined ? d : { ...d, minReplicas: replicas[d.workload], maxReplicas: replicas[d.workload] },
  );
}

export function projectCapacity(input: ProjectionInput): CapacityProjection {
  const { model, services, cost } = input;
  const bounded = (s: ServiceLoad, peak: number) => Math.min(s.max, Math.max(s.min, s.replicasAt(peak)));
  const rows: ProjectionRow[] = [];
  for (let m = 0; m <= input.months; m++) {
    const t = input.from + m * MONTH_MS;
    const peak = model.at(t);
    const levels = Object.fromEntries(
      LEVELS.map((level) => {
        const replicas = Object.fromEntries(services.map((s) => [s.name, bounded(s, peak[level])]));
        const byWorkload = Object.fromEntries(services.map((s) => [s.workload, replicas[s.name]]));
        const report = costReport({ ...cost, demands: withReplicas(cost.demands, byWorkload) });
        return [level, { replicas, nodes: report.max.nodes, monthlyCost: report.max.withSpot }];
      }),
    ) as ProjectionRow['levels'];
    rows.push({ t, peak, levels });
  }

  const none = () => ({ median: undefined, hi80: undefined, hi95: undefined }) as Record<Level, number | undefined>;
  const serviceAtMax: Record<string, Record<Level, number | undefined>> = Object.fromEntries(services.map((s) => [s.name, none()]));
  const poolAtMax = { onDemand: none(), spot: none() };
  const end = input.from + input.months * MONTH_MS;
  for (let t = input.from; t <= end; t += WEEK_MS) {
    const peak = model.at(t);
    for (const level of LEVELS) {
      const unbounded: Record<string, number> = {};
      for (const s of services) {
        const n = Math.max(s.min, s.replicasAt(peak[level]));
        unbounded[s.workload] = n;
        if (n >= s.max && serviceAtMax[s.name][level] === undefined) serviceAtMax[s.name][level] = t;
      }
      const nodes = poolNodes(withReplicas(cost.demands, unbounded), 'max', cost.onDemand.shape, cost.spot?.shape);
      if (nodes.onDemand > input.poolMax.onDemand && poolAtMax.onDemand[level] === undefined) poolAtMax.onDemand[level] = t;
      if (cost.spot && nodes.spot > input.poolMax.spot && poolAtMax.spot[level] === undefined) poolAtMax.spot[level] = t;
    }
  }
  return { rows, serviceAtMax, poolAtMax };
}
