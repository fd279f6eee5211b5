import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { cacheAnomalyRuleGroups, databaseAnomalyRuleGroups } from '../../constructs/observability/data-tier-anomaly-rules';
import { describeWithPrograms } from './support/programs';
import { BackfilledPrometheus } from './support/prometheus-harness';
import { Span, TraceRow, parseTrace, random, traceAnomalies } from './support/nasa-trace';

/**
 * The data tier's anomaly rules on real traffic: NASA-HTTP July and August 1-24 1995 (the committed copies in
 * planning/fixtures/traces), a request a minute each, as the load a web tier puts on its stores: 20 Valkey commands
 * a request over three masters, 8 of them lookups hitting 92% of the time, and 3 PostgreSQL transactions a request,
 * 0.5% rolled back (hits and rollbacks drawn from a seeded generator). August 1-3 holds a real outage (the server
 * was shut down for a hurricane): the stores' traffic stops with it. Into August 4-24, 30-minute injections: drops
 * to 60% and 3x spikes of the traffic, the hit ratio down to 60%, rollbacks up to 5%. The defaults were set before
 * this run, not tuned on it. Recording rules are backfilled into a real Prometheus from its own evaluation of them,
 * alert conditions read back with query_range and held for their `for` as Prometheus does.
 */
const TRACES = path.resolve(__dirname, '../../planning/fixtures/traces');
const FILES = ['nasa-http-1995-07-per-minute.csv.gz', 'nasa-http-1995-08-01-to-24-per-minute.csv.gz'];
const STEP = 300;
const MIN = 60;
const NS = 'web';
const groups = { redis: cacheAnomalyRuleGroups('redis', NS), postgres: databaseAnomalyRuleGroups('postgres', NS, 'app') };
const at = (local: string) => Date.parse(`1995-${local}:00-04:00`) / 1000;
const local = (t: number) => new Date((t - 4 * 3600) * 1000).toISOString().slice(5, 16);

type Kind = 'drop' | 'spike' | 'hits' | 'rollbacks';
const INJECTED_FOR = 30 * MIN;
/** July: a drop and a spike a day, 12 hours apart, their hour moving by 4 hours a day (nights too); a hit-ratio fall and a rollback rise a day in the daytime. */
const JULY: { kind: Kind; start: number }[] = Array.from({ length: 13 }, (_, i) => {
  const day = `07-${15 + i}T`;
  const hour = (h: number) => String(h % 24).padStart(2, '0');
  return [
    { kind: 'drop' as const, start: at(`${day}${hour(3 + 4 * (i % 6))}:00`) },
    { kind: 'spike' as const, start: at(`${day}${hour(15 + 4 * (i % 6))}:00`) },
    { kind: 'hits' as const, start: at(`${day}${hour(9 + (i % 4))}:30`) },
    { kind: 'rollbacks' as const, start: at(`${day}${hour(13 + (i % 4))}:30`) },
  ];
}).flat();
/** August: each injection at a different time of the week, so none lands in another's baseline hour. */
const AUGUST: { kind: Kind; start: number }[] = (
  [
    ['drop', ['07T11:00', '09T15:00', '13T10:00', '15T20:00', '17T13:00', '22T09:00']],
    ['spike', ['08T10:00', '12T14:00', '16T16:00', '19T11:00', '21T03:00', '23T15:00']],
    ['hits', ['10T10:00', '14T14:00', '18T17:00', '20T12:00', '23T09:00', '24T14:00']],
    ['rollbacks', ['11T10:00', '13T16:00', '17T09:00', '19T15:00', '22T13:00', '24T10:00']],
  ] as const
).flatMap(([kind, starts]) => starts.map((s) => ({ kind, start: at(`08-${s}`) })));
/** The alerts each injection must raise: a traffic change is seen by both stores. */
const ALERTS_OF: Record<Kind, readonly string[]> = {
  drop: ['AnomalyRedisCommandsDrop', 'AnomalyPostgresTransactionsDrop'],
  spike: ['AnomalyRedisCommandsSpike', 'AnomalyPostgresTransactionsSpike'],
  hits: ['AnomalyRedisHitRatioFall'],
  rollbacks: ['AnomalyPostgresRollbackRatioRise'],
};
const INJECTIONS = [...JULY, ...AUGUST];
/** The spans with at least two past weeks: July 15-28 and August 4-24. */
const SPANS = { july: { from: at('07-15T00:00'), to: at('07-28T13:30') }, august: { from: at('08-04T00:00'), to: at('08-24T23:55') } };

function readTraces(): TraceRow[] {
  return FILES.flatMap((f) => parseTrace(gunzipSync(fs.readFileSync(path.join(TRACES, f))).toString('utf8')));
}

/** Binomial draw of `n` trials at `p`, by counting (n is at most a few thousand a minute). */
function binomial(rnd: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rnd() < p) k++;
  return k;
}

/** OpenMetrics counters of the stores as their exporters name them, with the injections applied. */
function openMetrics(rows: { t: number; requests: number }[]): string {
  const rnd = random(29);
  const redis = (pod: string) => `namespace="${NS}",service="redis-metrics",pod="${pod}"`;
  const pg = `namespace="${NS}",pod="postgres-1",datname="app"`;
  const series: Record<string, string[]> = {};
  const totals: Record<string, number> = {};
  const add = (name: string, labels: string, n: number, t: number) => {
    const key = `${name}{${labels}}`;
    totals[key] = (totals[key] ?? 0) + n;
    (series[name] ??= []).push(`${key} ${totals[key]} ${t}`);
  };
  for (const { t, requests } of rows) {
    const hit = INJECTIONS.find((i) => t >= i.start && t < i.start + INJECTED_FOR)?.kind;
    const n = Math.round(requests * (hit === 'drop' ? 0.6 : hit === 'spike' ? 3 : 1));
    const lookups = 8 * n;
    const hits = binomial(rnd, lookups, hit === 'hits' ? 0.6 : 0.92);
    const transactions = 3 * n;
    const rollbacks = binomial(rnd, transactions, hit === 'rollbacks' ? 0.05 : 0.005);
    // Commands over three masters (the rules sum them); lookups on one, to keep the TSDB small.
    for (const pod of ['redis-0', 'redis-1', 'redis-2']) add('redis_commands_processed_total', redis(pod), Math.round((20 * n) / 3), t);
    add('redis_keyspace_hits_total', redis('redis-0'), hits, t);
    add('redis_keyspace_misses_total', redis('redis-0'), lookups - hits, t);
    add('cnpg_pg_stat_database_xact_commit', pg, transactions - rollbacks, t);
    add('cnpg_pg_stat_database_xact_rollback', pg, rollbacks, t);
  }
  return [...Object.entries(series).flatMap(([name, lines]) => [`# TYPE ${name} counter`, ...lines]), '# EOF', ''].join('\n');
}

describeWithPrograms('data tier anomaly rules on NASA-HTTP 1995 traffic in a real Prometheus', ['prometheus', 'promtool'], (bin) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-datatier-anomaly-'));
  const prometheus = new BackfilledPrometheus({ prometheus: bin.prometheus, promtool: bin.promtool }, work);
  const rows = readTraces();
  const outage = rows.filter((r) => r.outage);
  // Recordings from a day before the first span.
  const start = SPANS.july.from - 86400;
  const end = SPANS.august.to;
  const fired: Record<string, Span[]> = {};
  // The trace's own anomalies (stops, hours far from their usual level) are not false alerts: the stores see them too.
  const own = traceAnomalies(rows);

  beforeAll(async () => {
    const t0 = Date.now();
    await prometheus.load(openMetrics(rows));
    const t1 = Date.now();
    for (const g of Object.values(groups)) await prometheus.backfill(g.slice(0, -1), start, end, STEP);
    process.stdout.write(`load ${t1 - t0} ms, backfill ${Date.now() - t1} ms\n`);
    Object.assign(
      fired,
      await prometheus.firing(
        Object.values(groups).flatMap((g) => g[g.length - 1].rules),
        start,
        end,
        STEP,
      ),
    );
  }, 600000);

  afterAll(async () => {
    await prometheus.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('opens a drop ticket on each store within 30 minutes of the hurricane outage of August 1', () => {
    const delays = ALERTS_OF.drop.map((alert) => {
      const first = fired[alert].find((e) => e.to >= outage[0].t);
      process.stdout.write(`${alert}: outage detected after ${first ? (first.from - outage[0].t) / MIN : '-'} min\n`);
      return first ? (first.from - outage[0].t) / MIN : Infinity;
    });
    for (const d of delays) expect(d >= 0 && d <= 30).toBe(true);
  });

  /** Delays (min) from each injection of `kind` in `span` to `alert`, for the injections it detected; and how many. */
  const detections = (kind: Kind, alert: string, name: keyof typeof SPANS) => {
    const span = SPANS[name];
    const injected = INJECTIONS.filter((i) => i.kind === kind && i.start >= span.from && i.start < span.to);
    const delays = injected.flatMap((i) => {
      const e = fired[alert].find((f) => f.to >= i.start && f.from <= i.start + INJECTED_FOR + 15 * MIN);
      if (!e) process.stdout.write(`  ${alert} missed the ${kind} of ${local(i.start)}\n`);
      return e ? [(e.from - i.start) / MIN] : [];
    });
    process.stdout.write(`${name} ${kind} -> ${alert}: detected ${delays.length}/${injected.length}, delays ${delays.join(', ')} min\n`);
    return { delays, injected: injected.length };
  };

  it.each(['spike', 'hits', 'rollbacks'] as const)("detects every %s injected into August, and as many of July's as measured", (kind) => {
    for (const alert of ALERTS_OF[kind]) {
      const august = detections(kind, alert, 'august');
      expect(august.delays).toHaveLength(august.injected);
      const july = detections(kind, alert, 'july');
      expect(july.delays.length).toBeGreaterThanOrEqual(DETECTED_IN_JULY[kind]);
    }
  });

  it('detects the 40% drops it can tell from the traffic noise, and says how many (the figures in docs/operations.md)', () => {
    for (const alert of ALERTS_OF.drop) {
      // Measured, as floors: a 30-minute 40% drop is within this server's burst noise but in its busiest hours.
      expect(detections('drop', alert, 'july').delays.length).toBeGreaterThanOrEqual(DROPS_DETECTED.july);
      expect(detections('drop', alert, 'august').delays.length).toBeGreaterThanOrEqual(DROPS_DETECTED.august);
    }
  });

  it("raises at most one false alert per week per store outside the injections, the outage and the trace's own anomalies", () => {
    const figures = (name: keyof typeof SPANS) => {
      const span = SPANS[name];
      const overlaps = (e: Span, x: Span) => e.to >= x.from && e.from <= x.to;
      const excluded = [
        ...INJECTIONS.map((i) => ({ from: i.start, to: i.start + INJECTED_FOR + 2 * 3600 })),
        { from: outage[0].t, to: outage[outage.length - 1].t + 2 * 3600 },
        ...own,
      ].filter((x) => overlaps(x, span));
      const covered = new Set<number>();
      for (const x of excluded)
        for (let t = Math.max(x.from, span.from); t < Math.min(x.to, span.to); t += STEP) covered.add(Math.floor(t / STEP));
      const weeks = (span.to - span.from - covered.size * STEP) / (7 * 86400);
      return Object.fromEntries(
        Object.entries(groups).map(([store, g]) => {
          const falseAlerts = g[g.length - 1].rules.flatMap((r) =>
            fired[r.alert!]
              .filter((e) => e.from >= span.from && e.from <= span.to && !excluded.some((x) => overlaps(e, x)))
              .map((e) => `${r.alert} ${local(e.from)}`),
          );
          const perWeek = Number((falseAlerts.length / weeks).toFixed(2));
          process.stdout.write(
            `${name} ${store}: normal weeks ${weeks.toFixed(2)}, false alerts ${perWeek} per week ${JSON.stringify(falseAlerts)}\n`,
          );
          return [store, perWeek];
        }),
      );
    };
    for (const span of Object.keys(SPANS) as (keyof typeof SPANS)[])
      for (const perWeek of Object.values(figures(span))) expect(perWeek).toBeLessThanOrEqual(1);
  });
});

/** The injections detected per store in the run recorded in docs/operations.md, as floors. */
const DROPS_DETECTED = { july: 4, august: 1 };
const DETECTED_IN_JULY: Record<Exclude<Kind, 'drop'>, number> = { spike: 12, hits: 13, rollbacks: 13 };
