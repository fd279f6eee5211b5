/**
 * Does an environment fit a given set of nodes? Every pod at minimum or maximum replicas is placed, largest first,
 * on the node with room that holds the fewest pods of the same workload (as the scheduler's spread would), after
 * each node's kubelet, OS and DaemonSet overhead. Pure: `npm run capacity -- --nodes` is the CLI around it.
 */
import { NodeShape, PodDemand, podsAt } from '../../sizing/node-sizing';

/** `count` identical nodes of `cpuMillis` and `memoryMiB` (before overhead). */
export interface NodeGroup {
  readonly count: number;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

/** kubelet, OS and DaemonSets per node: the default of `nodeOverhead` in the stack config. */
export const DEFAULT_NODE_OVERHEAD: NodeShape = { cpuMillis: 400, memoryMiB: 1536 };

const MEMORY_UNITS: Record<string, number> = { Mi: 1, Gi: 1024, Ti: 1024 ** 2, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20, T: 1e12 / 2 ** 20 };

/**
 * Parses `<n>x<cpu>/<memory>` (`3x8/32Gi`, `1x4/8G`, `2x500m/1024Mi`); several groups separated by commas. CPU in
 * cores or millicores (`m`); memory with a unit (`Gi`, `G`, `Mi`, ...). Returns the groups or one problem per group.
 */
export function parseNodes(text: string): { groups: NodeGroup[]; problems: string[] } {
  const groups: NodeGroup[] = [];
  const problems: string[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    const m = /^(\d+)x(\d+(?:\.\d+)?)(m?)\/(\d+(?:\.\d+)?)(Mi|Gi|Ti|M|G|T)$/.exec(part);
    if (!m) {
      problems.push(`'--nodes' (${JSON.stringify(part)}) must be <count>x<cpu>/<memory with unit>, e.g. 3x8/32Gi or 1x4/8G`);
      continue;
    }
    const count = Number(m[1]);
    const cpuMillis = m[3] === 'm' ? Number(m[2]) : Number(m[2]) * 1000;
    const memoryMiB = Number(m[4]) * MEMORY_UNITS[m[5]];
    if (count < 1 || cpuMillis <= 0 || memoryMiB <= 0)
      problems.push(`'--nodes' (${JSON.stringify(part)}) needs at least one node with CPU and memory above 0`);
    else groups.push({ count, cpuMillis, memoryMiB });
  }
  return { groups, problems };
}

export interface NodeUse {
  readonly node: string;
  readonly allocatable: NodeShape;
  readonly requested: NodeShape;
  readonly pods: readonly string[];
}

export interface FitResult {
  readonly level: 'min' | 'max';
  readonly fits: boolean;
  readonly nodes: readonly NodeUse[];
  /** Pods no node had room for, by workload. */
  readonly unplaced: readonly {
    readonly workload: string;
    readonly count: number;
    readonly cpuMillis: number;
    readonly memoryMiB: number;
  }[];
  /** Requested over allocatable, whole set, 0-1. */
  readonly cpuShare: number;
  readonly memoryShare: number;
}

/** Places every pod of `demands` at `level` on the nodes. */
export function fit(
  demands: readonly PodDemand[],
  groups: readonly NodeGroup[],
  level: 'min' | 'max',
  overhead: NodeShape = DEFAULT_NODE_OVERHEAD,
): FitResult {
  const nodes = groups.flatMap((g, gi) =>
    Array.from({ length: g.count }, (_, i) => ({
      node: `node-${gi + 1}-${i + 1}`,
      allocatable: { cpuMillis: Math.max(0, g.cpuMillis - overhead.cpuMillis), memoryMiB: Math.max(0, g.memoryMiB - overhead.memoryMiB) },
      requested: { cpuMillis: 0, memoryMiB: 0 },
      pods: [] as string[],
      counts: new Map<string, number>(),
    })),
  );
  const totalCpu = nodes.reduce((a, n) => a + n.allocatable.cpuMillis, 0);
  const totalMem = nodes.reduce((a, n) => a + n.allocatable.memoryMiB, 0);
  const share = (p: PodDemand) => Math.max(p.cpuMillis / Math.max(1, totalCpu), p.memoryMiB / Math.max(1, totalMem));
  const unplaced = new Map<string, { workload: string; count: number; cpuMillis: number; memoryMiB: number }>();
  for (const p of [...podsAt(demands, level)].sort((a, b) => share(b) - share(a) || a.workload.localeCompare(b.workload))) {
    const candidates = nodes.filter(
      (n) =>
        n.allocatable.cpuMillis - n.requested.cpuMillis >= p.cpuMillis && n.allocatable.memoryMiB - n.requested.memoryMiB >= p.memoryMiB,
    );
    if (candidates.length === 0) {
      const u = unplaced.get(p.workload) ?? { workload: p.workload, count: 0, cpuMillis: p.cpuMillis, memoryMiB: p.memoryMiB };
      u.count++;
      unplaced.set(p.workload, u);
      continue;
    }
    // Spread: the node with the fewest pods of this workload, then the fullest (fewer nodes used, less fragmentation).
    const best = candidates.reduce((a, b) => {
      const ca = a.counts.get(p.workload) ?? 0;
      const cb = b.counts.get(p.workload) ?? 0;
      if (ca !== cb) return ca < cb ? a : b;
      return b.requested.cpuMillis / Math.max(1, b.allocatable.cpuMillis) > a.requested.cpuMillis / Math.max(1, a.allocatable.cpuMillis)
        ? b
        : a;
    });
    best.requested.cpuMillis += p.cpuMillis;
    best.requested.memoryMiB += p.memoryMiB;
    best.pods.push(p.workload);
    best.counts.set(p.workload, (best.counts.get(p.workload) ?? 0) + 1);
  }
  const requestedCpu = podsAt(demands, level).reduce((a, p) => a + p.cpuMillis, 0);
  const requestedMem = podsAt(demands, level).reduce((a, p) => a + p.memoryMiB, 0);
  return {
    level,
    fits: unplaced.size === 0,
    nodes: nodes.map(({ node, allocatable, requested, pods }) => ({ node, allocatable, requested, pods })),
    unplaced: [...unplaced.values()],
    cpuShare: requestedCpu / Math.max(1, totalCpu),
    memoryShare: requestedMem / Math.max(1, totalMem),
  };
}

/** The smallest count of nodes of one shape that holds every pod at `level` (for "what the maximum needs"). */
export function nodesNeeded(
  demands: readonly PodDemand[],
  shape: Omit<NodeGroup, 'count'>,
  level: 'min' | 'max',
  overhead: NodeShape = DEFAULT_NODE_OVERHEAD,
): number | undefined {
  const cpu = shape.cpuMillis - overhead.cpuMillis;
  const memory = shape.memoryMiB - overhead.memoryMiB;
  const pods = podsAt(demands, level);
  // A pod larger than the node never fits, however many nodes there are.
  if (pods.some((p) => p.cpuMillis > cpu || p.memoryMiB > memory)) return undefined;
  // Start from the lower bound the totals give; spreading may need a few more.
  const total = pods.reduce((a, p) => ({ c: a.c + p.cpuMillis, m: a.m + p.memoryMiB }), { c: 0, m: 0 });
  for (let count = Math.max(1, Math.ceil(Math.max(total.c / cpu, total.m / memory))); count <= pods.length + 1; count++)
    if (fit(demands, [{ ...shape, count }], level, overhead).fits) return count;
  return undefined;
}

const cores = (m: number) => `${(m / 1000).toFixed(2)}`;
const gib = (m: number) => `${(m / 1024).toFixed(1)}Gi`;

/** Whether the pods fit the nodes at minimum and at maximum replicas, and how many nodes of the largest shape each needs. */
export interface FitReport {
  readonly results: readonly FitResult[];
  /** Nodes of the largest shape given that each level needs; `undefined` where a pod is larger than that node. */
  readonly nodesNeeded: ReadonlyMap<'min' | 'max', number | undefined>;
  /** The largest shape, as text: `8 cores/32.0Gi`. */
  readonly shape: string;
}

/** The fit at both replica levels, and "what the maximum needs" in nodes of the largest shape given. */
export function fitReport(demands: readonly PodDemand[], groups: readonly NodeGroup[], overhead: NodeShape): FitReport {
  const levels = ['min', 'max'] as const;
  const results = levels.map((level) => fit(demands, groups, level, overhead));
  const largest = [...groups].sort((a, b) => b.cpuMillis * b.memoryMiB - a.cpuMillis * a.memoryMiB)[0];
  const needed = new Map(levels.map((level) => [level, nodesNeeded(demands, largest, level, overhead)]));
  return { results, nodesNeeded: needed, shape: `${largest.cpuMillis / 1000} cores/${(largest.memoryMiB / 1024).toFixed(1)}Gi` };
}

/** Text report: per level, the totals, every node's pods and the pods that did not fit. */
export function renderFit(
  env: string,
  results: readonly FitResult[],
  shapeNeeded: ReadonlyMap<'min' | 'max', number | undefined>,
  shapeText: string,
): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(
      `${env} at ${r.level} replicas: ${r.fits ? 'FITS' : 'DOES NOT FIT'} — requests ${Math.round(r.cpuShare * 100)}% of allocatable CPU, ${Math.round(r.memoryShare * 100)}% of memory`,
    );
    for (const n of r.nodes) {
      const byWorkload = new Map<string, number>();
      for (const p of n.pods) byWorkload.set(p, (byWorkload.get(p) ?? 0) + 1);
      lines.push(
        `  ${n.node}  cpu ${cores(n.requested.cpuMillis)}/${cores(n.allocatable.cpuMillis)}  memory ${gib(n.requested.memoryMiB)}/${gib(n.allocatable.memoryMiB)}  ${[...byWorkload].map(([w, c]) => `${w.split('/').pop()}x${c}`).join(' ')}`,
      );
    }
    for (const u of r.unplaced) lines.push(`  unplaced: ${u.workload} x${u.count} (${u.cpuMillis}m, ${Math.round(u.memoryMiB)}Mi each)`);
    const needed = shapeNeeded.get(r.level);
    lines.push(
      needed === undefined
        ? `  a pod is larger than one node of ${shapeText} (after overhead): use larger nodes`
        : `  needs ${needed} node(s) of ${shapeText} at ${r.level} replicas`,
    );
  }
  return `${lines.join('\n')}\n`;
}
