/** What the anomaly suites share about the NASA-HTTP 1995 trace: a seeded generator and the trace's own anomalies. */

export type Span = { from: number; to: number };

const MIN = 60;

/** One minute of the trace: its start (epoch seconds), requests, and whether the hurricane outage marks it. */
export type TraceRow = { t: number; requests: number; outage: boolean };

/** Rows of a per-minute trace file (`minute_start,requests[,outage]`, local time UTC-4). */
export function parseTrace(csv: string): TraceRow[] {
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [minute, requests, outage] = line.split(',');
      return { t: Date.parse(minute.replace(/-04:00$/, ':00-04:00')) / 1000, requests: Number(requests), outage: outage === '1' };
    });
}

/** A deterministic generator (mulberry32), so the draws are the same every run. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The trace's own anomalies, found in hindsight and without the rules, so that an alert on them is not counted as
 * false: stops (5 or more minutes in a row without a request after an hour of at least 5 a minute) and hours whose
 * requests are under 60% or over twice the median of the same hour of the week over every week of the trace. Each
 * span is extended by an hour, the longest an alert lags its cause here. The marked hurricane outage is left out.
 */
export function traceAnomalies(rows: readonly TraceRow[]): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < rows.length;) {
    let j = i;
    while (j < rows.length && rows[j].requests === 0 && !rows[j].outage) j++;
    const before = rows.slice(Math.max(0, i - 60), i);
    if (j - i >= 5 && before.reduce((n, r) => n + r.requests, 0) >= 5 * before.length)
      spans.push({ from: rows[i].t, to: rows[j - 1].t + 60 * MIN });
    i = Math.max(j, i + 1);
  }
  const hours = new Map<number, { requests: number; minutes: number; outage: boolean }>();
  for (const r of rows) {
    const h = Math.floor(r.t / 3600) * 3600;
    const e = hours.get(h) ?? { requests: 0, minutes: 0, outage: false };
    hours.set(h, { requests: e.requests + r.requests, minutes: e.minutes + 1, outage: e.outage || r.outage });
  }
  const full = [...hours].filter(([, e]) => e.minutes >= 30 && !e.outage).map(([h, e]) => ({ h, rate: e.requests / e.minutes }));
  const hourOfWeek = (h: number) => Math.floor(h / 3600) % 168;
  const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
  const medians = new Map<number, number>();
  for (const { h } of full)
    if (!medians.has(hourOfWeek(h)))
      medians.set(hourOfWeek(h), median(full.filter((e) => hourOfWeek(e.h) === hourOfWeek(h)).map((e) => e.rate)));
  for (const { h, rate } of full) {
    const ratio = rate / medians.get(hourOfWeek(h))!;
    if (ratio < 0.6 || ratio > 2) spans.push({ from: h, to: h + 3600 + 60 * MIN });
  }
  return spans;
}
