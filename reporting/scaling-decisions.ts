/**
 * Every replica change of one autoscaled workload with its reason, from the recorded HPA series (SCALING_RECORDS):
 * the metric (or cron/forecast floor) whose recommendation was the largest, its value against its target, from and
 * to replicas, and what held the change short of the recommendation (min/max, a rate policy, the stabilization
 * window), following the HPA's documented algorithm. Changes the HPA did not decide (a remediation or a person
 * scaling the Deployment) are listed as such. Pure.
 *
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details
 */
import { SCALING_RECORDS } from '../constructs/observability/performance-record-names';
import { MatrixSeries } from '../planning/shared/prometheus-export';
import type { ScalingLimit } from '../planning/forecast/hpa-sim';

export type { ScalingLimit };

/** What asked for the change. */
export type ScalingCause = 'metric' | 'floor' | 'outside-hpa';

export interface ScalingDecision {
  /** Epoch ms of the HPA sync that decided it. */
  readonly t: number;
  readonly service: string;
  readonly from: number;
  readonly to: number;
  readonly cause: ScalingCause;
  /** The HPA metric whose recommendation won (the floor's cron metric for floors); undefined outside the HPA. */
  readonly metric?: string;
  readonly value?: number;
  readonly target?: number;
  /** Replicas that metric asked for, before bounds. */
  readonly proposed?: number;
  readonly limit?: ScalingLimit;
}

export interface AuditOptions {
  /** The HPA's tolerance. @default 0.1 */
  readonly tolerance?: number;
  /** Scale-down stabilization window, seconds (the platform's is PLATFORM_BEHAVIOR.scaleDown.windowS). */
  readonly scaleDownWindowS: number;
}

/** KEDA names a cron trigger's metric `s<index>-cron-<zone>-<start>-<end>`: business-hours and forecast floors. */
export const isFloorMetric = (metric: string) => /(^|-)cron(-|$)/.test(metric);

interface Sample {
  readonly current: number;
  readonly desired: number;
  readonly min: number;
  readonly max: number;
  readonly metrics: readonly { readonly name: string; readonly value: number; readonly target: number }[];
}

/** The recorded series of one service on one time grid: each time with every series' latest sample. */
function samples(series: readonly MatrixSeries[]): { t: number; s: Sample }[] {
  const byName = (n: string) => series.filter((s) => s.metric.__name__ === n);
  const lookup = (ss: readonly MatrixSeries[]) => {
    const m = new Map<number, number>();
    for (const s of ss) for (const [t, v] of s.samples) m.set(t, v);
    return m;
  };
  const current = lookup(byName(SCALING_RECORDS.current));
  const desired = lookup(byName(SCALING_RECORDS.desired));
  const min = lookup(byName(SCALING_RECORDS.min));
  const max = lookup(byName(SCALING_RECORDS.max));
  const targets = new Map(byName(SCALING_RECORDS.metricTarget).map((s) => [s.metric.metric, lookup([s])]));
  const values = byName(SCALING_RECORDS.metricValue).map((s) => ({ name: s.metric.metric, values: lookup([s]) }));
  const out: { t: number; s: Sample }[] = [];
  for (const t of [...current.keys()].sort((a, b) => a - b)) {
    const d = desired.get(t);
    if (d === undefined) continue;
    const metrics = values.flatMap(({ name, values: v }) => {
      const value = v.get(t);
      const target = targets.get(name)?.get(t);
      return value === undefined || target === undefined || target <= 0 ? [] : [{ name, value, target }];
    });
    out.push({ t, s: { current: current.get(t)!, desired: d, min: min.get(t) ?? 1, max: max.get(t) ?? Infinity, metrics } });
  }
  return out;
}

/** A metric's recommendation at `current` replicas: unchanged within the tolerance, else scaled by value/target. */
function proposal(current: number, value: number, target: number, tolerance: number): number {
  const ratio = value / target;
  return Math.abs(ratio - 1) <= tolerance ? current : Math.ceil(current * ratio - 1e-9);
}

/** The winning metric (a floor on a tie, as it holds the count) and the recommendation before bounds. */
function recommend(s: Sample, tolerance: number) {
  let best: { name: string; value: number; target: number; proposed: number } | undefined;
  for (const m of s.metrics) {
    const proposed = proposal(s.current, m.value, m.target, tolerance);
    if (!best || proposed > best.proposed || (proposed === best.proposed && isFloorMetric(m.name) && !isFloorMetric(best.name)))
      best = { ...m, proposed };
  }
  return best;
}

const clamp = (n: number, s: Sample) => Math.min(s.max, Math.max(s.min, n));

/** The decisions in `series` (one service's recorded series), oldest first. */
export function scalingDecisions(service: string, series: readonly MatrixSeries[], o: AuditOptions): ScalingDecision[] {
  const tolerance = o.tolerance ?? 0.1;
  const windowMs = o.scaleDownWindowS * 1000;
  const grid = samples(series);
  const recs = grid.map(({ s }) => {
    const r = recommend(s, tolerance);
    return r ? clamp(r.proposed, s) : s.current;
  });
  const decisions: ScalingDecision[] = [];
  for (let i = 0; i < grid.length; i++) {
    const { t, s } = grid[i];
    const prev = i > 0 ? grid[i - 1].s : undefined;
    // The count moved without the HPA asking (its last decision was something else): remediation or a person.
    if (prev && prev.current === prev.desired && s.current !== prev.current)
      decisions.push({ t, service, from: prev.current, to: s.current, cause: 'outside-hpa' });
    if (s.desired === s.current) continue;
    // One decision stays visible until the next sync: record it once.
    if (prev && prev.current === s.current && prev.desired === s.desired) continue;
    const best = recommend(s, tolerance);
    const rec = recs[i];
    let limit: ScalingLimit | undefined;
    if (s.desired > s.current) {
      if (s.desired !== rec) limit = 'rate-policy';
    } else {
      let windowMax = -Infinity;
      for (let k = i; k >= 0 && grid[k].t > t - windowMs; k--) windowMax = Math.max(windowMax, recs[k]);
      const stabilized = Math.min(s.current, windowMax);
      if (s.desired !== stabilized) limit = 'rate-policy';
      else if (stabilized !== rec) limit = 'stabilization';
    }
    if (!limit && best && rec !== best.proposed) limit = best.proposed > s.max ? 'max' : 'min';
    decisions.push({
      t,
      service,
      from: s.current,
      to: s.desired,
      cause: best && isFloorMetric(best.name) ? 'floor' : 'metric',
      metric: best?.name,
      value: best?.value,
      target: best?.target,
      proposed: best?.proposed,
      limit,
    });
  }
  return decisions;
}

const LIMITS: Record<ScalingLimit, string> = {
  min: 'held at minReplicas',
  max: 'held at maxReplicas',
  'rate-policy': 'held back by the rate policy',
  stabilization: 'held back by the stabilization window',
};

const num = (n: number) => String(Number(n.toPrecision(4)));

/** One decision as a sentence: `scaled up 4 -> 8: http_requests 12.5 vs target 8.75 asked for 6; ...`. */
export function describeDecision(d: ScalingDecision): string {
  const verb = d.to > d.from ? 'up' : 'down';
  if (d.cause === 'outside-hpa') return `scaled ${verb} ${d.from} -> ${d.to} outside the HPA (a remediation action or a person)`;
  const what = d.cause === 'floor' ? `cron/forecast floor ${d.metric}` : `metric ${d.metric}`;
  const why = d.metric ? `${what} ${num(d.value!)} vs target ${num(d.target!)} asked for ${d.proposed}` : 'no metric recorded';
  return `scaled ${verb} ${d.from} -> ${d.to}: ${why}${d.limit ? `; ${LIMITS[d.limit]}` : ''}`;
}
