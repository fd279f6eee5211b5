import fc from 'fast-check';
import { floorsFromNeeds, forecastFloors, quantile } from '../../../planning/forecast/forecast';
import { main } from '../../../planning/forecast/forecast-cli';
import { DAY_MS, History, HistoryError, MINUTE_MS, WEEK_MS, parseHistory, parseIsoWithOffset } from '../../../planning/shared/history';
import { runCli } from '../../support/cli';

const NASA = 'planning/fixtures/traces/nasa-http-1995-07-per-minute.csv.gz';
const PROMETHEUS = 'planning/fixtures/traces/prometheus-range.json';

const run = (argv: string[]) => runCli(main, argv);

/** Per-minute load: `base` plus a daily bump peaking at 14:00 UTC of `amplitude`, for `days` days. */
function synthetic(days: number, base: number, amplitude: number): History {
  const start = Date.UTC(2026, 0, 5);
  const perMinute = new Float64Array(days * 1440);
  for (let i = 0; i < perMinute.length; i++) {
    const hour = (i % 1440) / 60;
    perMinute[i] = base + amplitude * Math.max(0, Math.cos(((hour - 14) / 24) * 2 * Math.PI)) ** 4;
  }
  return { start, stepMs: MINUTE_MS, perMinute };
}

describe('reading histories', () => {
  it('reads ISO-8601 times with an offset, with or without seconds', () => {
    expect(parseIsoWithOffset('1995-07-01T00:00-04:00')).toBe(Date.UTC(1995, 6, 1, 4));
    expect(parseIsoWithOffset('2026-01-01T10:00:30Z')).toBe(Date.UTC(2026, 0, 1, 10, 0, 30));
    expect(parseIsoWithOffset('2026-01-01T10:00:00+0130')).toBe(Date.UTC(2026, 0, 1, 8, 30));
    expect(parseIsoWithOffset('2026-01-01T10:00:00')).toBeUndefined();
    expect(parseIsoWithOffset('2026-01-01')).toBeUndefined();
  });

  it('reads a CSV with a header, ignores extra columns and turns 5-minute counts into requests per minute', () => {
    const h = parseHistory('time,requests,host\n2026-01-01T00:00Z,50,a\n2026-01-01T00:05Z,100,b\n2026-01-01T00:15Z,25,c\n', 'h.csv');
    expect(h.stepMs).toBe(5 * MINUTE_MS);
    expect(h.start).toBe(Date.UTC(2026, 0, 1));
    // The missing 00:10 interval is a gap, not a zero.
    expect([...h.perMinute]).toEqual([10, 20, NaN, 5]);
  });

  it('sums the series of a Prometheus range-query export and reads their values as per-second rates', () => {
    const doc = {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { pod: 'a' },
            values: [
              [1000, '1'],
              [1060, '2'],
            ],
          },
          {
            metric: { pod: 'b' },
            values: [
              [1000, '0.5'],
              [1060, '0.5'],
            ],
          },
        ],
      },
    };
    const h = parseHistory(JSON.stringify(doc), 'p.json');
    expect(h.start).toBe(1_000_000);
    expect([...h.perMinute]).toEqual([90, 150]);
  });

  it('names every bad line with its file and line number', () => {
    const read = () => parseHistory('minute,requests\n2026-01-01T00:00Z,1\n2026-01-01 00:01,2\n2026-01-01T00:02Z,-3\n', 'bad.csv');
    expect(read).toThrow(HistoryError);
    expect(read).toThrow(
      [
        "bad.csv:3: '2026-01-01 00:01' is not an ISO-8601 timestamp with an offset; write e.g. 2026-07-01T08:00:00+02:00",
        'bad.csv:4: requests ("-3") must be a number >= 0 in the second column',
      ].join('\n'),
    );
  });

  it('refuses a Prometheus instant query and a history of one sample', () => {
    expect(() => parseHistory('{"status":"success","data":{"resultType":"vector","result":[]}}', 'v.json')).toThrow(
      /v\.json:1: expected a Prometheus range-query export/,
    );
    expect(() => parseHistory('2026-01-01T00:00Z,1\n', 'one.csv')).toThrow('one.csv: has 1 sample(s)');
  });
});

describe('floors from per-slot needs', () => {
  const until = Date.UTC(2026, 0, 1);
  const slot = 15 * MINUTE_MS;

  it('raises a floor the lead time before its slot and lowers it when the slot ends, merging equal neighbours', () => {
    const floors = floorsFromNeeds(until, slot, [2, 2, 5, 2, 2], 5 * MINUTE_MS, 5 * slot);
    expect(floors).toEqual([
      { from: until, to: until + 25 * MINUTE_MS, minReplicas: 2 },
      { from: until + 25 * MINUTE_MS, to: until + 45 * MINUTE_MS, minReplicas: 5 },
      { from: until + 45 * MINUTE_MS, to: until + 75 * MINUTE_MS, minReplicas: 2 },
    ]);
  });

  it('covers the horizon without gaps or overlaps, whatever the needs and lead', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 8, maxLength: 40 }),
        fc.integer({ min: 0, max: 40 }),
        (needs, leadMin) => {
          const horizon = (needs.length - 3) * slot;
          const floors = floorsFromNeeds(until, slot, needs, leadMin * MINUTE_MS, horizon);
          expect(floors[0].from).toBe(until);
          expect(floors[floors.length - 1].to).toBe(until + horizon);
          expect(floors.every((f) => f.to > f.from)).toBe(true);
          expect(floors.slice(1).every((f, i) => f.from === floors[i].to && f.minReplicas !== floors[i].minReplicas)).toBe(true);
          // Every slot's need is in force from `lead` before the slot to its end.
          const short = needs.flatMap((need, i) => {
            const from = Math.max(until, until + i * slot - leadMin * MINUTE_MS);
            const to = Math.min(until + horizon, until + (i + 1) * slot);
            return floors.filter((f) => f.from < to && f.to > from && f.minReplicas < need);
          });
          expect(short).toEqual([]);
        },
      ),
    );
  });
});

describe('forecastFloors', () => {
  it('learns a daily peak and holds enough replicas for it at 100% before it arrives', () => {
    const history = synthetic(21, 20, 180);
    const until = history.start + 21 * DAY_MS;
    const f = forecastFloors(history, { until, perReplica: 10, target: 0.7, min: 2, max: 50 });
    const at = (t: number) => f.floors.find((x) => x.from <= t && t < x.to)!.minReplicas;
    for (let d = 0; d < 7; d++) {
      const day = until + d * DAY_MS;
      // 200 req/min at 14:00 and 10 req/min per replica: at least 20, already 5 minutes before.
      expect(at(day + 14 * 3_600_000 - 5 * MINUTE_MS)).toBeGreaterThanOrEqual(20);
      // At night the load is 20 req/min: 20 / (10 x 0.7) rounds up to 3.
      expect(at(day + 2 * 3_600_000)).toBe(3);
    }
    expect(f.errors.method).toBe('held-out weeks');
    expect(f.marginFactor).toBeCloseTo(1, 2);
  });

  it('never leaves the min and max, and covers exactly the 7 days after until', () => {
    const history = synthetic(10, 5, 400);
    const until = history.start + 10 * DAY_MS;
    const f = forecastFloors(history, { until, perReplica: 10, target: 0.7, min: 3, max: 12 });
    expect(f.floors[0].from).toBe(until);
    expect(f.floors[f.floors.length - 1].to).toBe(until + WEEK_MS);
    expect(Math.max(...f.floors.map((x) => x.minReplicas))).toBe(12);
    expect(Math.min(...f.floors.map((x) => x.minReplicas))).toBe(3);
  });

  it('follows a trend in the load', () => {
    const flat = synthetic(28, 50, 0);
    const growing: History = { ...flat, perMinute: flat.perMinute.map((v, i) => v * 1.1 ** (i / 10080)) };
    const until = flat.start + 28 * DAY_MS;
    const f = forecastFloors(growing, { until, perReplica: 10, target: 0.7, min: 1, max: 100 });
    expect(f.weeklyTrend).toBeGreaterThan(1.08);
    expect(f.weeklyTrend).toBeLessThan(1.12);
  });

  it('computes interpolated quantiles', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 9);
    expect(quantile([3, 1, 2], 0.5)).toBe(2);
  });
});

describe('npm run forecast', () => {
  // The README's figures: 15 requests a minute per replica at 70%, 2-20 replicas.
  const SIZING = ['--per-replica', '15', '--target', '0.7', '--min', '2', '--max', '20'];

  it('prints the floors contract as JSON for the 7 days after --until, in the offset of --until', () => {
    const { code, out, err } = run(['--history', NASA, '--until', '1995-07-22T00:00-04:00', ...SIZING, '--format', 'json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(Object.keys(doc)).toEqual(['floors']);
    const floors = doc.floors as { from: string; to: string; minReplicas: number }[];
    expect(floors[0].from).toBe('1995-07-22T00:00:00-04:00');
    expect(floors[floors.length - 1].to).toBe('1995-07-29T00:00:00-04:00');
    expect(floors.every((f) => Object.keys(f).join() === 'from,to,minReplicas')).toBe(true);
    expect(floors.every((f) => Number.isInteger(f.minReplicas) && f.minReplicas >= 2 && f.minReplicas <= 20)).toBe(true);
    expect(floors.slice(1).every((f, i) => f.from === floors[i].to)).toBe(true);
    // NASA's afternoons need more than its nights.
    expect(Math.max(...floors.map((f) => f.minReplicas))).toBeGreaterThan(Math.min(...floors.map((f) => f.minReplicas)) + 3);
  });

  it('takes min, max and the CPU target from the service with --service and --env', () => {
    const base = ['--history', NASA, '--until', '1995-07-22T00:00-04:00', '--per-replica', '1', '--format', 'json'];
    const { code, out } = run([...base, '--service', 'api-gateway', '--env', 'prod']);
    expect(code).toBe(0);
    const values = (JSON.parse(out).floors as { minReplicas: number }[]).map((f) => f.minReplicas);
    // One request per minute per replica: the trace's load needs more than api-gateway's max of 20.
    expect(Math.max(...values)).toBe(20);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(2);
  });

  it('reads a Prometheus range-query export and prints a table for people, with the verdict behind the floors', () => {
    const { code, out } = run(['--history', PROMETHEUS, '--until', '1995-07-10T00:00-04:00', ...SIZING]);
    expect(code).toBe(0);
    expect(out).toMatch(/^perfstack forecast: .*prometheus-range\.json, 7 days from 1995-07-10T00:00-04:00/);
    // Nine days, ending on a weekend far below the weekdays the model learnt: no floor is published.
    expect(out).toMatch(/\nverdict: REACTIVE ONLY \(every floor at --min\): level shift: the last 2 days ran at x0\.\d\d the model/);
    expect(out).toMatch(/\n1995-07-10T00:00:00-04:00 {2}1995-07-17T00:00:00-04:00 +2\n$/);
  });

  it('exits 2 with one line per bad input', () => {
    const { code, out, err } = run([
      '--history',
      'nope.csv',
      '--until',
      'monday',
      '--per-replica',
      '0',
      '--min',
      '5',
      '--max',
      '3',
      '--format',
      'yaml',
    ]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.trim().split('\n')).toEqual([
      `forecast: '--per-replica' ("0") must be a number of requests per minute > 0`,
      `forecast: '--target' (missing) must be a utilization between 0 (exclusive) and 1; pass it, or --service and --env`,
      `forecast: '--min' ("5") must be <= '--max' (3)`,
      `forecast: '--format' ("yaml") must be json or table`,
      `forecast: '--until' ("monday") must be an ISO-8601 time with an offset, e.g. 2026-07-06T00:00:00+02:00`,
      `forecast: '--history' ("nope.csv") no such file`,
    ]);
  });

  it('exits 2 when --until leaves no history before it, or names an unknown service', () => {
    const early = run(['--history', NASA, '--until', '1995-07-01T12:00-04:00', ...SIZING]);
    expect(early.code).toBe(2);
    expect(early.err).toMatch(/^forecast: '--until' \("1995-07-01T12:00-04:00"\) leaves 0\.50 days of history before it/);
    const unknown = run([
      '--history',
      NASA,
      '--until',
      '1995-07-22T00:00-04:00',
      '--per-replica',
      '15',
      '--service',
      'nope',
      '--env',
      'prod',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/'--service' \("nope"\) is not a service of prod; choose from api-gateway, /);
  });
});
