/**
 * The lines `npm run capacity` prints above a projection: how it was made, what the history was too short for,
 * a recent level shift, and how well the same method's intervals held on this very history.
 */
import { MonthlyProjection } from './monthly-projection';
import { ProjectionScore } from './projection-backtest';

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function describeProjection(p: MonthlyProjection, score: ProjectionScore, historyDays: number): string[] {
  const months = p.bands.length;
  const lines = [
    `model: today's level (median daily peak of the last 28 days, ${p.level.toFixed(0)} req/min) x the monthly peak / level ratio ` +
      `the history shows ${p.seasonality === 'yearly' ? 'at the same time of year (yearly seasonality: two years or more)' : 'over all its origins (no yearly seasonality: under two years)'}; ` +
      `intervals from this method's own errors per horizon in a rolling-origin backtest (${p.errorCounts.join('/')} errors at months 1-${months})`,
  ];
  if (p.tooShort.length > 0) {
    const list = p.tooShort.length === 1 ? `month ${p.tooShort[0]}` : `months ${p.tooShort[0]}-${p.tooShort[p.tooShort.length - 1]}`;
    lines.push(
      `history too short for ${list}: ${historyDays.toFixed(0)} days of history, and a horizon needs twice its length and 3 backtest errors; ` +
        'their median carries the last known growth, halved each month, and their bands are widened (at least x1.3 / x1.6 either way a month ahead, growing with the square root of the months): read them as a range, not a trend',
    );
  }
  if (p.levelShift !== undefined)
    lines.push(`level shift: the last 28 days run at x${p.levelShift.toFixed(2)} the 28 before them; every band is widened by that factor`);
  lines.push(
    score.all.count === 0
      ? `backtest on this history: no origin has ${months} months of history after it and 8 weeks before it, so these intervals are untested here`
      : `backtest on this history (${score.origins} origins, ${score.all.count} monthly peaks, months 1-${months} ahead): ` +
          `${pct(score.all.in80)} inside the 80% band, ${pct(score.all.in95)} inside the 95% band, ` +
          `median error of the median ${pct(score.all.medianAbsError)}`,
  );
  return lines;
}
