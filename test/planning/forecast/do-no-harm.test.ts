import { backtestWeek } from '../../../planning/forecast/backtest';
import { safeFloors } from '../../../planning/forecast/do-no-harm';
import { DAY_MS, History, MINUTE_MS, WEEK_MS } from '../../../planning/shared/history';
import { uniform } from '../../support/random';

const START = Date.UTC(2026, 0, 5); // a Monday
const SERVICE = { perReplica: 15, target: 0.7, min: 2, max: 40 };

/**
 * Per-minute load with a daily cycle (busy afternoons, quiet nights), quieter weekends and bursty minutes, scaled per
 * minute by `scale(day)`: the shapes that break a forecaster are made by the scale.
 */
function traffic(days: number, scale: (day: number) => number, seed = 1): History {
  const u = uniform(seed);
  const perMinute = new Float64Array(days * 1440);
  for (let i = 0; i < perMinute.length; i++) {
    const day = Math.floor(i / 1440);
    const hour = (i % 1440) / 60;
    const weekday = day % 7 < 5 ? 1 : 0.6;
    const daily = 20 + 100 * Math.max(0, Math.cos(((hour - 15) / 24) * 2 * Math.PI)) ** 2;
    perMinute[i] = scale(day) * weekday * daily * (0.75 + 0.5 * u()) * (u() < 0.01 ? 1.8 : 1);
  }
  return { start: START, stepMs: MINUTE_MS, perMinute };
}

/** The floors published at the start of week 4 (learnt from three weeks), replayed on that week against reactive. */
function replayWeek4(h: History) {
  const week = backtestWeek(h, START + 3 * WEEK_MS, SERVICE);
  return { week, verdict: week.verdict };
}

describe('floors that do no harm', () => {
  it('fall back to reactive when an event ends: three weeks at 3x, then the last days at the old level', () => {
    const h = traffic(28, (d) => (d < 19 ? 3 : 1));
    const { week, verdict } = replayWeek4(h);
    expect(verdict.decision).toBe('reactive');
    expect(verdict.reason).toMatch(/^level shift: the last 2 days ran at x0\.\d\d the model learnt before them/);
    expect(week.replicaHoursRatio).toBeLessThanOrEqual(1.1);
    expect(week.withFloors.underProvisionedMinutes).toBeLessThanOrEqual(week.reactive.underProvisionedMinutes);
  });

  it('fall back to reactive on a step change up, and cost nothing over reactive', () => {
    const h = traffic(28, (d) => (d < 19 ? 1 : 2.5));
    const { week, verdict } = replayWeek4(h);
    expect(verdict.decision).toBe('reactive');
    expect(verdict.recentVsModel).toBeGreaterThan(1.6);
    expect(week.replicaHoursRatio).toBeLessThanOrEqual(1.1);
    expect(week.withFloors.underProvisionedMinutes).toBeLessThanOrEqual(week.reactive.underProvisionedMinutes);
  });

  it('leave an outage out of learning, and the floors after it cost at most 1.10x reactive', () => {
    const h = traffic(28, () => 1);
    const outage = { from: 9 * 1440 + 600, to: 11 * 1440 + 300 };
    for (let i = outage.from; i < outage.to; i++) h.perMinute[i] = i % 97 === 0 ? 1 : 0;
    const { week, verdict } = replayWeek4(h);
    expect(verdict.excluded).toEqual([
      { from: START + outage.from * MINUTE_MS, to: START + outage.to * MINUTE_MS, reason: 'near-zero load' },
    ]);
    expect(week.replicaHoursRatio).toBeLessThanOrEqual(1.1);
    expect(week.withFloors.underProvisionedMinutes).toBeLessThanOrEqual(week.reactive.underProvisionedMinutes);
  });

  it('keep floors on a steady pattern only for the hours of the day where they paid, within the budget, and say so', () => {
    const h = traffic(21, () => 1, 3);
    const f = safeFloors(h, { ...SERVICE, until: START + 21 * DAY_MS });
    expect(f.verdict.decision).toBe('floors');
    expect(f.verdict.replay?.weeks).toBe(2);
    const { floors, reactive } = f.verdict.replay!;
    expect(floors.replicaHours / reactive.replicaHours).toBeLessThanOrEqual(1.06);
    expect(floors.underProvisionedMinutes).toBeLessThan(reactive.underProvisionedMinutes / 1.5);
    expect(f.verdict.reason).toMatch(/^on the 2 week\(s\) before, these floors left \d+% of the reactive HPA's under-provisioned minutes/);
    expect(f.verdict.kept.length).toBeLessThan(24);
    // Half past each dropped hour, every day, the floor is min (a kept hour's floor rises 5 minutes before it).
    const floorAt = (t: number) => f.floors.find((x) => x.from <= t && t < x.to)!.minReplicas;
    const dropped = [...Array(24).keys()].filter((x) => !f.verdict.kept.includes(x));
    expect(dropped.length).toBeGreaterThan(0);
    for (let d = 0; d < 7; d++)
      for (const hour of dropped) expect(floorAt(START + (21 + d) * DAY_MS + hour * 3_600_000 + 30 * MINUTE_MS)).toBe(SERVICE.min);
  });

  it('publish no floors from under two weeks of usable history', () => {
    const h = traffic(10, () => 1);
    const f = safeFloors(h, { ...SERVICE, until: START + 10 * DAY_MS });
    expect(f.verdict.decision).toBe('reactive');
    expect(f.floors).toEqual([{ from: START + 10 * DAY_MS, to: START + 17 * DAY_MS, minReplicas: 2 }]);
  });
});
