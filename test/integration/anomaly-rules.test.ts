import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { anomalyRuleGroups } from '../../constructs/observability/anomaly-rules';
import { sloModel } from '../../constructs/observability/slo';
import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';
import { BackfilledPrometheus, durationSeconds, firingEpisodes } from './support/prometheus-harness';

/**
 * The anomaly rules on real traffic: NASA-HTTP July and August 1-24 1995, a request a minute each, as api-gateway's
 * request counter (with a 0.02% error share drawn from a seeded generator). August 1-3 holds a real outage; the
 * later weeks get injected anomalies. Recording rules are backfilled by promtool into a real Prometheus, alert
 * conditions read back with query_range and held for their `for` as Prometheus does.
 */
const TRACES = path.resolve(__dirname, '../../../shared/traces');
const FILES = ['nasa-http-1995-07-per-minute.csv', 'nasa-http-1995-08-01-to-24-per-minute.csv'];
const haveTraces = FILES.every((f) => fs.existsSync(path.join(TRACES, f)));
if (!haveTraces) process.stderr.write(`\n*** SKIPPED anomaly rules on NASA traffic: ${TRACES} has no ${FILES.join(', ')}\n\n`);

const STEP = 300;
const api = prod.services.find((s) => s.name === 'api-gateway')!;
const model = sloModel({ service: api.name, namespace: prod.namespace, slo: api.slo });
const [recordings, scores, alerts] = anomalyRuleGroups(model);
const at = (local: string) => Date.parse(`1995-08-${local}:00-04:00`) / 1000;
const MIN = 60;

type Kind = 'drop' | 'spike' | 'errors';
/** 30-minute injections, each at a different time of the week so none lands in another's baseline hour. */
const INJECTIONS: { kind: Kind; start: number }[] = [
  ...['07T11:00', '09T15:00', '13T10:00', '15T20:00', '17T13:00', '22T09:00'].map((s) => ({ kind: 'drop' as const, start: at(s) })),
  ...['08T10:00', '12T14:00', '16T16:00', '19T11:00', '21T03:00', '23T15:00'].map((s) => ({ kind: 'spike' as const, start: at(s) })),
  ...['10T10:00', '14T14:00', '18T17:00', '20T12:00', '23T09:00', '24T14:00'].map((s) => ({ kind: 'errors' as const, start: at(s) })),
];
const INJECTED_FOR = 30 * MIN;
const ALERT_OF: Record<Kind, string> = { drop: 'AnomalyTrafficDrop', spike: 'AnomalyTrafficSpike', errors: 'AnomalyErrorRatio' };

/** A deterministic generator (mulberry32), so the error draws are the same every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readTraces(): { t: number; requests: number; outage: boolean }[] {
  return FILES.flatMap((f) =>
    fs
      .readFileSync(path.join(TRACES, f), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [minute, requests, outage] = line.split(',');
        return { t: Date.parse(minute.replace(/-04:00$/, ':00-04:00')) / 1000, requests: Number(requests), outage: outage === '1' };
      }),
  );
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
  const start = at('01T00:00');
  const end = at('24T23:55');
  const fired: Record<string, { from: number; to: number }[]> = {};

  beforeAll(async () => {
    const t0 = Date.now();
    await prometheus.load(openMetrics(rows));
    const t1 = Date.now();
    await prometheus.backfill([recordings, scores], start, end, STEP);
    process.stdout.write(`load ${t1 - t0} ms, backfill ${Date.now() - t1} ms\n`);
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

  /** Delays (min) from each injection of `kind` to its alert, for the injections detected. */
  const detections = (kind: Kind) =>
    INJECTIONS.filter((i) => i.kind === kind).flatMap((i) => {
      const e = fired[ALERT_OF[kind]].find((f) => f.to >= i.start && f.from <= i.start + INJECTED_FOR + 15 * MIN);
      return e ? [(e.from - i.start) / MIN] : [];
    });

  it.each(['spike', 'errors'] as const)('detects every injected %s', (kind) => {
    const delays = detections(kind);
    process.stdout.write(`${kind}: detected ${delays.length}/6, delays ${delays.join(', ')} min\n`);
    expect(delays).toHaveLength(6);
  });

  it('detects some 40% drops, and says how many (the figure in docs/operations.md)', () => {
    // At 30 requests a minute, week-to-week swings of the same hour often exceed 40%: see the docs for the figures.
    const delays = detections('drop');
    process.stdout.write(`drop: detected ${delays.length}/6, delays ${delays.join(', ')} min\n`);
    expect(delays.length).toBeGreaterThanOrEqual(2);
  });

  it('raises at most one false stopped, spike or error-ratio alert per week on the normal weeks', () => {
    // Normal: August 4-24, outside the injections and the two hours after each.
    const normalStart = at('04T00:00');
    const excluded = INJECTIONS.map((i) => ({ from: i.start, to: i.start + INJECTED_FOR + 2 * 3600 }));
    const weeks = (end - normalStart - excluded.length * (INJECTED_FOR + 2 * 3600)) / (7 * 86400);
    const falseOf = (alert: string) =>
      fired[alert].filter((e) => e.from >= normalStart && !excluded.some((x) => e.to >= x.from && e.from <= x.to));
    // August 13, 02:21-03:35 local: no request for over an hour where the baseline expects 20 a minute, not marked in
    // the trace. Stopped traffic is what that alert is for: counted apart, not as a false alert.
    const gap = { from: Date.parse('1995-08-13T02:21:00-04:00') / 1000, to: Date.parse('1995-08-13T03:40:00-04:00') / 1000 };
    const stopped = falseOf('AnomalyTrafficStopped').filter((e) => e.to < gap.from || e.from > gap.to);
    const perWeek = (n: number) => Number((n / weeks).toFixed(2));
    const figures = {
      AnomalyTrafficStopped: perWeek(stopped.length),
      AnomalyTrafficSpike: perWeek(falseOf('AnomalyTrafficSpike').length),
      AnomalyErrorRatio: perWeek(falseOf('AnomalyErrorRatio').length),
      AnomalyTrafficDrop: perWeek(falseOf('AnomalyTrafficDrop').length),
    };
    process.stdout.write(
      `normal weeks ${weeks.toFixed(2)}, false alerts per week ${JSON.stringify(figures)}, stopped on the Aug 13 gap ${falseOf('AnomalyTrafficStopped').length - stopped.length}\n`,
    );
    expect(figures.AnomalyTrafficStopped).toBeLessThanOrEqual(1);
    expect(figures.AnomalyTrafficSpike).toBeLessThanOrEqual(1);
    expect(figures.AnomalyErrorRatio).toBeLessThanOrEqual(1);
  });
});
