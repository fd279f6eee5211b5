import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ANOMALY_RECORDS, anomalyRuleGroups } from '../../constructs/observability/anomaly-rules';
import { sloModel } from '../../constructs/observability/slo';
import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';
import { Point, bestBandThresholds, episodesAtOrBelow } from './support/natural-variation';
import { BackfilledPrometheus, durationSeconds, firingEpisodes } from './support/prometheus-harness';
import { Span, TraceRow, parseTrace, random, traceAnomalies } from './support/nasa-trace';

/**
 * The anomaly rules on real traffic: NASA-HTTP July and August 1-24 1995, a request a minute each, as api-gateway's
 * request counter (with a 0.02% error share drawn from a seeded generator). August 1-3 holds a real outage.
 * Held-out split: the thresholds were chosen on July 15-28 (with the July injections below); August 4-24, with its
 * own injections, is the report. Recording rules are backfilled into a real Prometheus from its own evaluation of
 * them, alert conditions read back with query_range and held for their `for` as Prometheus does.
 */
const TRACES = path.resolve(__dirname, '../../../shared/traces');
const FILES = ['nasa-http-1995-07-per-minute.csv', 'nasa-http-1995-08-01-to-24-per-minute.csv'];
const haveTraces = FILES.every((f) => fs.existsSync(path.join(TRACES, f)));
if (!haveTraces) process.stderr.write(`\n*** SKIPPED anomaly rules on NASA traffic: ${TRACES} has no ${FILES.join(', ')}\n\n`);

const STEP = 300;
const MIN = 60;
const api = prod.services.find((s) => s.name === 'api-gateway')!;
const model = sloModel({ service: api.name, namespace: prod.namespace, slo: api.slo });
const groups = anomalyRuleGroups(model);
const alerts = groups[groups.length - 1];
const at = (local: string) => Date.parse(`1995-${local}:00-04:00`) / 1000;
const local = (t: number) => new Date((t - 4 * 3600) * 1000).toISOString().slice(5, 16);
const sel = `namespace="${model.namespace}",service="${model.service}"`;
/** Requests over 30 minutes, the length of an injected drop, against the drop alert's expected rate. */
const RATIO_30M = `sum by (namespace, service) (rate(${model.requests}{${sel}}[30m])) / ${ANOMALY_RECORDS.requests.expected}{${sel}}`;

type Kind = 'drop' | 'spike' | 'errors';
type Injection = { kind: Kind; start: number };
/** Tuning set: a drop and a spike a day, 12 hours apart, their hour moving by 4 hours a day (night hours too). */
const JULY: Injection[] = Array.from({ length: 13 }, (_, i) => {
  const day = `07-${15 + i}T`;
  const hour = (h: number) => String(h % 24).padStart(2, '0');
  return [
    { kind: 'drop' as const, start: at(`${day}${hour(3 + 4 * (i % 6))}:00`) },
    { kind: 'spike' as const, start: at(`${day}${hour(15 + 4 * (i % 6))}:00`) },
  ];
}).flat();
/** Held-out set: 30-minute injections, each at a different time of the week so none lands in another's baseline hour. */
const AUGUST: Injection[] = [
  ...['07T11:00', '09T15:00', '13T10:00', '15T20:00', '17T13:00', '22T09:00'].map((s) => ({ kind: 'drop' as const, start: at(`08-${s}`) })),
  ...['08T10:00', '12T14:00', '16T16:00', '19T11:00', '21T03:00', '23T15:00'].map((s) => ({
    kind: 'spike' as const,
    start: at(`08-${s}`),
  })),
  ...['10T10:00', '14T14:00', '18T17:00', '20T12:00', '23T09:00', '24T14:00'].map((s) => ({
    kind: 'errors' as const,
    start: at(`08-${s}`),
  })),
];
const INJECTIONS = [...JULY, ...AUGUST];
const INJECTED_FOR = 30 * MIN;
const ALERT_OF: Record<Kind, string> = { drop: 'AnomalyTrafficDrop', spike: 'AnomalyTrafficSpike', errors: 'AnomalyErrorRatio' };
/** The evaluated spans: tuning (July, from the first day with two past weeks to the end of the log) and report. */
const SPANS = { july: { from: at('07-15T00:00'), to: at('07-28T13:30') }, august: { from: at('08-04T00:00'), to: at('08-24T23:55') } };

function readTraces(): TraceRow[] {
  return FILES.flatMap((f) => parseTrace(fs.readFileSync(path.join(TRACES, f), 'utf8')));
}

/** OpenMetrics counters of api-gateway's requests by code, with the injections applied. */
function openMetrics(rows: { t: number; requests: number }[]): string {
  const rnd = random(29);
  const ok: string[] = [];
  const failed: string[] = [];
  let good = 0;
  let bad = 0;
  for (const { t, requests } of rows) {
    const hit = INJECTIONS.find((i) => t >= i.start && t < i.start + INJECTED_FOR);
    const n = Math.round(requests * (hit?.kind === 'drop' ? 0.6 : hit?.kind === 'spike' ? 3 : 1));
    const share = hit?.kind === 'errors' ? 0.05 : 0.0002;
    let errors = 0;
    for (let i = 0; i < n; i++) if (rnd() < share) errors++;
    good += n - errors;
    bad += errors;
    ok.push(`http_requests_total{${sel},code="200"} ${good} ${t}`);
    failed.push(`http_requests_total{${sel},code="500"} ${bad} ${t}`);
  }
  return ['# TYPE http_requests_total counter', ...ok, ...failed, '# EOF', ''].join('\n');
}

/** The suite, or a loud skip on a clone without ../shared/traces. */
function suite(title: string, programs: readonly string[], body: (bin: Record<string, string>) => void): void {
  if (haveTraces) describeWithPrograms(title, programs, body);
  // eslint-disable-next-line jest/no-disabled-tests, jest/valid-title, jest/valid-describe-callback -- skipped loudly above
  else describe.skip(title, () => body({}));
}

suite('anomaly rules on NASA-HTTP 1995 traffic in a real Prometheus', ['prometheus', 'promtool'], (bin) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-anomaly-'));
  const prometheus = new BackfilledPrometheus({ prometheus: bin.prometheus, promtool: bin.promtool }, work);
  const rows = haveTraces ? readTraces() : [];
  const outage = rows.filter((r) => r.outage);
  const own = haveTraces ? traceAnomalies(rows) : [];
  // Recordings from a day before the tuning span, so the traffic noise has its day of deviations.
  const start = SPANS.july.from - 86400;
  const end = SPANS.august.to;
  const fired: Record<string, Span[]> = {};
  /** The drop the rules could detect just before each injection, by start time. */
  const detectable = new Map<number, number>();
  /** {@link RATIO_30M} by evaluation time. */
  const ratio30 = new Map<number, number>();

  beforeAll(async () => {
    const t0 = Date.now();
    await prometheus.load(openMetrics(rows));
    const t1 = Date.now();
    await prometheus.backfill(groups.slice(0, -1), start, end, STEP);
    process.stdout.write(`load ${t1 - t0} ms, backfill ${Date.now() - t1} ms\n`);
    // query_range answers in pieces: one series per piece.
    for (const piece of await prometheus.range(ANOMALY_RECORDS.requests.detectableDrop, start, end, STEP))
      for (const [t, v] of piece.values) detectable.set(t + STEP, Number(v));
    for (const piece of await prometheus.range(RATIO_30M, start, end, STEP)) for (const [t, v] of piece.values) ratio30.set(t, Number(v));
    for (const rule of alerts.rules) {
      const held = await prometheus.present(rule.expr, start, end, STEP);
      fired[rule.alert!] = firingEpisodes(held, start, end, STEP, durationSeconds(rule.for ?? '0s'));
    }
  }, 300000);

  afterAll(async () => {
    await prometheus.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('pages on the hurricane outage of August 1 within 15 minutes', () => {
    const began = outage[0].t;
    const first = fired.AnomalyTrafficStopped.find((e) => e.to >= began);
    expect(first).toBeDefined();
    const delay = (first!.from - began) / MIN;
    process.stdout.write(`outage detection delay: ${delay} min\n`);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(15);
  });

  /** The alert episode that detects an injection: it fires by 15 minutes after the injection ends. */
  const detection = (i: Injection) => fired[ALERT_OF[i.kind]].find((f) => f.to >= i.start && f.from <= i.start + INJECTED_FOR + 15 * MIN);
  const overlaps = (e: Span, x: Span) => e.to >= x.from && e.from <= x.to;
  /**
   * The normal weeks of a span: outside the injections (and two hours after each) and the trace's own anomalies.
   * `excluded` spans, `normal(t)` for an evaluation time, and how many weeks are normal.
   */
  const normalOf = (span: Span) => {
    const injected = INJECTIONS.filter((i) => i.start >= span.from && i.start < span.to).map((i) => ({
      from: i.start,
      to: i.start + INJECTED_FOR + 2 * 3600,
    }));
    const excluded = [...injected, ...own].filter((x) => overlaps(x, span));
    const covered = new Set<number>();
    for (const x of excluded)
      for (let t = Math.max(x.from, span.from); t < Math.min(x.to, span.to); t += STEP) covered.add(Math.floor(t / STEP));
    const weeks = (span.to - span.from - covered.size * STEP) / (7 * 86400);
    const normal = (t: number) => t >= span.from && t < span.to && !covered.has(Math.floor(t / STEP));
    return { injected, excluded, weeks, normal };
  };

  /** Delays (min) from each injection of `kind` in `span` to its alert, for the injections detected; and how many. */
  const detections = (kind: Kind, span: Span) => {
    const injected = INJECTIONS.filter((i) => i.kind === kind && i.start >= span.from && i.start < span.to);
    const delays = injected.flatMap((i) => {
      const e = detection(i);
      if (kind === 'drop')
        process.stdout.write(`  drop ${local(i.start)} detectable ${detectable.get(i.start)?.toFixed(2)} ${e ? 'detected' : 'missed'}\n`);
      return e ? [(e.from - i.start) / MIN] : [];
    });
    process.stdout.write(
      `${kind} ${span === SPANS.july ? 'july (tuning)' : 'august (held out)'}: detected ${delays.length}/${injected.length}, delays ${delays.join(', ')} min\n`,
    );
    return { delays, injected: injected.length };
  };

  it.each(['spike', 'errors'] as const)('detects every %s injected into the held-out August weeks', (kind) => {
    const { delays, injected } = detections(kind, SPANS.august);
    expect(delays).toHaveLength(injected);
  });

  it('detects the 40% drops it can tell from the traffic noise, and says how many (the figures in docs/operations.md)', () => {
    // This server counts about 15-70 requests a minute and its counts vary about four times more than Poisson (a
    // page is a burst of requests): a 30-minute 40% drop is at the edge of what it shows even in the busiest hours
    // (detectable_drop 0.3-0.5), and beyond it at night. These are the figures measured, as a floor.
    const july = detections('drop', SPANS.july);
    const august = detections('drop', SPANS.august);
    detections('spike', SPANS.july);
    expect(july.delays.length).toBeGreaterThanOrEqual(4);
    expect(august.delays.length).toBeGreaterThanOrEqual(1);
    // No drop is seen where the rules said even a 50% drop would not be.
    const seen = INJECTIONS.filter((i) => i.kind === 'drop' && detection(i));
    expect(seen.filter((i) => detectable.get(i.start)! > 0.5)).toEqual([]);
  });

  it('misses only 40% drops whose 30-minute level normal traffic reaches by itself, and catches as many as the best thresholds chosen in hindsight', () => {
    // The statistic a 30-minute drop changes most: requests over 30 minutes against the drop alert's expected rate.
    // At each drop, its lowest value from 25 to 45 minutes after the drop starts; on the normal weeks (July and
    // August together), how often traffic goes as low by itself: a threshold that catches the drop raises an alert
    // each time. Per 4-hour band of the day too, since a detector may hold each hour to its own noise.
    const spans = [SPANS.july, SPANS.august].map(normalOf);
    const weeks = spans.reduce((n, s) => n + s.weeks, 0);
    const band = (t: number) => Math.floor(((t - 4 * 3600) % 86400) / (4 * 3600));
    const normal = [...ratio30]
      .filter(([t, v]) => Number.isFinite(v) && spans.some((s) => s.normal(t)))
      .sort(([a], [b]) => a - b)
      .map(([t, value]): Point => ({ t, value }));
    const inBand = Array.from({ length: 6 }, (_, b) => normal.filter((p) => band(p.t) === b));
    const perWeek = (points: readonly Point[], threshold: number) => episodesAtOrBelow(points, threshold, STEP) / weeks;
    const drops = INJECTIONS.filter((i) => i.kind === 'drop').map((i) => {
      const window = Array.from({ length: 5 }, (_, k) => ratio30.get(i.start + 25 * MIN + k * STEP)!);
      const value = Math.min(...window);
      return { i, band: band(i.start), value, detected: detection(i) !== undefined };
    });
    for (const d of drops)
      process.stdout.write(
        `  drop ${local(d.i.start)} 30-minute ratio ${d.value.toFixed(2)} ${d.detected ? 'detected' : 'missed'}: normal traffic as low ${perWeek(normal, d.value).toFixed(1)} times a week, ${perWeek(inBand[d.band], d.value).toFixed(2)} in its 4 hours of the day\n`,
      );
    const oracle = bestBandThresholds(drops, (b, threshold) => perWeek(inBand[b], threshold), 1);
    const detected = drops.filter((d) => d.detected).length;
    process.stdout.write(
      `normal weeks ${weeks.toFixed(2)}; best per-band thresholds on the 30-minute ratio, chosen in hindsight: ${oracle.caught}/${drops.length} at ${oracle.falsePerWeek.toFixed(2)} false a week; the rules: ${detected}/${drops.length}\n`,
    );
    expect(detected).toBeGreaterThanOrEqual(oracle.caught);
    // Every August drop missed is one whose 30-minute level normal traffic reaches more than once a week.
    for (const d of drops.filter((x) => x.i.start >= SPANS.august.from && !x.detected)) expect(perWeek(normal, d.value)).toBeGreaterThan(1);
  });

  it('raises at most one false alert per week for the service on the normal weeks, tuning and held out', () => {
    const figures = (span: Span) => {
      const { injected, excluded, weeks } = normalOf(span);
      const outside = (alert: string, spans: Span[]) =>
        fired[alert].filter((e) => e.from >= span.from && e.from <= span.to && !spans.some((x) => overlaps(e, x)));
      const names = alerts.rules.map((r) => r.alert!);
      const falseAlerts = names.flatMap((a) => outside(a, excluded).map((e) => `${a} ${local(e.from)}`));
      const onOwn = names.flatMap((a) =>
        outside(a, injected)
          .filter((e) => !outside(a, excluded).includes(e))
          .map((e) => `${a} ${local(e.from)}`),
      );
      const perWeek = Number((falseAlerts.length / weeks).toFixed(2));
      process.stdout.write(
        `${span === SPANS.july ? 'july (tuning)' : 'august (held out)'}: normal weeks ${weeks.toFixed(2)}, false alerts ${perWeek} per week ${JSON.stringify(falseAlerts)}; on the trace's own anomalies ${JSON.stringify(onOwn)}\n`,
      );
      return perWeek;
    };
    expect(figures(SPANS.july)).toBeLessThanOrEqual(1);
    expect(figures(SPANS.august)).toBeLessThanOrEqual(1);
  });
});
