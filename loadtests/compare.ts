/**
 * The baseline comparator: a k6 `--summary-export` file against a baseline, p95 and p99 latency, error rate and
 * throughput; a change for the worse above the tolerance is a regression. `npm run loadtest:compare`
 * (compare-cli.ts) is the CLI around it.
 */
import * as fs from 'fs';
import { junitXml } from '../cli/junit';

export interface SummaryFigures {
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
  readonly requestsPerSecond: number;
}

export class SummaryError extends Error {}

/** Reads the figures from a k6 summary export; throws SummaryError naming the file and what is missing. */
export function readSummary(file: string): SummaryFigures {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new SummaryError(`${file}: cannot read the file (does it exist?)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SummaryError(`${file}: not JSON (${(e as Error).message}); expected the file k6 writes with --summary-export`);
  }
  const m = isRecord(json) ? json.metrics : undefined;
  if (!isRecord(m)) {
    throw new SummaryError(
      `${file}: 'metrics' (${m === undefined ? 'missing' : JSON.stringify(m)}) must be an object of metrics; expected the file k6 writes with --summary-export`,
    );
  }
  const problems: string[] = [];
  const need = (metric: string, field: string, range: FigureRange): number => {
    const entry = m[metric];
    const v = isRecord(entry) ? entry[field] : undefined;
    if (v === undefined) {
      problems.push(
        `${file}: metrics.${metric}['${field}'] is missing; run k6 with --summary-export and summaryTrendStats including p(95) and p(99)`,
      );
      return NaN;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < range.min || v > range.max) {
      problems.push(
        `${file}: 'metrics.${metric}['${field}']' (${typeof v === 'number' ? String(v) : JSON.stringify(v)}) must be ${range.what}`,
      );
      return NaN;
    }
    return v;
  };
  const latency: FigureRange = { min: 0, max: Infinity, what: 'a latency in milliseconds >= 0' };
  const figures = {
    p95Ms: need('http_req_duration', 'p(95)', latency),
    p99Ms: need('http_req_duration', 'p(99)', latency),
    errorRate: need('http_req_failed', 'value', { min: 0, max: 1, what: 'a rate between 0 and 1' }),
    requestsPerSecond: need('http_reqs', 'rate', { min: 0, max: Infinity, what: 'a rate in requests per second >= 0' }),
  };
  if (problems.length === 0 && figures.p99Ms < figures.p95Ms) {
    problems.push(
      `${file}: 'metrics.http_req_duration['p(99)']' (${figures.p99Ms}) must be >= 'p(95)' (${figures.p95Ms}); the summary is corrupt`,
    );
  }
  if (problems.length > 0) throw new SummaryError(problems.join('\n'));
  return figures;
}

interface FigureRange {
  readonly min: number;
  readonly max: number;
  readonly what: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface Comparison {
  readonly metric: string;
  readonly baseline: number;
  readonly current: number;
  /** Relative change for the worse, in percent (negative: better). */
  readonly worsePercent: number;
  readonly regressed: boolean;
}

/** Error rates this close to zero are noise: a change below it is never a regression. */
const ERROR_RATE_FLOOR = 0.0001;

export function compare(current: SummaryFigures, baseline: SummaryFigures, tolerancePercent = 10): Comparison[] {
  const rows: [string, number, number, 'higher' | 'lower'][] = [
    ['p95 latency (ms)', baseline.p95Ms, current.p95Ms, 'higher'],
    ['p99 latency (ms)', baseline.p99Ms, current.p99Ms, 'higher'],
    ['error rate', baseline.errorRate, current.errorRate, 'higher'],
    ['throughput (req/s)', baseline.requestsPerSecond, current.requestsPerSecond, 'lower'],
  ];
  return rows.map(([metric, b, c, worse]) => {
    const delta = worse === 'higher' ? c - b : b - c;
    const worsePercent = b === 0 ? (delta > 0 ? Infinity : 0) : (delta / b) * 100;
    const regressed =
      metric === 'error rate' ? delta > ERROR_RATE_FLOOR && worsePercent > tolerancePercent : worsePercent > tolerancePercent;
    return { metric, baseline: b, current: c, worsePercent, regressed };
  });
}

export function table(rows: readonly Comparison[], tolerancePercent: number): string {
  const fmt = (n: number) => (Math.abs(n) < 1 ? n.toFixed(4) : n.toFixed(1));
  const lines = rows.map((r) => [
    r.metric,
    fmt(r.baseline),
    fmt(r.current),
    Number.isFinite(r.worsePercent) ? `${r.worsePercent.toFixed(1)}%` : 'new',
    r.regressed ? 'REGRESSION' : 'ok',
  ]);
  const header = ['metric', 'baseline', 'current', 'worse by', `verdict (tolerance ${tolerancePercent}%)`];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  return [header, ...lines].map((l) => l.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}

export function junit(rows: readonly Comparison[], tolerancePercent: number): string {
  return junitXml(
    'loadtest-regression',
    rows.map((r) => ({
      classname: 'loadtest.regression',
      name: r.metric,
      failure: r.regressed
        ? `${r.metric} worse by ${r.worsePercent.toFixed(1)}% (baseline ${r.baseline}, current ${r.current}, tolerance ${tolerancePercent}%)`
        : undefined,
    })),
  );
}
