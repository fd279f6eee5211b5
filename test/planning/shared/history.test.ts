import { parseHistories } from '../../../planning/shared/history';

describe('parseHistories', () => {
  const prom = (from: number, n: number, perSecond: number) =>
    JSON.stringify({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [{ metric: {}, values: Array.from({ length: n }, (_, i) => [from + i * 60, String(perSecond)]) }],
      },
    });

  it('joins weekly exports into one history, later pieces winning where they overlap', () => {
    const h = parseHistories([
      { text: prom(0, 10, 1), file: 'w1.json' },
      { text: prom(540, 10, 2), file: 'w2.json' },
    ]);
    expect(h.perMinute.length).toBe(19);
    expect([h.perMinute[0], h.perMinute[9], h.perMinute[18]]).toEqual([60, 120, 120]);
  });

  it('refuses pieces of different kinds, naming them', () => {
    expect(() =>
      parseHistories([
        { text: prom(0, 3, 1), file: 'a.json' },
        { text: 'ts,requests\n', file: 'b.csv' },
      ]),
    ).toThrow(/a\.json, b\.csv: mix CSV and Prometheus JSON/);
  });
});
