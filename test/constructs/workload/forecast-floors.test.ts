import fc from 'fast-check';
import { Problems } from '../../../constructs/core/errors';
import {
  ForecastFloors,
  checkForecastFloors,
  cronTriggers,
  weekMinuteIn,
  weeklyFloorProfile,
} from '../../../constructs/workload/forecast-floors';

/** Sunday 2026-07-05 00:00 in Dublin (UTC+1 in summer), the start of a week. */
const SUNDAY = Date.UTC(2026, 6, 4, 23);
const at = (day: number, hh: number, mm = 0) => new Date(SUNDAY + ((day * 24 + hh) * 60 + mm) * 60_000).toISOString();

/**
 * The floor KEDA applies at each 5-minute step of the week, read back from the triggers' cron fields: a trigger is
 * active from a start until the first end after it (the cron scaler's rule), and the largest active one wins.
 */
function appliedFloor(triggers: ReturnType<typeof cronTriggers>, min: number): number[] {
  const steps = new Array<number>(2016).fill(min);
  const minutes = (cron: string) => {
    const [m, h, , , days] = cron.split(' ');
    return days
      .split(',')
      .flatMap((p) => {
        const [a, b] = p.split('-').map(Number);
        return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
      })
      .map((d) => d * 1440 + Number(h) * 60 + Number(m));
  };
  for (const t of triggers) {
    const ends = minutes(t.metadata.end).sort((a, b) => a - b);
    for (const start of minutes(t.metadata.start)) {
      const end = ends.find((e) => e > start) ?? ends[0] + 7 * 1440;
      for (let m = start; m < end; m += 5) {
        const s = Math.floor(m / 5) % 2016;
        steps[s] = Math.max(steps[s], Number(t.metadata.desiredReplicas));
      }
    }
  }
  return steps;
}

describe('forecast floors as KEDA cron triggers', () => {
  it('places an interval on its weekday and wall-clock time in the time zone', () => {
    const triggers = cronTriggers({
      forecast: { timeZone: 'Europe/Dublin', floors: [{ from: '2026-07-06T07:00:00Z', to: '2026-07-06T09:30:00Z', minReplicas: 5 }] },
      min: 2,
    });
    expect(triggers).toEqual([
      {
        type: 'cron',
        name: 'forecast-1',
        metadata: { timezone: 'Europe/Dublin', start: '0 8 * * 1', end: '30 10 * * 1', desiredReplicas: '5' },
      },
    ]);
  });

  it('gives the same window on several days one trigger, and a window across midnight its end days', () => {
    const floors = [1, 2, 3, 4, 5].flatMap((d) => [
      { from: at(d, 9), to: at(d, 17), minReplicas: 6 },
      { from: at(d, 22), to: at(d + 1, 2), minReplicas: 4 },
    ]);
    const triggers = cronTriggers({ forecast: { timeZone: 'Europe/Dublin', floors }, min: 2 });
    expect(triggers.map((t) => t.metadata)).toEqual([
      { timezone: 'Europe/Dublin', start: '0 9 * * 1-5', end: '0 17 * * 1-5', desiredReplicas: '6' },
      { timezone: 'Europe/Dublin', start: '0 22 * * 1-5', end: '0 2 * * 2-6', desiredReplicas: '4' },
    ]);
  });

  it('keeps the business-hours trigger and adds forecast floors only where they are higher', () => {
    const businessHours = { timeZone: 'Europe/Dublin', start: '08:00', end: '20:00', days: '1-5', minReplicas: 6 };
    const floors = [{ from: at(1, 7), to: at(1, 21), minReplicas: 5 }];
    const triggers = cronTriggers({ businessHours, forecast: { timeZone: 'Europe/Dublin', floors }, min: 2 });
    expect(triggers.map((t) => [t.name, t.metadata.start, t.metadata.end, t.metadata.desiredReplicas])).toEqual([
      ['business-hours', '0 8 * * 1-5', '0 20 * * 1-5', '6'],
      ['forecast-1', '0 7 * * 1', '0 8 * * 1', '5'],
      ['forecast-2', '0 20 * * 1', '0 21 * * 1', '5'],
    ]);
    const applied = appliedFloor(triggers, 2);
    expect(applied[(1440 + 7 * 60) / 5]).toBe(5);
    expect(applied[(1440 + 12 * 60) / 5]).toBe(6);
  });

  it('never applies less than the floors, and stays within the trigger cap by coarsening', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 2, max: 12 }), { minLength: 7 * 24, maxLength: 7 * 24 }),
        fc.integer({ min: 2, max: 40 }),
        (hourly, cap) => {
          const floors = hourly.map((n, h) => ({ from: at(0, h), to: at(0, h + 1), minReplicas: n }));
          const forecast: ForecastFloors = { timeZone: 'Europe/Dublin', floors, maxTriggers: cap };
          const triggers = cronTriggers({ forecast, min: 2 });
          expect(triggers.length).toBeLessThanOrEqual(cap);
          const applied = appliedFloor(triggers, 2);
          const wanted = weeklyFloorProfile(forecast, 2);
          expect(applied.filter((v, s) => v < wanted[s])).toEqual([]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('puts every 5-minute step where the wall clock is, across daylight-saving changes in any time zone', () => {
    // The oracle: each step formatted on its own, which the profile avoids doing.
    const naive = (f: ForecastFloors, min: number): number[] => {
      const weekMinute = weekMinuteIn(f.timeZone);
      const out = new Array<number>(2016).fill(min);
      for (const x of f.floors) {
        for (let t = Date.parse(x.from); t < Date.parse(x.to); t += 5 * 60_000) {
          const s = Math.floor(weekMinute(t) / 5);
          out[s] = Math.max(out[s], x.minReplicas);
        }
      }
      return out;
    };
    // Zones whose clocks change by an hour, by half an hour (Lord Howe), at :45 offsets (Chatham), or never.
    const zones = ['Europe/Dublin', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kolkata'];
    // Weeks around 2026's changes (March, April, October, November) and an ordinary one.
    const weekStarts = ['2026-03-06', '2026-03-27', '2026-04-03', '2026-09-25', '2026-10-23', '2026-10-30', '2026-07-03'].map(Date.parse);
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom(...weekStarts),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2015 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 3, max: 12 })), {
          maxLength: 6,
        }),
        (timeZone, week, spans) => {
          let cursor = week;
          const floors = [...spans].map(([gap, length, minReplicas]) => {
            const from = cursor + (gap % 200) * 5 * 60_000 + 60_000 * (gap % 3);
            cursor = from + length * 5 * 60_000;
            return { from: new Date(from).toISOString(), to: new Date(cursor).toISOString(), minReplicas };
          });
          const f: ForecastFloors = { timeZone, floors: floors.filter((x) => Date.parse(x.to) - week <= 7 * 86_400_000) };
          expect([...weeklyFloorProfile(f, 2)]).toEqual(naive(f, 2));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reports every problem of a floors file at once', () => {
    const problems = new Problems('prod/api-gateway');
    checkForecastFloors(
      problems,
      'forecastFloors',
      {
        timeZone: 'Mars/Olympus',
        maxTriggers: 1,
        floors: [
          { from: '2026-07-06T08:00', to: '2026-07-06T09:00:00Z', minReplicas: 3 },
          { from: '2026-07-06T10:00:00Z', to: '2026-07-06T09:00:00Z', minReplicas: 30 },
          { from: '2026-07-06T08:30:00Z', to: '2026-07-20T09:00:00Z', minReplicas: 3 },
        ],
      },
      2,
      20,
    );
    expect(() => problems.throwIfAny()).toThrow(
      [
        `prod/api-gateway: 'forecastFloors.timeZone' ("Mars/Olympus") must be an IANA time zone such as "Europe/Dublin"`,
        `prod/api-gateway: 'forecastFloors.maxTriggers' (1) must be a whole number >= 2`,
        `prod/api-gateway: 'forecastFloors.floors[0].from' ("2026-07-06T08:00") must be an ISO-8601 time with an offset`,
        `prod/api-gateway: 'forecastFloors.floors[1].to' ("2026-07-06T09:00:00Z") must be after 'from' (2026-07-06T10:00:00Z)`,
        `prod/api-gateway: 'forecastFloors.floors[1].minReplicas' (30) must be a whole number between 'replicas.min' (2) and 'replicas.max' (20); regenerate the floors with these bounds`,
        `prod/api-gateway: 'forecastFloors.floors[2].from' ("2026-07-06T08:30:00Z") must not be before the previous interval ends; intervals are in order`,
        `prod/api-gateway: 'forecastFloors.floors[2].to' ("2026-07-20T09:00:00Z") must be within 7 days of the first interval: the floors repeat weekly`,
      ].join('\n'),
    );
  });
});
