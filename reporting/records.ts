/**
 * Where the audit and the report read the recorded series (constructs/observability/performance-records.ts): a live
 * Prometheus through its HTTP API, or the metrics export's files carried out of an air-gapped site. Either way the
 * result is the same list of series with their labels (`__name__` included).
 */
import * as fs from 'fs';
import * as path from 'path';
import { InputProblems } from '../cli/problems';
import { parseIsoWithOffset } from '../planning/shared/history';
import { MatrixSeries } from '../planning/shared/prometheus-export';

/** Input the tool cannot use: one line each, naming the flag or file. */
export class RecordsError extends InputProblems {}

/** Prometheus returns at most 11,000 points per series; a day at 15 s is 5,760. */
const CHUNK_MS = 86_400_000;

export interface Range {
  readonly from: number;
  readonly to: number;
}

/** `--from`/`--to` as epoch ms: ISO-8601 with an offset, `--to` after `--from`. */
export function parseRange(from: string | undefined, to: string | undefined): Range {
  const f = from === undefined ? undefined : parseIsoWithOffset(from);
  const t = to === undefined ? undefined : parseIsoWithOffset(to);
  if (f === undefined)
    throw new RecordsError([`'--from' (${JSON.stringify(from)}) must be an ISO-8601 time with an offset, e.g. 2026-12-01T00:00Z`]);
  if (t === undefined)
    throw new RecordsError([`'--to' (${JSON.stringify(to)}) must be an ISO-8601 time with an offset, e.g. 2026-12-08T00:00Z`]);
  if (t <= f) throw new RecordsError([`'--to' (${to}) must be after '--from' (${from})`]);
  return { from: f, to: t };
}

/** A source of recorded series: the union of the series whose labels match, between two times. */
export interface RecordSource {
  /** Human name for messages: the URL or the files. */
  readonly name: string;
  /** Series whose `__name__` matches `nameRegex` and whose labels equal `labels`, sampled every `stepS` seconds. */
  query(nameRegex: string, labels: Readonly<Record<string, string>>, range: Range, stepS: number): Promise<MatrixSeries[]>;
}

const matches = (s: MatrixSeries, nameRegex: string, labels: Readonly<Record<string, string>>) =>
  new RegExp(`^(?:${nameRegex})$`).test(s.metric.__name__ ?? '') && Object.entries(labels).every(([k, v]) => s.metric[k] === v);

/**
 * Reads a range-query answer or export. Unlike the planning tools' reader, a sample may be NaN (a ratio over no
 * traffic, a quantile of an empty histogram): such samples are skipped, as a chart shows a gap.
 */
export function readRecords(text: string, file: string): MatrixSeries[] {
  let doc: { status?: unknown; data?: { resultType?: unknown; result?: unknown } };
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RecordsError([`${file}: not a Prometheus range-query export (not JSON)`]);
  }
  const result = doc?.data?.result;
  if (doc?.status !== 'success' || doc.data?.resultType !== 'matrix' || !Array.isArray(result))
    throw new RecordsError([
      `${file}: not a Prometheus range-query export; expected {"status":"success","data":{"resultType":"matrix","result":[...]}}`,
    ]);
  return result.map((r: { metric?: unknown; values?: unknown }, i: number) => {
    if (!Array.isArray(r?.values) || typeof r.metric !== 'object' || r.metric === null)
      throw new RecordsError([`${file}: data.result[${i}] must have "metric" labels and "values" [unix seconds, "value"] pairs`]);
    const samples: [number, number][] = [];
    for (const pair of r.values as unknown[]) {
      const [t, v] = Array.isArray(pair) ? pair : [];
      if (typeof t !== 'number' || typeof v !== 'string')
        throw new RecordsError([`${file}: data.result[${i}].values has ${JSON.stringify(pair)}; expected [unix seconds, "value"]`]);
      const value = Number(v);
      if (Number.isFinite(value)) samples.push([Math.round(t * 1000), value]);
    }
    return { metric: r.metric as Record<string, string>, samples };
  });
}

/** Merges series with equal labels (pieces of one series from several queries or files), samples in time order. */
export function mergeSeries(parts: readonly MatrixSeries[]): MatrixSeries[] {
  const byKey = new Map<string, { metric: Record<string, string>; samples: Map<number, number> }>();
  for (const p of parts) {
    const key = JSON.stringify(Object.entries(p.metric).sort());
    const entry = byKey.get(key) ?? { metric: { ...p.metric }, samples: new Map<number, number>() };
    for (const [t, v] of p.samples) entry.samples.set(t, v);
    byKey.set(key, entry);
  }
  return [...byKey.values()].map((e) => ({ metric: e.metric, samples: [...e.samples].sort((a, b) => a[0] - b[0]) }));
}

/** A live Prometheus: range queries in day-long pieces (the API's point limit), merged. */
export function prometheusSource(url: string): RecordSource {
  if (!/^https?:\/\/[^/\s]+/.test(url))
    throw new RecordsError([
      `'--prometheus' (${JSON.stringify(url)}) must be an http(s) URL such as http://prometheus-operated.monitoring.svc:9090`,
    ]);
  const base = url.replace(/\/$/, '');
  return {
    name: base,
    async query(nameRegex, labels, range, stepS) {
      const selector = `{${[`__name__=~"${nameRegex}"`, ...Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\]/g, '\\$&')}"`)].join(',')}}`;
      const parts: MatrixSeries[] = [];
      // On the step's grid, so that samples written on it (the rules' evaluations) are each read once.
      const first = Math.floor(range.from / (stepS * 1000)) * stepS * 1000;
      for (let start = first; start <= range.to; start += CHUNK_MS) {
        const end = Math.min(range.to, start + CHUNK_MS - stepS * 1000);
        const params = new URLSearchParams({ query: selector, start: String(start / 1000), end: String(end / 1000), step: String(stepS) });
        let body: string;
        // A timer that neither outlives the answer nor holds the process open.
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(new Error('no answer within 60 s')), 60_000).unref();
        try {
          const res = await fetch(`${base}/api/v1/query_range?${params}`, { signal: abort.signal });
          body = await res.text();
          if (!res.ok)
            throw new RecordsError([`'--prometheus' (${base}) answered ${res.status}: ${body.slice(0, 200).replace(/\s+/g, ' ')}`]);
        } catch (e) {
          if (e instanceof RecordsError) throw e;
          const c = (e as Error).cause as { code?: string; message?: string } | undefined;
          const cause = c?.code ?? c?.message ?? (e as Error).message;
          throw new RecordsError([`'--prometheus' (${base}) is unreachable (${cause}); check the URL and that Prometheus runs`]);
        } finally {
          clearTimeout(timer);
        }
        parts.push(...readRecords(body, `${base} ${selector}`));
      }
      return mergeSeries(parts);
    },
  };
}

/**
 * Export files (`<service>.records.<day>.json`, Prometheus range-query answers) or folders of them, as the metrics
 * export writes them; every file must be such an export.
 */
export function exportSource(paths: readonly string[]): RecordSource {
  const files: string[] = [];
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new RecordsError([`'--export' (${JSON.stringify(p)}) no such file or folder`]);
    if (fs.statSync(p).isDirectory()) {
      const inside = fs.readdirSync(p).filter((f) => /\.records\.\d+\.json$/.test(f));
      if (inside.length === 0)
        throw new RecordsError([`'--export' (${JSON.stringify(p)}) holds no <service>.records.<day>.json files of the metrics export`]);
      files.push(...inside.sort().map((f) => path.join(p, f)));
    } else files.push(p);
  }
  const all = mergeSeries(files.flatMap((f) => readRecords(fs.readFileSync(f, 'utf8'), f)));
  return {
    name: files.join(', '),
    async query(nameRegex, labels, range) {
      return all
        .filter((s) => matches(s, nameRegex, labels))
        .map((s) => ({ metric: s.metric, samples: s.samples.filter(([t]) => t >= range.from && t <= range.to) }))
        .filter((s) => s.samples.length > 0);
    },
  };
}

/** The source the CLIs' `--prometheus URL` or `--export FILES...` name (exactly one of them). */
export function sourceOf(opts: { prometheus?: string; export?: string[] }): RecordSource {
  if ((opts.prometheus === undefined) === (opts.export === undefined))
    throw new RecordsError(["give '--prometheus URL' or '--export FILES...' (the metrics export's files), one of them"]);
  return opts.prometheus !== undefined ? prometheusSource(opts.prometheus) : exportSource(opts.export!);
}
