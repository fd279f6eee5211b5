import * as fc from 'fast-check';
import { NODE_RECORDS } from '../../constructs/observability/performance-record-names';
import { MatrixSeries } from '../../planning/shared/prometheus-export';
import { describeNodeChange, nodeChanges } from '../../reporting/node-changes';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const MIN = 60_000;
const series = (name: string, values: (number | undefined)[], labels: Record<string, string>, start = T0): MatrixSeries => ({
  metric: { __name__: name, ...labels },
  samples: values.flatMap((v, i) => (v === undefined ? [] : [[start + i * MIN, v] as [number, number]])),
});
const karpenter = { autoscaler: 'karpenter', nodepool: 'default', capacity_type: 'spot' };

describe('node changes', () => {
  it('lists each rise of a count as one change with its autoscaler, nodepool, capacity type and reason', () => {
    const changes = nodeChanges(
      [
        series(NODE_RECORDS.added, [40, 40, 42, 42, 43], { ...karpenter, reason: 'provisioned' }),
        series(NODE_RECORDS.removed, [7, 7, 7, 8, 8], { ...karpenter, reason: 'underutilized' }),
        series(NODE_RECORDS.removed, [3, 3, 3, 3, 5], { autoscaler: 'cluster-autoscaler', reason: 'empty' }),
      ],
      T0,
    );
    expect(changes.map((c) => [(c.t - T0) / MIN, c.change, c.count, c.reason])).toEqual([
      [2, 'added', 2, 'provisioned'],
      [3, 'removed', 1, 'underutilized'],
      [4, 'added', 1, 'provisioned'],
      [4, 'removed', 2, 'empty'],
    ]);
    expect(changes[0]).toEqual({
      t: T0 + 2 * MIN,
      autoscaler: 'karpenter',
      change: 'added',
      count: 2,
      reason: 'provisioned',
      nodepool: 'default',
      capacityType: 'spot',
    });
    expect(describeNodeChange(changes[0])).toBe('karpenter added 2 nodes to nodepool default (spot): provisioned');
    expect(describeNodeChange(changes[1])).toBe('karpenter removed 1 node from nodepool default (spot): underutilized');
    expect(describeNodeChange(changes[3])).toBe('cluster-autoscaler removed 2 nodes: empty');
  });

  it('reads a fall as the controller restarting: what it counted since is a change, the reset itself is none', () => {
    const changes = nodeChanges([series(NODE_RECORDS.added, [40, 41, 0, 0, 2], { ...karpenter, reason: 'provisioned' })], T0);
    expect(changes.map((c) => [(c.t - T0) / MIN, c.count])).toEqual([
      [1, 1],
      [4, 2],
    ]);
  });

  it('counts a series that appears after the data starts from zero, and takes one present from the start as the baseline', () => {
    const late = series(NODE_RECORDS.removed, [1, 1], { ...karpenter, reason: 'drifted' }, T0 + 3 * MIN);
    const early = series(NODE_RECORDS.added, [40, 40, 40, 40, 40], { ...karpenter, reason: 'provisioned' });
    expect(nodeChanges([early, late], T0).map((c) => [(c.t - T0) / MIN, c.reason, c.count])).toEqual([[3, 'drifted', 1]]);
  });

  it('lists nothing before --from, though it reads the samples before it', () => {
    const s = series(NODE_RECORDS.added, [1, 2, 3, 4], { ...karpenter, reason: 'provisioned' });
    expect(nodeChanges([s], T0 + 2 * MIN).map((c) => (c.t - T0) / MIN)).toEqual([2, 3]);
  });

  it('finds every node a counter counted, whatever the steps and the restarts that leave it lower (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ added: fc.nat(5), restart: fc.boolean() }), { minLength: 1, maxLength: 60 }), (steps) => {
        // The controller's counter: a restart starts it at zero before the step's additions.
        const values = [10];
        for (const s of steps) values.push((s.restart ? 0 : values[values.length - 1]) + s.added);
        // A restart that ends above the count before it looks like additions, to Prometheus' increase() as here.
        fc.pre(steps.every((s, i) => !s.restart || values[i + 1] < values[i]));
        const changes = nodeChanges([series(NODE_RECORDS.added, values, { ...karpenter, reason: 'provisioned' })], T0);
        expect(changes.reduce((n, c) => n + c.count, 0)).toBe(steps.reduce((n, s) => n + s.added, 0));
        expect(changes.every((c) => c.count > 0)).toBe(true);
      }),
    );
  });
});
