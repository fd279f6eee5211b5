import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ANOMALY_RECORDS, anomalyRuleGroups } from '../../constructs/observability/anomaly-rules';
import { sloModel } from '../../constructs/observability/slo';
import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';
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
  const sel = `namespace="${model.namespace}",service="${model.service}"`;
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

  beforeAll(async () => {
    const t0 = Date.now();
    await prometheus.load(openMetrics(rows));
    const t1 = Date.now();
    await prometheus.backfill(groups.slice(0, -1), start, end, STEP);
    process.stdout.write(`load ${t1 - t0} ms, backfill ${Date.now() - t1} ms\n`);
    // query_range answers in pieces: one series per piece.
    for (const piece of await prometheus.range(ANOMALY_RECORDS.requests.detectableDrop, start, end, STEP))
      for (const [t, v] of piece.values) detectable.set(t + STEP, Number(v));
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

  /** Delays (min) from each injection of `kind` in `span` to its alert, for the injections detected; and how many. */
  const detections = (kind: Kind, span: Span) => {
    const injected = INJECTIONS.filter((i) => i.kind === kind && i.start >= span.from && i.start < span.to);
    const delays = injected.flatMap((i) => {
      const e = fired[ALERT_OF[kind]].find((f) => f.to >= i.start && f.from <= i.start + INJECTED_FOR + 15 * MIN);
      if (kind === 'drop')
        process.stdout.write(
          `  drop ${new Date((i.start - 4 * 3600) * 1000).toISOString().slice(5, 16)} detectable ${detectable.get(i.start)?.toFixed(2)} ${e ? 'detected' : 'missed'}\n`,
        );
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
    const seen = INJECTIONS.filter(
      (i) => i.kind === 'drop' && fired.AnomalyTrafficDrop.some((f) => f.to >= i.start && f.from <= i.start + INJECTED_FOR + 15 * MIN),
    );
    expect(seen.filter((i) => detectable.get(i.start)! > 0.5)).toEqual([]);
  });

  it('raises at most one false alert per week for the service on the normal weeks, tuning and held out', () => {
    const figures = (span: Span) => {
      const injected = INJECTIONS.filter((i) => i.start >= span.from && i.start < span.to).map((i) => ({
        from: i.start,
        to: i.start + INJECTED_FOR + 2 * 3600,
      }));
      const overlaps = (e: Span, x: Span) => e.to >= x.from && e.from <= x.to;
      const outside = (alert: string, excluded: Span[]) =>
        fired[alert].filter((e) => e.from >= span.from && e.from <= span.to && !excluded.some((x) => overlaps(e, x)));
      // Normal: the span outside the injections (and two hours after each) and the trace's own anomalies.
      const excluded = [...injected, ...own].filter((x) => overlaps(x, span));
      const covered = new Set<number>();
      for (const x of excluded)
        for (let t = Math.max(x.from, span.from); t < Math.min(x.to, span.to); t += STEP) covered.add(Math.floor(t / STEP));
      const weeks = (span.to - span.from - covered.size * STEP) / (7 * 86400);
      const local = (t: number) => new Date((t - 4 * 3600) * 1000).toISOString().slice(5, 16);
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
