/**
 * A simulator of the HorizontalPodAutoscaler's documented algorithm, for replaying a request-rate history: a sync
 * every 15 s, a 0.1 tolerance, not-yet-ready pods counted as idle when scaling up, stabilization windows, the
 * scale-up and scale-down rate policies (selectPolicy Max), a lag between the load and the metric the HPA sees,
 * and pods that become ready some time after they are created. KEDA cron floors act as one more metric whose
 * desired count is the floor, as KEDA's cron scaler does.
 *
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details
 * @see https://keda.sh/docs/2.15/scalers/cron/
 */
import { DEFAULT_SCALE_DOWN, DEFAULT_SCALE_UP } from '../../constructs/workload/scaling-behavior';
import { Floor } from './forecast';
import { History } from '../shared/history';

export interface RatePolicy {
  readonly windowS: number;
  readonly percent: number;
  readonly pods: number;
  readonly periodS: number;
}

const policy = (p: typeof DEFAULT_SCALE_UP | typeof DEFAULT_SCALE_DOWN): RatePolicy => ({
  windowS: p.stabilizationWindow.toSeconds(),
  percent: p.percent,
  pods: p.pods,
  periodS: p.period.toSeconds(),
});

/** The behaviour perfstack renders by default (constructs/workload/scaling-behavior.ts). */
export const PLATFORM_BEHAVIOR = { scaleUp: policy(DEFAULT_SCALE_UP), scaleDown: policy(DEFAULT_SCALE_DOWN) } as const;

export interface SimOptions {
  /** Requests per minute one ready pod serves at 100% utilization. */
  readonly perReplica: number;
  /** Utilization target, 0-1. */
  readonly target: number;
  readonly min: number;
  readonly max: number;
  /** @default - PLATFORM_BEHAVIOR */
  readonly behavior?: { readonly scaleUp: RatePolicy; readonly scaleDown: RatePolicy };
  /** @default 15 s */
  readonly syncMs?: number;
  /** @default 0.1 */
  readonly tolerance?: number;
  /** Age of the load the metric shows (scrape interval, rate window, adapter cache). @default 60 s */
  readonly metricLagMs?: number;
  /** Pod creation to ready (image pull, start-up, readiness probe). @default 120 s */
  readonly readyMs?: number;
  /** KEDA cron floors in force. @default - none (reactive only) */
  readonly floors?: readonly Floor[];
  /** Time simulated before `from` and not counted, so the run starts from a settled state. @default 1 h */
  readonly warmUpMs?: number;
  /** Called at every sync from `from` on with what the HPA saw and decided (replays into metrics). @default - none */
  readonly onSync?: (sync: SimSync) => void;
  /**
   * Also report the figures per period of this length from `from` (e.g. a day), so a caller can see where floors
   * paid and where they did not. @default - totals only
   */
  readonly bucketMs?: number;
}

/** What limited a change below (or above) the recommendation, as the audit trail names it. */
export type ScalingLimit = 'min' | 'max' | 'rate-policy' | 'stabilization';

/** One sync of the simulated HPA: what kube-state-metrics would show of it, and why it changed the count. */
export interface SimSync {
  readonly t: number;
  /** Replicas before the decision (the HPA's `status.currentReplicas`). */
  readonly current: number;
  /** Replicas after it (`status.desiredReplicas`). */
  readonly desired: number;
  /** The load metric as the HPA status shows it: requests per second per pod, over every current pod. */
  readonly loadPerPod: number;
  /** Its target: requests per second per pod. */
  readonly loadTarget: number;
  /** The cron floor in force, if any. */
  readonly floor?: number;
  /** Which recommendation was the larger (the floor on a tie), when the count changed. */
  readonly driver?: 'load' | 'floor';
  /** What held the change short of the recommendation, when something did. */
  readonly limit?: ScalingLimit;
}

/** The figures of one period of a run. */
export interface SimBucket {
  readonly underProvisionedMinutes: number;
  readonly replicaHours: number;
}

export interface SimResult {
  /** Minutes in which the load exceeded ready pods x capacity (15 s ticks, in minutes). */
  readonly underProvisionedMinutes: number;
  /** Pods (ready or starting) x hours: what the nodes are paid for. */
  readonly replicaHours: number;
  /** Largest replica count reached. */
  readonly peakReplicas: number;
  /** Minutes of the period that had load data. */
  readonly minutes: number;
  /** Per `bucketMs` period from `from`, when asked. */
  readonly buckets?: readonly SimBucket[];
}

/** Replays the history between `from` and `to` (epoch ms) through the HPA. */
export function simulateHpa(history: History, from: number, to: number, o: SimOptions): SimResult {
  const sync = o.syncMs ?? 15_000;
  const tol = o.tolerance ?? 0.1;
  const lag = o.metricLagMs ?? 60_000;
  const readyMs = o.readyMs ?? 120_000;
  const { scaleUp, scaleDown } = o.behavior ?? PLATFORM_BEHAVIOR;
  const floors = [...(o.floors ?? [])].sort((a, b) => a.from - b.from);
  const cap = o.perReplica;
  const clamp = (n: number) => Math.min(o.max, Math.max(o.min, n));
  const loadAt = (t: number): number => {
    const i = Math.floor((t - history.start) / history.stepMs);
    return i >= 0 && i < history.perMinute.length ? history.perMinute[i] : NaN;
  };
  let floorIdx = 0;
  const floorAt = (t: number): number | undefined => {
    while (floorIdx < floors.length && floors[floorIdx].to <= t) floorIdx++;
    const f = floors[floorIdx];
    return f && f.from <= t && t < f.to ? f.minReplicas : undefined;
  };

  const start = from - (o.warmUpMs ?? 3_600_000);
  const first = loadAt(start);
  // Ready-at times of the pods, oldest first. Pods are added at the current tick plus `readyMs` and removed newest
  // first, so the array stays sorted and the ready pods are a prefix of it.
  const pods: number[] = Array.from({ length: clamp(Math.ceil((Number.isNaN(first) ? 0 : first) / (cap * o.target))) }, () => -Infinity);
  const readyAt = (t: number): number => {
    let lo = 0;
    let hi = pods.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pods[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // The recommendations of the last ticks, newest at `tick % window`: the stabilization windows are whole ticks back
  // from now (a recommendation counts when it is younger than the window, and the current one always counts).
  const ticksIn = (windowS: number) => Math.max(1, Math.ceil((windowS * 1000) / sync));
  const upTicks = ticksIn(scaleUp.windowS);
  const downTicks = ticksIn(scaleDown.windowS);
  const window = Math.max(upTicks, downTicks);
  const recommendations = new Float64Array(window);
  let tick = 0;
  const events: { t: number; delta: number }[] = [];
  let metric = Number.isNaN(first) ? 0 : first;
  let under = 0;
  let podMs = 0;
  let peak = pods.length;
  let minutes = 0;
  const bucketMs = o.bucketMs;
  const buckets = bucketMs ? Array.from({ length: Math.ceil((to - from) / bucketMs) }, () => ({ under: 0, podMs: 0 })) : undefined;

  for (let t = start; t < to; t += sync) {
    const lagged = loadAt(t - lag);
    if (!Number.isNaN(lagged)) metric = lagged;
    const current = pods.length;
    const ready = readyAt(t);

    // The load metric's recommendation.
    let rec = current;
    let floorRec = -Infinity;
    if (ready > 0) {
      const ratio = metric / (ready * cap) / o.target;
      if (ratio > 1 + tol && ready < current) {
        // Scaling up: pods not yet ready count as using nothing; if that brings the ratio back, hold.
        const all = metric / (current * cap) / o.target;
        if (all > 1 + tol) rec = Math.ceil(all * current);
      } else if (Math.abs(ratio - 1) > tol) {
        rec = Math.ceil(ratio * ready);
      }
    }
    // The cron floor's recommendation (an external metric whose desired count is the floor).
    const floor = floorAt(t);
    if (floor !== undefined && current > 0) {
      floorRec = Math.abs(floor / current - 1) <= tol ? current : floor;
    }
    const loadRec = rec;
    const unclamped = Math.max(rec, floorRec);
    rec = clamp(unclamped);
    recommendations[tick % window] = rec;

    // Stabilization: up to the lowest recommendation of the up window, down to the highest of the down window.
    let upRec = Infinity;
    let downRec = -Infinity;
    for (let k = 0; k <= tick && k < window; k++) {
      const r = recommendations[(tick - k) % window];
      if (k < upTicks) upRec = Math.min(upRec, r);
      if (k < downTicks) downRec = Math.max(downRec, r);
    }
    tick++;
    let desired = current;
    if (desired < upRec) desired = upRec;
    if (desired > downRec) desired = downRec;
    const stabilized = desired;

    // Rate policies, measured from the count at the start of each policy's period.
    const changed = (periodS: number, sign: 1 | -1) =>
      events.filter((e) => e.t > t - periodS * 1000 && Math.sign(e.delta) === sign).reduce((acc, e) => acc + e.delta, 0);
    if (desired > current) {
      const base = current - changed(scaleUp.periodS, 1);
      const limit = Math.max(Math.ceil(base * (1 + scaleUp.percent / 100)), base + scaleUp.pods);
      desired = Math.min(desired, limit, o.max);
    } else if (desired < current) {
      const base = current - changed(scaleDown.periodS, -1);
      const limit = Math.min(Math.ceil(base * (1 - scaleDown.percent / 100)), base - scaleDown.pods);
      desired = Math.max(desired, limit, o.min);
    }
    if (desired > current) {
      for (let i = current; i < desired; i++) pods.push(t + readyMs);
      events.push({ t, delta: desired - current });
    } else if (desired < current) {
      // The ReplicaSet removes pods that are not ready before ready ones, newest first: the end of the sorted array.
      pods.length = desired;
      events.push({ t, delta: desired - current });
    }
    if (o.onSync && t >= from) {
      const changed = desired !== current;
      const limit: ScalingLimit | undefined = !changed
        ? undefined
        : desired !== stabilized
          ? 'rate-policy'
          : stabilized !== rec
            ? 'stabilization'
            : rec !== unclamped
              ? unclamped > o.max
                ? 'max'
                : 'min'
              : undefined;
      o.onSync({
        t,
        current,
        desired,
        loadPerPod: current > 0 ? metric / 60 / current : 0,
        loadTarget: (cap * o.target) / 60,
        floor,
        driver: changed ? (floorRec >= loadRec ? 'floor' : 'load') : undefined,
        limit,
      });
    }
    const keepEvents = Math.max(scaleUp.periodS, scaleDown.periodS) * 1000;
    while (events.length > 0 && events[0].t <= t - keepEvents) events.shift();

    if (t >= from) {
      const load = loadAt(t);
      const readyNow = readyAt(t);
      const bucket = buckets?.[Math.floor((t - from) / bucketMs!)];
      if (!Number.isNaN(load)) {
        minutes += sync / 60_000;
        if (load > readyNow * cap) {
          under += sync / 60_000;
          if (bucket) bucket.under += sync / 60_000;
        }
      }
      podMs += pods.length * sync;
      if (bucket) bucket.podMs += pods.length * sync;
      peak = Math.max(peak, pods.length);
    }
  }
  const result = { underProvisionedMinutes: under, replicaHours: podMs / 3_600_000, peakReplicas: peak, minutes };
  if (!buckets) return result;
  return { ...result, buckets: buckets.map((b) => ({ underProvisionedMinutes: b.under, replicaHours: b.podMs / 3_600_000 })) };
}
