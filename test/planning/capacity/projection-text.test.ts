import { DAY_MS } from '../../../planning/shared/history';
import { MonthlyProjection } from '../../../planning/capacity/monthly-projection';
import { ProjectionScore } from '../../../planning/capacity/projection-backtest';
import { describeProjection } from '../../../planning/capacity/projection-text';

const band = (horizon: number) => ({ horizon, median: 100, lo80: 90, hi80: 110, lo95: 80, hi95: 120 });
const projection = (o: Partial<MonthlyProjection> = {}): MonthlyProjection => ({
  from: Date.UTC(2026, 0, 1),
  level: 100,
  seasonality: 'yearly',
  bands: [1, 2, 3, 4, 5, 6].map(band),
  errorCounts: [20, 19, 18, 17, 16, 15],
  tooShort: [],
  ...o,
});
const score = (count: number): ProjectionScore => ({
  origins: count === 0 ? 0 : 12,
  byHorizon: [],
  all: { count, in80: 0.78, in95: 0.93, above80: 0.12, medianAbsError: 0.07 },
});

describe('describeProjection', () => {
  it('says how the projection was made and how its intervals held on the same history', () => {
    const lines = describeProjection(projection(), score(60), 900);
    expect(lines[0]).toMatch(/^model: today's level .* \(yearly seasonality: two years or more\)/);
    expect(lines[0]).toContain('20/19/18/17/16/15 errors at months 1-6');
    expect(lines[lines.length - 1]).toBe(
      'backtest on this history (12 origins, 60 monthly peaks, months 1-6 ahead): 78% inside the 80% band, 93% inside the 95% band, median error of the median 7%',
    );
    expect(lines).toHaveLength(2);
  });

  it('flags the months a short history cannot carry, as a range, not a trend', () => {
    const lines = describeProjection(projection({ seasonality: 'none', tooShort: [4, 5, 6] }), score(10), 100 + 0 * DAY_MS);
    expect(lines[0]).toContain('no yearly seasonality: under two years');
    expect(lines[1]).toMatch(/^history too short for months 4-6: 100 days of history, .* read them as a range, not a trend$/);
    expect(describeProjection(projection({ tooShort: [6] }), score(10), 150)[1]).toMatch(/^history too short for month 6: /);
  });

  it('names a recent level shift, and an untested interval when no origin could be scored', () => {
    const lines = describeProjection(projection({ levelShift: 0.62 }), score(0), 60);
    expect(lines).toContain('level shift: the last 28 days run at x0.62 the 28 before them; every band is widened by that factor');
    expect(lines[lines.length - 1]).toMatch(
      /no origin has 6 months of history after it and 8 weeks before it, so these intervals are untested here$/,
    );
  });
});
