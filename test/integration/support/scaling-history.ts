/**
 * A platform's metrics history for the scaling audit and report suites: the NASA trace (planning/fixtures/traces,
 * derived from ../shared/traces) as each service's load, replayed through the project's HPA simulator to produce
 * the replica series, written as OpenMetrics in the shape kube-state-metrics exposes HPAs, and the report's
 * per-service series as the rules record them, for `promtool tsdb create-blocks-from openmetrics`.
 */
import * as path from 'path';
import { Floor } from '../../../planning/forecast/forecast';
import { History, readHistoryFiles } from '../../../planning/shared/history';
import { SimSync, simulateHpa } from '../../../planning/forecast/hpa-sim';
import { REMEDIATION_RECORDS, SERVICE_RECORDS } from '../../../constructs/observability/performance-record-names';

export const TRACE = path.join(__dirname, '../../../planning/fixtures/traces/nasa-http-1995-07-per-minute.csv.gz');

const DAY = 86_400_000;
export const HPA_STEP_MS = 15_000;
const SLI_STEP_MS = 300_000;

export interface ServiceLoad {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Load factor on the trace (requests per minute). */
  readonly scale: number;
  /** The HPA object's name (KEDA's are `keda-hpa-<name>`). */
  readonly hpa: string;
  /** Weekday business-hours floor (UTC hours), as a KEDA cron trigger. */
  readonly floor?: { readonly from: number; readonly to: number; readonly replicas: number };
  /** An outage: errors at `ratio` for `minutes` from `atMs` (epoch ms). */
  readonly incident?: { readonly atMs: number; readonly minutes: number; readonly ratio: number };
  /** The remediation runner's actions on the service: when (epoch ms), what, and how the alert ended (at `endedMs`). */
  readonly remediations?: readonly {
    readonly atMs: number;
    readonly action: string;
    readonly endedMs: number;
    readonly result: 'resolved' | 'escalated';
  }[];
}

export interface PlatformHistory {
  readonly openMetrics: string;
  /** Per service, the simulator's syncs over the HPA range. */
  readonly syncs: Readonly<Record<string, readonly SimSync[]>>;
  readonly floorMetric: string;
}

/** KEDA's name for a cron trigger's metric. */
export const FLOOR_METRIC = 's1-cron-Etc-UTC-00xx08xx1-5-00xx20xx1-5';

function floorsOf(f: NonNullable<ServiceLoad['floor']>, from: number, to: number): Floor[] {
  const out: Floor[] = [];
  for (let d = Math.floor(from / DAY) * DAY; d < to; d += DAY) {
    const weekday = new Date(d).getUTCDay();
    if (weekday >= 1 && weekday <= 5) out.push({ from: d + f.from * 3_600_000, to: d + f.to * 3_600_000, minReplicas: f.replicas });
  }
  return out;
}

/** The trace shifted so it ends at `end`, times `scale`. */
function shifted(trace: History, end: number, scale: number): History {
  const perMinute = trace.perMinute.map((v) => v * scale);
  return { start: end - perMinute.length * trace.stepMs, stepMs: trace.stepMs, perMinute };
}

/**
 * `sliDays` of SLI series up to `end` (2-minute samples) and `hpaDays` of HPA series (15 s, the sync period), both
 * ending at `end` (a multiple of 15 s).
 */
export function platformHistory(
  namespace: string,
  services: readonly ServiceLoad[],
  end: number,
  sliDays: number,
  hpaDays: number,
): PlatformHistory {
  const trace = readHistoryFiles([TRACE]);
  const lines: string[] = [];
  const syncs: Record<string, SimSync[]> = {};
  const families = new Map<string, string[]>();
  const add = (family: string, line: string) => {
    const l = families.get(family) ?? [];
    l.push(line);
    families.set(family, l);
  };
  const hpaFrom = end - hpaDays * DAY;
  const sliFrom = end - sliDays * DAY;
  for (const s of services) {
    const load = shifted(trace, end + DAY, s.scale);
    const loadAt = (t: number) => load.perMinute[Math.floor((t - load.start) / load.stepMs)] ?? 0;
    // Capacity per replica so the busiest minute of the HPA range needs 90% of max replicas at the 70% target.
    const window = load.perMinute.subarray(Math.floor((hpaFrom - load.start) / load.stepMs), Math.floor((end - load.start) / load.stepMs));
    const perReplica = Math.max(...Array.from(window)) / (0.7 * s.max * 0.9);
    const floors = s.floor ? floorsOf(s.floor, hpaFrom - DAY, end) : [];
    const mine: SimSync[] = [];
    simulateHpa(load, hpaFrom, end, { perReplica, target: 0.7, min: s.min, max: s.max, floors, onSync: (x) => mine.push(x) });
    syncs[s.name] = mine;
    const hpa = `namespace="${namespace}",horizontalpodautoscaler="${s.hpa}"`;
    // A sample where anything changed, and one a minute otherwise (within Prometheus' 5-minute look-back): the
    // rules evaluated every 15 s see every sync as the HPA saw it, from a quarter of the lines.
    const state = (x: SimSync) => `${x.current} ${x.desired} ${x.loadPerPod} ${x.floor}`;
    for (let k = 0; k < mine.length; k++) {
      const x = mine[k];
      if (k % 4 !== 0 && state(x) === state(mine[k - 1])) continue;
      const ts = (x.t / 1000).toFixed(0);
      add(
        'kube_horizontalpodautoscaler_status_current_replicas',
        `kube_horizontalpodautoscaler_status_current_replicas{${hpa}} ${x.current} ${ts}`,
      );
      add(
        'kube_horizontalpodautoscaler_status_desired_replicas',
        `kube_horizontalpodautoscaler_status_desired_replicas{${hpa}} ${x.desired} ${ts}`,
      );
      add('kube_horizontalpodautoscaler_spec_min_replicas', `kube_horizontalpodautoscaler_spec_min_replicas{${hpa}} ${s.min} ${ts}`);
      add('kube_horizontalpodautoscaler_spec_max_replicas', `kube_horizontalpodautoscaler_spec_max_replicas{${hpa}} ${s.max} ${ts}`);
      const m = `${hpa},metric_name="http_requests_per_second",metric_target_type="average"`;
      add('kube_horizontalpodautoscaler_spec_target_metric', `kube_horizontalpodautoscaler_spec_target_metric{${m}} ${x.loadTarget} ${ts}`);
      add(
        'kube_horizontalpodautoscaler_status_target_metric',
        `kube_horizontalpodautoscaler_status_target_metric{${m}} ${x.loadPerPod} ${ts}`,
      );
      if (s.floor) {
        // KEDA's cron scaler: an AverageValue target of 1 and the floor as the metric's total while in force.
        const f = `${hpa},metric_name="${FLOOR_METRIC}",metric_target_type="average"`;
        add('kube_horizontalpodautoscaler_spec_target_metric', `kube_horizontalpodautoscaler_spec_target_metric{${f}} 1 ${ts}`);
        add(
          'kube_horizontalpodautoscaler_status_target_metric',
          `kube_horizontalpodautoscaler_status_target_metric{${f}} ${x.floor !== undefined ? x.floor / x.current : 0} ${ts}`,
        );
      }
    }
    // The report's series as the rules record them (their expressions are checked by promtool in the suite): traffic,
    // a latency percentile that degrades with the load, errors low but for the incident.
    const sel = `namespace="${namespace}",service="${s.name}"`;
    const peak = perReplica * s.max;
    for (let t = sliFrom; t <= end; t += SLI_STEP_MS) {
      const inIncident = s.incident && t >= s.incident.atMs && t < s.incident.atMs + s.incident.minutes * 60_000;
      const u = Math.min(1.2, loadAt(t) / peak);
      const ts = (t / 1000).toFixed(0);
      add(SERVICE_RECORDS.requests, `${SERVICE_RECORDS.requests}{${sel}} ${(loadAt(t) / 60).toFixed(4)} ${ts}`);
      add(SERVICE_RECORDS.latency, `${SERVICE_RECORDS.latency}{${sel}} ${(0.08 + 0.2 * Math.max(0, u - 0.5) ** 2).toFixed(4)} ${ts}`);
      add(
        'slo:sli_error:ratio_rate5m',
        `slo:sli_error:ratio_rate5m{${sel},slo="availability"} ${inIncident ? s.incident!.ratio : 0.0002} ${ts}`,
      );
    }
  }
  // The runner's records as the rules record them (checked by promtool in remediation-records.test.ts): cumulative
  // sums that appear with the first action, as the runner's counters do.
  for (const s of services) {
    const events = s.remediations ?? [];
    if (events.length === 0) continue;
    const sel = `namespace="${namespace}",service="${s.name}",dry_run="false"`;
    const first = Math.min(...events.map((e) => e.atMs));
    for (let t = Math.ceil(first / SLI_STEP_MS) * SLI_STEP_MS; t <= end; t += SLI_STEP_MS) {
      const ts = (t / 1000).toFixed(0);
      for (const action of new Set(events.map((e) => e.action))) {
        const n = events.filter((e) => e.action === action && e.atMs <= t).length;
        add(REMEDIATION_RECORDS.actions, `${REMEDIATION_RECORDS.actions}{${sel},action="${action}"} ${n} ${ts}`);
      }
      for (const result of ['resolved', 'escalated'] as const) {
        const n = events.filter((e) => e.result === result && e.endedMs <= t).length;
        if (n > 0) add(REMEDIATION_RECORDS.outcomes, `${REMEDIATION_RECORDS.outcomes}{${sel},result="${result}"} ${n} ${ts}`);
      }
    }
  }
  for (const [family, ls] of families) {
    lines.push(`# TYPE ${family} gauge`);
    for (const l of ls) lines.push(l);
  }
  return { openMetrics: `${lines.join('\n')}\n# EOF\n`, syncs, floorMetric: FLOOR_METRIC };
}
