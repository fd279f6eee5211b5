/**
 * Container usage histories for right-sizing, read from Prometheus range-query exports (JSON, optionally gzipped),
 * one per query, each series labelled by `container`:
 *
 * - cpu:    `sum by (container) (rate(container_cpu_usage_seconds_total{namespace="web",container!="",container!="POD"}[5m]))`
 * - pods:   `count by (container) (container_memory_working_set_bytes{namespace="web",container!="",container!="POD"})`
 * - memory: `max by (container) (container_memory_working_set_bytes{namespace="web",container!="",container!="POD"})`
 * - oom:    `sum by (container) (increase(container_oom_events_total{namespace="web",container!=""}[5m]))` (optional)
 *
 * CPU is the service's total, shared evenly by its pods behind a Service; memory is the largest pod's working set.
 */
import { InputProblems, MAX_PROBLEMS } from '../../cli/problems';
import { gunzipSync } from 'zlib';
import { MatrixSeries, PrometheusExportError, readMatrix } from '../shared/prometheus-export';

/** One container's usage on a regular grid of `stepMs`; NaN where the export had no sample. */
export interface ContainerUsage {
  readonly container: string;
  readonly start: number;
  readonly stepMs: number;
  /** CPU cores used by all pods together. */
  readonly cpuCores: Float64Array;
  /** Pods running. */
  readonly pods: Float64Array;
  /** Working set of the largest pod, MiB. */
  readonly memoryPeakMiB: Float64Array;
  /** OOM kills in the step. */
  readonly oomKills: Float64Array;
}

/** The export could not be used; one line per problem, naming the file. */
export class UsageError extends InputProblems {}

interface Series {
  readonly container: string;
  readonly samples: readonly (readonly [number, number])[];
}

/** The `container`-labelled series of one range-query export. */
export function readExport(content: Buffer | string, file: string): Series[] {
  let text: string;
  try {
    text =
      typeof content === 'string'
        ? content
        : content[0] === 0x1f && content[1] === 0x8b
          ? gunzipSync(content).toString('utf8')
          : content.toString('utf8');
  } catch {
    throw new UsageError([`${file}: not valid gzip`]);
  }
  let matrix: MatrixSeries[];
  try {
    matrix = readMatrix(text, file);
  } catch (e) {
    if (e instanceof PrometheusExportError) throw new UsageError(e.problems);
    throw e;
  }
  const problems: string[] = [];
  const series: Series[] = [];
  matrix.forEach((r, i) => {
    const container = r.metric.container;
    if (typeof container !== 'string' || container === '')
      problems.push(`${file}: result[${i}] has no 'container' label; aggregate with 'by (container)'`);
    else series.push({ container, samples: r.samples });
  });
  if (problems.length > 0) throw new UsageError(problems.slice(0, MAX_PROBLEMS));
  if (series.length === 0) throw new UsageError([`${file}: the export has no series; check the query's namespace and time range`]);
  return series;
}

export interface UsageExports {
  readonly cpu: Series[];
  readonly pods: Series[];
  readonly memory: Series[];
  readonly oom?: Series[];
}

/** The step of a series: the most common gap between its samples. */
function stepOf(series: readonly Series[]): number {
  const counts = new Map<number, number>();
  for (const s of series)
    for (let i = 1; i < s.samples.length; i++)
      counts.set(s.samples[i][0] - s.samples[i - 1][0], (counts.get(s.samples[i][0] - s.samples[i - 1][0]) ?? 0) + 1);
  let best = 60_000;
  let n = 0;
  for (const [gap, c] of counts) if (c > n && gap > 0) [best, n] = [gap, c];
  return best;
}

/** Joins the exports into one grid per container. Containers missing from cpu, pods or memory are refused. */
export function usageByContainer(exports: UsageExports): ContainerUsage[] {
  const step = stepOf(exports.cpu);
  const all = [...exports.cpu, ...exports.pods, ...exports.memory, ...(exports.oom ?? [])];
  const start = Math.min(...all.flatMap((s) => (s.samples.length ? [s.samples[0][0]] : [])));
  const end = Math.max(...all.flatMap((s) => (s.samples.length ? [s.samples[s.samples.length - 1][0]] : [])));
  const length = Math.floor((end - start) / step) + 1;
  const grid = (series: Series | undefined, fill: number) => {
    const out = new Float64Array(length).fill(fill);
    for (const [t, v] of series?.samples ?? []) {
      const i = Math.round((t - start) / step);
      if (i >= 0 && i < length) out[i] = v;
    }
    return out;
  };
  const find = (list: readonly Series[] | undefined, c: string) => list?.find((s) => s.container === c);
  const problems: string[] = [];
  const out: ContainerUsage[] = [];
  for (const c of [...new Set(exports.cpu.map((s) => s.container))].sort()) {
    const pods = find(exports.pods, c);
    const memory = find(exports.memory, c);
    if (!pods) problems.push(`pods export: no series for container '${c}'`);
    if (!memory) problems.push(`memory export: no series for container '${c}'`);
    if (!pods || !memory) continue;
    out.push({
      container: c,
      start,
      stepMs: step,
      cpuCores: grid(find(exports.cpu, c), NaN),
      pods: grid(pods, NaN),
      memoryPeakMiB: grid(memory, NaN).map((b) => b / 2 ** 20),
      oomKills: grid(find(exports.oom, c), 0),
    });
  }
  if (problems.length > 0) throw new UsageError(problems);
  return out;
}

/** The part of a usage history from `from` (inclusive) to `to` (exclusive), epoch ms. */
export function slice(u: ContainerUsage, from: number, to: number): ContainerUsage {
  const a = Math.max(0, Math.ceil((from - u.start) / u.stepMs));
  const b = Math.min(u.cpuCores.length, Math.ceil((to - u.start) / u.stepMs));
  return {
    ...u,
    start: u.start + a * u.stepMs,
    cpuCores: u.cpuCores.subarray(a, b),
    pods: u.pods.subarray(a, b),
    memoryPeakMiB: u.memoryPeakMiB.subarray(a, b),
    oomKills: u.oomKills.subarray(a, b),
  };
}
