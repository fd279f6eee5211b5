/**
 * The cluster's node changes over a range, read from a record source (the counting is reporting/node-changes.ts):
 * for `npm run scaling-audit -- --nodes` and the performance report's nodes panel.
 */
import { NODE_RECORDS } from '../constructs/observability/performance-record-names';
import { NodeChange, nodeChanges } from './node-changes';
import { RecordSource, RecordsError } from './records';

/** The node records are evaluated every minute. */
export const NODE_STEP_S = 60;

/**
 * The cluster's node changes in the range; a range without node records (no autoscaler scraped, or the rules not
 * loaded) throws RecordsError. Read from one step before `from`, so a change at `from` is a difference too.
 */
export async function auditNodes(source: RecordSource, from: number, to: number): Promise<NodeChange[]> {
  const range = { from: from - NODE_STEP_S * 1000, to };
  const series = await source.query(`${NODE_RECORDS.added}|${NODE_RECORDS.removed}`, {}, range, NODE_STEP_S);
  if (series.length === 0)
    throw new RecordsError([
      `${source.name}: no node records between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}; is the range right, does Prometheus scrape Karpenter or the cluster autoscaler, and does it load the performance-records rules?`,
    ]);
  return nodeChanges(series, from).filter((c) => c.t <= to);
}
