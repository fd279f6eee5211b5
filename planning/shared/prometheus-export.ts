/**
 * Prometheus range-query exports (`/api/v1/query_range` answers saved as JSON), the history format of every offline
 * planning tool: request rates for forecasts and capacity, container usage for right-sizing.
 */

import { InputProblems, MAX_PROBLEMS } from '../../cli/problems';

/** One series of an export: its labels and its samples as [epoch ms, value]. */
export interface MatrixSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly samples: readonly (readonly [number, number])[];
}

/** The export could not be read: one line per problem, naming the file. */
export class PrometheusExportError extends InputProblems {}

/** Reads a range-query export; every sample must be [unix seconds, "value >= 0"]. */
export function readMatrix(text: string, file: string): MatrixSeries[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PrometheusExportError([`${file}:1: not JSON (${(e as Error).message})`]);
  }
  const d = doc as { status?: unknown; data?: { resultType?: unknown; result?: unknown } };
  if (d?.status !== 'success' || d.data?.resultType !== 'matrix' || !Array.isArray(d.data.result)) {
    throw new PrometheusExportError([
      `${file}:1: expected a Prometheus range-query export {"status":"success","data":{"resultType":"matrix","result":[...]}}`,
    ]);
  }
  const problems: string[] = [];
  const series: MatrixSeries[] = [];
  d.data.result.forEach((r: { metric?: unknown; values?: unknown }, s: number) => {
    if (!Array.isArray(r?.values)) {
      problems.push(`${file}:1: data.result[${s}].values must be an array of [unix seconds, "value"] pairs`);
      return;
    }
    const samples: [number, number][] = [];
    r.values.forEach((pair: unknown, i: number) => {
      const [ts, v] = Array.isArray(pair) ? pair : [];
      const value = typeof v === 'string' ? Number(v) : NaN;
      if (typeof ts !== 'number' || !Number.isFinite(ts) || !Number.isFinite(value) || value < 0) {
        if (problems.length < MAX_PROBLEMS)
          problems.push(`${file}:1: data.result[${s}].values[${i}] (${JSON.stringify(pair)}) must be [unix seconds, "value >= 0"]`);
        return;
      }
      samples.push([Math.round(ts * 1000), value]);
    });
    series.push({ metric: (r.metric ?? {}) as Record<string, string>, samples });
  });
  if (problems.length > 0) throw new PrometheusExportError(problems);
  return series;
}
