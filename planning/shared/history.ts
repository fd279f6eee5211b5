/**
 * Request-rate histories for the offline planning tools (forecast, backtest, capacity projection): a CSV of
 * `timestamp,requests` rows or a Prometheus range-query JSON export, read into one regular series of requests per
 * minute. Pure but for `readHistoryFiles`, which the CLIs share to read the files themselves.
 */
import { InputProblems, MAX_PROBLEMS } from '../../cli/problems';
import * as fs from 'fs';
import { gunzipSync } from 'zlib';
import { MatrixSeries, PrometheusExportError, readMatrix } from './prometheus-export';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** A request-rate series on a regular grid. */
export interface History {
  /** Epoch milliseconds of the first sample. */
  readonly start: number;
  /** Spacing of the samples. */
  readonly stepMs: number;
  /** Requests per minute over each step; NaN where the source had no sample. */
  readonly perMinute: Float64Array;
  /**
   * 1 where the source marks the step as an outage (a CSV `outage` column): load that is no part of the demand.
   * @default - no steps marked
   */
  readonly outage?: Uint8Array;
}

/** How to read a CSV history. */
export interface HistoryReadOptions {
  /**
   * Header name of the column holding the requests (e.g. `Desktop site`).
   * @default - the second column
   */
  readonly column?: string;
}

/** The input could not be read; `problems` holds one line per problem, `file:line: ...`. */
export class HistoryError extends InputProblems {}

/** ISO-8601 with an explicit offset: `2026-07-01T08:00-04:00`, `2026-07-01T08:00:30.5Z`. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch milliseconds of an ISO-8601 timestamp with an offset, or undefined. */
export function parseIsoWithOffset(text: string): number | undefined {
  if (!ISO_WITH_OFFSET.test(text)) return undefined;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? ms : undefined;
}

interface Sample {
  readonly t: number;
  /** Requests in the interval that starts at `t` (CSV) or requests per second at `t` (Prometheus). */
  readonly value: number;
  /** The source marks the interval as an outage. */
  readonly outage?: boolean;
}

/** A date alone (`2008-01-01`, one row per day) is that UTC day. */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function csvSamples(text: string, file: string, options: HistoryReadOptions = {}): Sample[] {
  const problems: string[] = [];
  const samples: Sample[] = [];
  const lines = text.split(/\r?\n/);
  let valueAt = 1;
  let outageAt = -1;
  let header = false;
  const cell = (cells: readonly string[], at: number) => (cells[at] ?? '').trim().replace(/^"|"$/g, '');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',');
    const first = cell(cells, 0);
    const second = cell(cells, valueAt);
    const t = DATE_ONLY.test(first) ? Date.parse(`${first}T00:00Z`) : parseIsoWithOffset(first);
    if (t === undefined || Number.isNaN(t)) {
      // The first non-empty line may be a header: it names the columns.
      if (!header && samples.length === 0 && problems.length === 0 && !/^\d{4}-/.test(first)) {
        header = true;
        const names = cells.map((_, k) => cell(cells, k).toLowerCase());
        outageAt = names.indexOf('outage');
        if (options.column !== undefined) {
          valueAt = names.indexOf(options.column.toLowerCase());
          if (valueAt < 1)
            throw new HistoryError([`${file}:${i + 1}: no column named '${options.column}'; the header has ${names.slice(1).join(', ')}`]);
        }
        continue;
      }
      problems.push(`${file}:${i + 1}: '${first}' is not an ISO-8601 timestamp with an offset; write e.g. 2026-07-01T08:00:00+02:00`);
    } else if (!/^\d+(\.\d+)?$/.test(second)) {
      problems.push(
        `${file}:${i + 1}: requests (${JSON.stringify(second)}) must be a number >= 0 in ${valueAt === 1 ? 'the second column' : `column ${valueAt + 1}`}`,
      );
    } else {
      samples.push({
        t,
        value: Number(second),
        ...(outageAt > 0 && /^(1|true|yes)$/i.test(cell(cells, outageAt)) ? { outage: true } : {}),
      });
    }
    if (problems.length >= MAX_PROBLEMS) break;
  }
  if (options.column !== undefined && !header)
    throw new HistoryError([`${file}: has no header line to find column '${options.column}' in`]);
  if (problems.length > 0) throw new HistoryError(problems);
  return samples;
}

function promSamples(text: string, file: string): Sample[] {
  let series: MatrixSeries[];
  try {
    series = readMatrix(text, file);
  } catch (e) {
    if (e instanceof PrometheusExportError) throw new HistoryError(e.problems);
    throw e;
  }
  // Several series (one per pod or instance) add up to the service's rate.
  const sum = new Map<number, number>();
  for (const s of series) for (const [t, value] of s.samples) sum.set(t, (sum.get(t) ?? 0) + value);
  return [...sum.entries()].map(([t, value]) => ({ t, value }));
}

/** The most common spacing between consecutive samples. */
function typicalStep(ts: readonly number[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < ts.length; i++) {
    const d = ts[i] - ts[i - 1];
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount || (c === bestCount && d < best)) [best, bestCount] = [d, c];
  return best;
}

/**
 * Reads a history. CSV: first column an ISO-8601 timestamp with an offset, second the requests in the interval
 * starting there (the interval is the spacing of the rows); other columns are ignored, a header line is allowed.
 * Prometheus JSON: a range-query export of a per-second rate, e.g. `sum(rate(http_requests_total[1m]))`; series add
 * up. Either way the result is requests per minute on a regular grid.
 */
export function parseHistory(text: string, file: string, options: HistoryReadOptions = {}): History {
  return parseHistories([{ text, file }], options);
}

/**
 * Reads several pieces of one history (say, the weekly exports an air-gapped site carries out) into one: samples of
 * later pieces win where two overlap. All pieces are CSV or all are Prometheus JSON.
 */
export function parseHistories(
  pieces: readonly { readonly text: string; readonly file: string }[],
  options: HistoryReadOptions = {},
): History {
  const kinds = new Set(pieces.map((p) => p.text.trimStart().startsWith('{')));
  if (kinds.size > 1)
    throw new HistoryError([`${pieces.map((p) => p.file).join(', ')}: mix CSV and Prometheus JSON; give pieces of one kind`]);
  const json = kinds.has(true);
  const file = pieces.map((p) => p.file).join(', ');
  let samples: Sample[];
  if (pieces.length === 1)
    samples = (json ? promSamples(pieces[0].text, file) : csvSamples(pieces[0].text, file, options)).sort((a, b) => a.t - b.t);
  else {
    const byTime = new Map<number, Sample>();
    for (const p of pieces) for (const x of json ? promSamples(p.text, p.file) : csvSamples(p.text, p.file, options)) byTime.set(x.t, x);
    samples = [...byTime.values()].sort((a, b) => a.t - b.t);
  }
  if (samples.length < 2) {
    throw new HistoryError([`${file}: has ${samples.length} sample(s); a history needs at least two, ideally weeks of them`]);
  }
  for (let i = 1; i < samples.length; i++) {
    if (samples[i].t === samples[i - 1].t) {
      throw new HistoryError([`${file}: timestamp ${new Date(samples[i].t).toISOString()} appears twice; give each interval once`]);
    }
  }
  const ts = samples.map((s) => s.t);
  const stepMs = typicalStep(ts);
  const start = ts[0];
  const n = Math.floor((ts[ts.length - 1] - start) / stepMs) + 1;
  const perMinute = new Float64Array(n).fill(NaN);
  const toPerMinute = json ? 60 : MINUTE_MS / stepMs;
  const outage = samples.some((s) => s.outage) ? new Uint8Array(n) : undefined;
  for (const s of samples) {
    const i = Math.round((s.t - start) / stepMs);
    if (i >= 0 && i < n) {
      perMinute[i] = s.value * toPerMinute;
      if (outage && s.outage) outage[i] = 1;
    }
  }
  return outage ? { start, stepMs, perMinute, outage } : { start, stepMs, perMinute };
}

/** Reads a history file's text; `.gz` files are gunzipped. */
export function historyText(bytes: Buffer, file: string): string {
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** The part of a history before `until` (exclusive) or from `from` (inclusive). */
export function sliceHistory(h: History, from: number, until: number): History {
  const i0 = Math.max(0, Math.ceil((from - h.start) / h.stepMs));
  const i1 = Math.min(h.perMinute.length, Math.ceil((until - h.start) / h.stepMs));
  const end = Math.max(i0, i1);
  const out = { start: h.start + i0 * h.stepMs, stepMs: h.stepMs, perMinute: h.perMinute.slice(i0, end) };
  return h.outage ? { ...out, outage: h.outage.slice(i0, end) } : out;
}

export function historyEnd(h: History): number {
  return h.start + h.perMinute.length * h.stepMs;
}

/** Reads history files (`.gz` allowed; several pieces join, see {@link parseHistories}) for the CLIs. */
export function readHistoryFiles(files: readonly string[], options: HistoryReadOptions = {}): History {
  const missing = files.filter((f) => !fs.existsSync(f) || !fs.statSync(f).isFile());
  if (missing.length > 0) throw new HistoryError(missing.map((f) => `'--history' (${JSON.stringify(f)}) no such file`));
  return parseHistories(
    files.map((file) => ({ text: historyText(fs.readFileSync(file), file), file })),
    options,
  );
}
