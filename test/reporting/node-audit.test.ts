import { NODE_RECORDS } from '../../constructs/observability/performance-record-names';
import { NODE_STEP_S, auditNodes } from '../../reporting/node-audit';
import { RecordSource, RecordsError } from '../../reporting/records';
import { MatrixSeries } from '../../planning/shared/prometheus-export';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const MIN = 60_000;

/** A source holding `series`, which remembers the ranges it was asked for. */
function sourceOf(series: MatrixSeries[]): RecordSource & { asked: { from: number; to: number }[] } {
  const asked: { from: number; to: number }[] = [];
  return {
    name: 'test',
    asked,
    query: async (nameRegex, _labels, range) => {
      asked.push(range);
      return series
        .filter((s) => new RegExp(`^(?:${nameRegex})$`).test(s.metric.__name__))
        .map((s) => ({ ...s, samples: s.samples.filter(([t]) => t >= range.from && t <= range.to) }));
    },
  };
}

describe('auditNodes', () => {
  it('reads from one step before the range, so a change at its first minute is a difference too', async () => {
    const added: MatrixSeries = {
      metric: { __name__: NODE_RECORDS.added, autoscaler: 'karpenter', reason: 'provisioned' },
      samples: [
        [T0 - MIN, 2],
        [T0, 3],
        [T0 + MIN, 3],
        [T0 + 2 * MIN, 5],
      ],
    };
    const source = sourceOf([added]);
    const changes = await auditNodes(source, T0, T0 + 2 * MIN);
    expect(source.asked).toEqual([{ from: T0 - NODE_STEP_S * 1000, to: T0 + 2 * MIN }]);
    expect(changes.map((c) => [c.t - T0, c.change, c.count, c.reason])).toEqual([
      [0, 'added', 1, 'provisioned'],
      [2 * MIN, 'added', 2, 'provisioned'],
    ]);
  });

  it('refuses a range without node records, naming what to check', async () => {
    await expect(auditNodes(sourceOf([]), T0, T0 + MIN)).rejects.toThrow(RecordsError);
    await expect(auditNodes(sourceOf([]), T0, T0 + MIN)).rejects.toThrow(/does Prometheus scrape Karpenter or the cluster autoscaler/);
  });
});
