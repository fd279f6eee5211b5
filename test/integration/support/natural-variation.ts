/**
 * How often normal traffic looks like an anomaly: the bound on what any threshold on one statistic can detect at a
 * given false-alert rate, measured on the normal weeks rather than assumed.
 */

/** A value of the statistic at an evaluation time (s), on normal traffic. */
export type Point = { t: number; value: number };

/**
 * Episodes (runs of consecutive evaluations, `stepSeconds` apart) in which the statistic is at or below
 * `threshold`: the alerts a threshold there would raise, with no `for` to thin them.
 */
export function episodesAtOrBelow(points: readonly Point[], threshold: number, stepSeconds: number): number {
  let episodes = 0;
  let last = -Infinity;
  for (const { t, value } of points) {
    if (value > threshold) continue;
    if (t - last !== stepSeconds) episodes++;
    last = t;
  }
  return episodes;
}

/** An injected anomaly: its band (e.g. of the day) and the statistic it reached (lower is more anomalous). */
export type Injected = { band: number; value: number };

/**
 * The most injections any set of per-band thresholds catches while the false alerts they raise on normal traffic
 * stay within `budget` (per week): an oracle that chooses the thresholds knowing both the normal weeks and the
 * injections, so an upper bound for detectors thresholding this statistic. `cost(band, threshold)` is the false
 * alerts per week a threshold raises in its band. Exhaustive over the few candidate thresholds (the injections' own
 * values) per band.
 */
export function bestBandThresholds(
  injected: readonly Injected[],
  cost: (band: number, threshold: number) => number,
  budget: number,
): { caught: number; falsePerWeek: number } {
  const bands = [...new Set(injected.map((i) => i.band))];
  const options = bands.map((band) => {
    const values = injected.filter((i) => i.band === band).map((i) => i.value);
    return [{ caught: 0, cost: 0 }, ...values.map((v) => ({ caught: values.filter((x) => x <= v).length, cost: cost(band, v) }))];
  });
  let best = { caught: 0, falsePerWeek: 0 };
  const visit = (b: number, caught: number, spent: number): void => {
    if (spent > budget) return;
    if (b === options.length) {
      if (caught > best.caught || (caught === best.caught && spent < best.falsePerWeek)) best = { caught, falsePerWeek: spent };
      return;
    }
    for (const o of options[b]) visit(b + 1, caught + o.caught, spent + o.cost);
  };
  visit(0, 0, 0);
  return best;
}
