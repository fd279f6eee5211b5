import fc from 'fast-check';
import { bestBandThresholds, episodesAtOrBelow } from './natural-variation';

const STEP = 300;
const points = (values: number[], gapAfter?: number) =>
  values.map((value, k) => ({ t: (k + (gapAfter !== undefined && k > gapAfter ? 1 : 0)) * STEP, value }));

describe('natural variation', () => {
  it('counts a run of consecutive evaluations at or below the threshold as one episode, and a gap as a break', () => {
    expect(episodesAtOrBelow(points([1, 0.4, 0.5, 1, 0.3, 1]), 0.5, STEP)).toBe(2);
    expect(episodesAtOrBelow(points([0.4, 0.4, 0.4]), 0.5, STEP)).toBe(1);
    // The same values with an excluded evaluation between the first two: two episodes.
    expect(episodesAtOrBelow(points([0.4, 0.4, 0.4], 0), 0.5, STEP)).toBe(2);
    expect(episodesAtOrBelow(points([0.6, 0.7]), 0.5, STEP)).toBe(0);
  });

  it('counts at least one episode when any evaluation is at or below the threshold, and never more than there are', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { maxLength: 60 }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (v, thr) => {
          const below = v.filter((x) => x <= thr).length;
          const episodes = episodesAtOrBelow(points(v), thr, STEP);
          expect(episodes).toBeLessThanOrEqual(below);
          expect(episodes > 0).toBe(below > 0);
        },
      ),
    );
  });

  it('chooses per-band thresholds that catch the most injections within the false-alert budget', () => {
    const injected = [
      { band: 0, value: 0.4 },
      { band: 0, value: 0.6 },
      { band: 1, value: 0.5 },
    ];
    // Band 0 costs 0.25 a week at 0.4 and 2 at 0.6; band 1 costs 0.75 at 0.5.
    const cost = (band: number, thr: number) => (band === 0 ? (thr <= 0.4 ? 0.25 : 2) : 0.75);
    expect(bestBandThresholds(injected, cost, 1)).toEqual({ caught: 2, falsePerWeek: 1 });
    // Two ways to catch one: the cheaper.
    expect(bestBandThresholds(injected, cost, 0.8)).toEqual({ caught: 1, falsePerWeek: 0.25 });
    expect(bestBandThresholds(injected, cost, 3)).toEqual({ caught: 3, falsePerWeek: 2.75 });
  });

  it('never reports more caught than injected, nor a cost over the budget', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ band: fc.integer({ min: 0, max: 3 }), value: fc.double({ min: 0, max: 1, noNaN: true }) }), { maxLength: 8 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (injected, budget) => {
          const best = bestBandThresholds(injected, (band, thr) => thr * (band + 1), budget);
          expect(best.caught).toBeLessThanOrEqual(injected.length);
          expect(best.falsePerWeek).toBeLessThanOrEqual(budget);
        },
      ),
    );
  });
});
