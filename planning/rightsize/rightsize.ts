/**
 * Right-sizing: requests and limits recommended from observed usage, with the HPA in the maths.
 *
 * For a service its HPA scales on CPU, the request does not set how busy a pod is (the HPA keeps pods near
 * `target x request`); it sets how many pods run and how hot one pod gets while the HPA is still reacting and when
 * the service sits at its minimum. So the CPU request is the smallest one with which a replay of the history through
 * the HPA keeps pods above their request in at most the budgeted share of time. Elsewhere it is a high percentile of
 * per-pod usage. Memory is never throttled, only killed: the request (= limit) is the peak working set plus a margin,
 * start-up peaks included, raised after OOM kills (whose observed peak stops at the old limit).
 */
import { ContainerUsage } from './usage';
import { HOURS_PER_MONTH } from '../cost/cost-report';
import { DAY_MS } from '../shared/history';

export interface CurrentSizing {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Utilization target (0-1) of the HPA's CPU metric, when it scales on CPU. */
  readonly cpuTarget?: number;
}

export interface RightsizeOptions {
  /** Share of minutes a pod may use more CPU than it requests. @default 0.05 */
  readonly cpuOverBudget?: number;
  /** Headroom over the peak working set. @default 0.15 */
  readonly memoryMargin?: number;
  /** Minutes between load and the HPA's reaction (metrics window, sync, pod start). @default 3 */
  readonly hpaLagMinutes?: number;
}

export interface Sizing {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

export interface Recommendation {
  readonly container: string;
  readonly current: Sizing;
  readonly recommended: Sizing;
  /** What the VPA recommender's target would be on the same data. */
  readonly vpa: Sizing;
  /** Why, in a few words each. */
  readonly reasons: readonly string[];
}

const CPU_STEP = 5;
const MEMORY_STEP = 16;
/** The VPA recommender's floors, safety margin and percentile (recommender defaults). */
const VPA = {
  minCpuMillis: 25,
  minMemoryMiB: 250,
  margin: 0.15,
  percentile: 0.9,
  halfLifeMs: DAY_MS,
  oomBump: 1.2,
  oomMinBumpMiB: 100,
};

const roundUp = (v: number, step: number) => Math.ceil(v / step) * step;

/** Replicas the HPA runs at each step with request `cpuMillis`: lagged load over target capacity, clamped to bounds. */
export function hpaReplicas(u: ContainerUsage, current: CurrentSizing, cpuMillis: number, lagSteps: number): Float64Array {
  const n = new Float64Array(u.cpuCores.length);
  const perPod = (current.cpuTarget ?? 1) * (cpuMillis / 1000);
  for (let i = 0; i < n.length; i++) {
    const seen = u.cpuCores[Math.max(0, i - lagSteps)];
    const wanted = Number.isFinite(seen) ? Math.ceil(seen / perPod - 1e-9) : current.minReplicas;
    n[i] = Math.min(current.maxReplicas, Math.max(current.minReplicas, wanted));
  }
  return n;
}

/** Share of steps in which a pod uses more CPU than `cpuMillis`, with pods as the HPA (or the history) runs them. */
export function cpuOverShare(u: ContainerUsage, current: CurrentSizing, cpuMillis: number, lagSteps: number): number {
  const pods = current.cpuTarget !== undefined ? hpaReplicas(u, current, cpuMillis, lagSteps) : u.pods;
  let over = 0;
  let total = 0;
  for (let i = 0; i < u.cpuCores.length; i++) {
    const cpu = u.cpuCores[i];
    const n = pods[i];
    if (!Number.isFinite(cpu) || !Number.isFinite(n) || n <= 0) continue;
    total++;
    if ((cpu / n) * 1000 > cpuMillis) over++;
  }
  return total === 0 ? 0 : over / total;
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function finite(a: Float64Array): number[] {
  return Array.from(a).filter(Number.isFinite);
}

/** Recommends a container's requests from a usage history. */
export function recommend(u: ContainerUsage, current: CurrentSizing, options: RightsizeOptions = {}): Recommendation {
  const budget = options.cpuOverBudget ?? 0.05;
  const margin = options.memoryMargin ?? 0.15;
  const lag = Math.max(0, Math.round(((options.hpaLagMinutes ?? 3) * 60_000) / u.stepMs));
  const reasons: string[] = [];

  // Half the budget on the learning window, the other half for what the future adds.
  const fit = budget / 2;
  let cpu: number;
  if (current.cpuTarget !== undefined) {
    const peakPerPod = Math.max(CPU_STEP, ...finite(u.cpuCores).map((c) => (c / current.minReplicas) * 1000));
    // Over-share does not grow with the request (a bigger request means fewer pods, each as hot relative to its
    // request, and cooler ones at the minimum), so the smallest passing request is found by bisection on the grid.
    let lo = 1;
    let hi = Math.ceil(peakPerPod / CPU_STEP);
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cpuOverShare(u, current, mid * CPU_STEP, lag) <= fit) hi = mid;
      else lo = mid + 1;
    }
    cpu = lo * CPU_STEP;
    reasons.push(
      `cpu: smallest request the HPA (target ${Math.round(current.cpuTarget * 100)}%) keeps pods within their request ${((1 - fit) * 100).toFixed(1)}% of the time`,
    );
  } else {
    const perPod = Array.from(u.cpuCores).flatMap((c, i) => (Number.isFinite(c) && u.pods[i] > 0 ? [(c / u.pods[i]) * 1000] : []));
    cpu = roundUp(Math.max(CPU_STEP, quantile(perPod, 1 - fit)), CPU_STEP);
    reasons.push(`cpu: p${((1 - fit) * 100).toFixed(1)} of per-pod usage`);
  }

  const peak = Math.max(0, ...finite(u.memoryPeakMiB));
  let memory = roundUp(Math.max(peak * (1 + margin), peak + 32), MEMORY_STEP);
  reasons.push(`memory: peak ${Math.round(peak)}Mi (start-up included) + ${Math.round(margin * 100)}%`);
  const ooms = finite(u.oomKills).reduce((a, b) => a + b, 0);
  if (ooms > 0) {
    // An OOM-killed container's peak stops at its limit: its need is unknown but higher.
    memory = Math.max(memory, roundUp(current.memoryMiB * 1.5, MEMORY_STEP));
    reasons.push(`memory: ${Math.round(ooms)} OOM kill(s) in the history, so at least 1.5x the current limit`);
  }
  return {
    container: u.container,
    current: { cpuMillis: current.cpuMillis, memoryMiB: current.memoryMiB },
    recommended: { cpuMillis: cpu, memoryMiB: memory },
    vpa: vpaTarget(u, current),
    reasons,
  };
}

/**
 * The VPA recommender's target on the same data, as its documented algorithm computes it: CPU at the 90th
 * percentile of usage samples weighted by a 24-hour half-life, memory at the 90th percentile of daily peaks (an OOM
 * counts as 1.2x the limit, at least +100Mi), both plus a 15% margin, with the recommender's 25m / 250Mi floors.
 * @see https://github.com/kubernetes/autoscaler/blob/master/vertical-pod-autoscaler/docs/algorithm.md
 */
export function vpaTarget(u: ContainerUsage, current: CurrentSizing): Sizing {
  const end = u.start + u.cpuCores.length * u.stepMs;
  const weighted: { v: number; w: number }[] = [];
  for (let i = 0; i < u.cpuCores.length; i++) {
    const c = u.cpuCores[i];
    const n = u.pods[i];
    if (!Number.isFinite(c) || !(n > 0)) continue;
    const w = 2 ** ((u.start + i * u.stepMs - end) / VPA.halfLifeMs);
    // The recommender takes one sample per container per scrape: n pods give n samples of the per-pod usage.
    weighted.push({ v: (c / n) * 1000, w: w * n });
  }
  weighted.sort((a, b) => a.v - b.v);
  const totalW = weighted.reduce((a, s) => a + s.w, 0);
  let acc = 0;
  let cpuP = 0;
  for (const s of weighted) {
    acc += s.w;
    cpuP = s.v;
    if (acc >= VPA.percentile * totalW) break;
  }
  const peaks = new Map<number, number>();
  for (let i = 0; i < u.memoryPeakMiB.length; i++) {
    const t = u.start + i * u.stepMs;
    const d = Math.floor(t / DAY_MS);
    let m = u.memoryPeakMiB[i];
    if (u.oomKills[i] > 0) m = Math.max(m, current.memoryMiB * VPA.oomBump, current.memoryMiB + VPA.oomMinBumpMiB);
    if (Number.isFinite(m)) peaks.set(d, Math.max(peaks.get(d) ?? 0, m));
  }
  const memP = quantile([...peaks.values()], VPA.percentile);
  return {
    cpuMillis: roundUp(Math.max(VPA.minCpuMillis, cpuP * (1 + VPA.margin)), CPU_STEP),
    memoryMiB: roundUp(Math.max(VPA.minMemoryMiB, memP * (1 + VPA.margin)), MEMORY_STEP),
  };
}

export interface Check {
  /** Share of steps a pod used more CPU than requested. */
  readonly cpuOverShare: number;
  /** Steps whose largest pod's working set exceeded the memory limit (an OOM kill). */
  readonly oomSteps: number;
  /** Mean replicas (HPA replay for CPU-scaled services, else as observed). */
  readonly meanReplicas: number;
}

/** How a sizing would have fared on a (later) window of history. */
export function check(u: ContainerUsage, current: CurrentSizing, sizing: Sizing, options: RightsizeOptions = {}): Check {
  const lag = Math.max(0, Math.round(((options.hpaLagMinutes ?? 3) * 60_000) / u.stepMs));
  const pods = current.cpuTarget !== undefined ? hpaReplicas(u, current, sizing.cpuMillis, lag) : u.pods;
  const ps = finite(pods);
  let oom = 0;
  // A step with an OOM kill shows the working set capped at today's limit: the need was higher, so only a limit
  // above today's would have survived it.
  for (let i = 0; i < u.memoryPeakMiB.length; i++)
    if (u.memoryPeakMiB[i] > sizing.memoryMiB || (u.oomKills[i] > 0 && sizing.memoryMiB <= current.memoryMiB)) oom++;
  return {
    cpuOverShare: cpuOverShare(u, current, sizing.cpuMillis, lag),
    oomSteps: oom,
    meanReplicas: ps.reduce((a, b) => a + b, 0) / Math.max(1, ps.length),
  };
}

/**
 * Prices per vCPU-hour and GiB-hour. Node prices are split between CPU and memory in the ratio AWS's general
 * purpose instances imply (Kubecost's defaults: $0.031611 per vCPU-hour to $0.004237 per GiB-hour).
 */
export interface ResourcePrices {
  readonly vcpuHourly: number;
  readonly gibHourly: number;
}

export const DEFAULT_PRICES: ResourcePrices = { vcpuHourly: 0.031611, gibHourly: 0.004237 };

/** Splits a node's hourly price into per-vCPU and per-GiB prices in the default ratio. */
export function pricesFromNode(vcpu: number, memoryGiB: number, hourly: number): ResourcePrices {
  const unit = hourly / (vcpu * DEFAULT_PRICES.vcpuHourly + memoryGiB * DEFAULT_PRICES.gibHourly);
  return { vcpuHourly: DEFAULT_PRICES.vcpuHourly * unit, gibHourly: DEFAULT_PRICES.gibHourly * unit };
}

/** Monthly cost ({@link HOURS_PER_MONTH} hours) of the requests of `replicas` pods of a sizing. */
export function monthlyCost(sizing: Sizing, replicas: number, prices: ResourcePrices): number {
  return replicas * HOURS_PER_MONTH * ((sizing.cpuMillis / 1000) * prices.vcpuHourly + (sizing.memoryMiB / 1024) * prices.gibHourly);
}
