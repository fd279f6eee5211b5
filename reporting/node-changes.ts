/**
 * Every node change of the cluster's autoscaler (Karpenter or the cluster autoscaler) with the reason the tool gave,
 * from the recorded cumulative counts (NODE_RECORDS): a change is a rise between two consecutive samples of one
 * autoscaler/nodepool/capacity type/reason. A fall is the controller restarting (its counter starts again at zero):
 * what it counted since is the new sample's value, as Prometheus' own `increase` reads a counter reset. Pure.
 */
import { NODE_RECORDS } from '../constructs/observability/performance-record-names';
import { MatrixSeries } from '../planning/shared/prometheus-export';

export interface NodeChange {
  /** Epoch ms of the first sample that shows it. */
  readonly t: number;
  /** `karpenter` or `cluster-autoscaler`. */
  readonly autoscaler: string;
  readonly change: 'added' | 'removed';
  readonly count: number;
  /**
   * As the tool names it: Karpenter's `provisioned` (pending pods) or the disruption a node was added to replace or
   * removed for (`underutilized`, `empty`, `drifted`, `expired`, ...); the cluster autoscaler's `underutilized`,
   * `empty`, `unready`, or `pending_pods` for its scale-ups.
   */
  readonly reason: string;
  /** Karpenter's NodePool; undefined for the cluster autoscaler. */
  readonly nodepool?: string;
  /** `spot` or `on-demand` (Karpenter). */
  readonly capacityType?: string;
}

/**
 * The changes in `series` (the recorded node series, read from before `from` where the source has it) from `from`
 * on, oldest first. A series whose first sample comes after the data's first one appeared then: the controller
 * counted its value since it started (or since it first added or removed a node for that reason).
 */
/**
 * What a cumulative record counted at each sample: the rise since the sample before, a fall being its process
 * restarting (it counted the new value since). The first sample counts its value only when the series `appeared`
 * then; otherwise it is the starting point. Shared with the report's remediation counts (findings.ts).
 */
export function counterSteps(samples: readonly (readonly [number, number])[], appeared: boolean): [number, number][] {
  return samples.map(([t, v], i) => {
    const prev = i > 0 ? samples[i - 1][1] : undefined;
    return [t, prev === undefined ? (appeared ? v : 0) : v >= prev ? v - prev : v];
  });
}

export function nodeChanges(series: readonly MatrixSeries[], from: number): NodeChange[] {
  const kinds = series.flatMap((s) => {
    const change = s.metric.__name__ === NODE_RECORDS.added ? 'added' : s.metric.__name__ === NODE_RECORDS.removed ? 'removed' : undefined;
    return change && s.samples.length > 0 ? [{ s, change: change as NodeChange['change'] }] : [];
  });
  const dataStart = Math.min(...kinds.map(({ s }) => s.samples[0][0]));
  const out: NodeChange[] = [];
  for (const { s, change } of kinds) {
    for (const [t, count] of counterSteps(s.samples, s.samples[0][0] > dataStart)) {
      // Counts are whole; a guard for values that went through float text.
      const n = Math.round(count);
      if (n <= 0 || t < from) continue;
      out.push({
        t,
        autoscaler: s.metric.autoscaler ?? 'unknown',
        change,
        count: n,
        reason: s.metric.reason || 'unknown',
        ...(s.metric.nodepool ? { nodepool: s.metric.nodepool } : {}),
        ...(s.metric.capacity_type ? { capacityType: s.metric.capacity_type } : {}),
      });
    }
  }
  return out.sort((a, b) => a.t - b.t || a.change.localeCompare(b.change) || a.reason.localeCompare(b.reason));
}

/** One change as a sentence: `karpenter added 2 nodes to nodepool default (spot): provisioned`. */
export function describeNodeChange(c: NodeChange): string {
  const nodes = `${c.count} node${c.count === 1 ? '' : 's'}`;
  const where = c.nodepool ? ` ${c.change === 'added' ? 'to' : 'from'} nodepool ${c.nodepool}` : '';
  const capacity = c.capacityType ? ` (${c.capacityType})` : '';
  return `${c.autoscaler} ${c.change} ${nodes}${where}${capacity}: ${c.reason}`;
}
