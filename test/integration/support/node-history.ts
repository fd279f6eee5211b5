/**
 * The node side of the scaling audit suite: the HPA simulator's replica series of every service, packed each minute
 * onto nodes of the environment's spot pool by the project's own bin packing (planning/capacity.ts `nodesFor`, the
 * pods' requests as synthesized), and Karpenter's counters as it would expose them for that node count: node claims
 * created for pending pods, disrupted as underutilized (by day) or empty (at night), one drift replacement, and one
 * Karpenter restart that starts every counter again from zero. Returns the OpenMetrics text and every change made.
 */
import { NodeShape, nodesFor, podDemands } from '../../../sizing/node-sizing';
import { SimSync } from '../../../planning/forecast/hpa-sim';
import { objectsOfApp } from '../../support/synth';
import { buildPlatform } from '../../../stacks/platform';
import { Environment } from '../../../stacks/environment';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface ExpectedNodeChange {
  readonly t: number;
  readonly change: 'added' | 'removed';
  readonly count: number;
  readonly reason: string;
}

export interface NodeHistory {
  /** Karpenter's counter families and kube_node_info, for `promtool tsdb create-blocks-from openmetrics` (no `# EOF`). */
  readonly openMetrics: string;
  readonly changes: readonly ExpectedNodeChange[];
  /** The node count each minute. */
  readonly nodes: readonly number[];
}

const LABELS = 'nodepool="default",capacity_type="spot"';

/** Replicas of each service at `t`: the last sync at or before it. */
function replicasAt(syncs: readonly SimSync[], t: number): number {
  let lo = 0;
  for (let hi = syncs.length - 1; lo < hi;) {
    const mid = Math.ceil((lo + hi) / 2);
    if (syncs[mid].t <= t) lo = mid;
    else hi = mid - 1;
  }
  return syncs[lo].desired;
}

export function nodeHistory(
  env: Environment,
  syncs: Readonly<Record<string, readonly SimSync[]>>,
  shape: NodeShape,
  from: number,
  end: number,
): NodeHistory {
  const demands = podDemands(objectsOfApp(buildPlatform(env).app));
  const perPod = Object.fromEntries(
    Object.keys(syncs).map((service) => {
      const d = demands.find((x) => x.workload === `Deployment/${env.namespace}/${service}`);
      if (!d) throw new Error(`no Deployment ${service} in ${env.name}`);
      return [service, { cpuMillis: d.cpuMillis, memoryMiB: d.memoryMiB }];
    }),
  );
  const driftAt = from + 13 * HOUR;
  const restartAt = from + 17 * HOUR + 30 * MINUTE;
  // Counters of a Karpenter running since before `from` (key: family and reason), and those it exposes now.
  const counters = new Map<string, number>([
    ['created provisioned', 120],
    ['disrupted underutilized', 80],
    ['disrupted empty', 30],
  ]);
  // Lines per series, each series' samples together (families, then series, as OpenMetrics orders them).
  const series = new Map<string, string[]>();
  const changes: ExpectedNodeChange[] = [];
  const nodes: number[] = [];
  const info = new Map<number, string[]>();
  const bump = (t: number, family: 'created' | 'disrupted', reason: string, count: number) => {
    const key = `${family} ${reason}`;
    counters.set(key, (counters.get(key) ?? 0) + count);
    changes.push({ t, change: family === 'created' ? 'added' : 'removed', count, reason });
  };
  for (let t = from; t < end; t += MINUTE) {
    const pods = Object.entries(syncs).flatMap(([service, s]) => Array.from({ length: replicasAt(s, t) }, () => perPod[service]));
    const n = nodesFor(pods, shape);
    const prev = nodes[nodes.length - 1];
    nodes.push(n);
    // A restart: the process's counters are gone, each series comes back at its next count.
    if (t === restartAt) counters.clear();
    if (prev !== undefined && n > prev) bump(t, 'created', 'provisioned', n - prev);
    if (prev !== undefined && n < prev) bump(t, 'disrupted', new Date(t).getUTCHours() < 6 ? 'empty' : 'underutilized', prev - n);
    // A drifted node replaced: one claim created, one disrupted, the count unchanged.
    if (t === driftAt) {
      bump(t, 'created', 'drifted', 1);
      bump(t, 'disrupted', 'drifted', 1);
    }
    const ts = (t / 1000).toFixed(0);
    // kube-state-metrics' one series per node, for the node count record.
    for (let i = 0; i < n; i++) info.set(i, [...(info.get(i) ?? []), `kube_node_info{node="node-${i}"} 1 ${ts}`]);
    for (const [key, value] of counters) {
      const lines = series.get(key) ?? [];
      const [family, reason] = key.split(' ');
      lines.push(`karpenter_nodeclaims_${family}_total{${LABELS},reason="${reason}"} ${value} ${ts}`);
      series.set(key, lines);
    }
  }
  const openMetrics = ['created', 'disrupted']
    .map((family) =>
      [`# TYPE karpenter_nodeclaims_${family} counter`, ...[...series].filter(([k]) => k.startsWith(family)).flatMap(([, l]) => l)].join(
        '\n',
      ),
    )
    .join('\n');
  const nodeInfo = ['# TYPE kube_node_info gauge', ...[...info.values()].flat()].join('\n');
  return { openMetrics: `${openMetrics}\n${nodeInfo}\n`, changes, nodes };
}
