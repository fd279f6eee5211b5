import { PrometheusExportError, readMatrix } from '../../../planning/shared/prometheus-export';

const doc = (result: unknown) => JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });

describe('readMatrix', () => {
  it('keeps each series with its labels, samples in epoch milliseconds', () => {
    expect(readMatrix(doc([{ metric: { container: 'web' }, values: [[1700000000, '2.5']] }]), 'x.json')).toEqual([
      { metric: { container: 'web' }, samples: [[1700000000000, 2.5]] },
    ]);
  });

  it.each([
    ['text that is not JSON', 'nope', /^x\.json:1: not JSON/],
    [
      'an instant query',
      JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }),
      /expected a Prometheus range-query export/,
    ],
    [
      'a negative value',
      doc([{ values: [[1, '-1']] }]),
      /data\.result\[0\]\.values\[0\] \(\[1,"-1"\]\) must be \[unix seconds, "value >= 0"\]/,
    ],
  ])('refuses %s, naming the file', (_case, text, message) => {
    expect(() => readMatrix(text, 'x.json')).toThrow(PrometheusExportError);
    expect(() => readMatrix(text, 'x.json')).toThrow(message);
  });
});
