import { Duration } from 'cdk8s';

/**
 * A service level objective: the one place an availability or latency target is written. It is resolved once into
 * an {@link SloModel}, which the Prometheus burn-rate rules, the dashboards and the k6 load-test thresholds all read.
 *
 * @see https://sre.google/workbook/alerting-on-slos/
 */
export interface Slo {
  /** Share of requests that must succeed, e.g. 99.9 (percent). */
  readonly availabilityPercent: number;
  /** Window the availability objective is measured over. @default Duration.days(30) */
  readonly window?: Duration;
  /** Latency objective: `latencyPercentile`% of requests faster than `latencyThreshold`. */
  readonly latencyThreshold: Duration;
  /** @default 95 */
  readonly latencyPercentile?: number;
  /** Prometheus series the objective is computed from. @default - see {@link SloMetrics} */
  readonly metrics?: SloMetrics;
}

export interface SloMetrics {
  /** Request counter. @default 'http_requests_total' */
  readonly requests?: string;
  /** Label matcher that marks a request as failed. @default 'code=~"5.."' */
  readonly errorSelector?: string;
  /** Latency histogram (base name, without `_bucket`). @default 'http_request_duration_seconds' */
  readonly latencyHistogram?: string;
}

/** The defaults of {@link Slo}, in one place. */
export const SLO_DEFAULTS = {
  window: Duration.days(30),
  latencyPercentile: 95,
  metrics: { requests: 'http_requests_total', errorSelector: 'code=~"5.."', latencyHistogram: 'http_request_duration_seconds' },
} as const;

/** An Slo with every default applied. */
export interface ResolvedSlo {
  readonly availabilityPercent: number;
  readonly window: Duration;
  readonly latencyThreshold: Duration;
  readonly latencyPercentile: number;
  readonly metrics: Required<SloMetrics>;
}

export function resolveSlo(slo: Slo): ResolvedSlo {
  return {
    availabilityPercent: slo.availabilityPercent,
    window: slo.window ?? SLO_DEFAULTS.window,
    latencyThreshold: slo.latencyThreshold,
    latencyPercentile: slo.latencyPercentile ?? SLO_DEFAULTS.latencyPercentile,
    metrics: {
      requests: slo.metrics?.requests ?? SLO_DEFAULTS.metrics.requests,
      errorSelector: slo.metrics?.errorSelector ?? SLO_DEFAULTS.metrics.errorSelector,
      latencyHistogram: slo.metrics?.latencyHistogram ?? SLO_DEFAULTS.metrics.latencyHistogram,
    },
  };
}

/** Which service, where, and its objectives as the Environment states them. */
export interface SloSpec {
  readonly service: string;
  readonly namespace: string;
  readonly slo: Slo;
}

/** One objective in numbers: its good-event target and the error-ratio query over any window. */
export interface Objective {
  /** `availability` or `latency`, the `slo` label. */
  readonly name: 'availability' | 'latency';
  /** Target share of good events, e.g. 0.999. */
  readonly target: number;
  /** 1 - target: the share of bad events the budget allows, e.g. 0.001. */
  readonly budget: number;
  /** What the objective means, for humans. */
  readonly description: string;
  /** PromQL for the share of bad events over `window`. */
  errorRatio(window: string): string;
}

/** The one SLO model: rules, dashboards and load-test thresholds all read this, never the raw {@link Slo}. */
export interface SloModel {
  readonly service: string;
  readonly namespace: string;
  /** The objectives with every default resolved. */
  readonly slo: ResolvedSlo;
  /** Window of the objective, e.g. 30 days. */
  readonly period: Duration;
  /** Request counter. */
  readonly requests: string;
  /** Latency histogram (base name). */
  readonly histogram: string;
  readonly availability: Objective;
  readonly latency: Objective;
  readonly objectives: readonly Objective[];
}

/** The recorded series of an objective's error ratio over a window. */
export function sliRecord(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

/** Spec -> model: defaults resolved, targets and budgets computed, once. */
export function sloModel(spec: SloSpec): SloModel {
  const slo = resolveSlo(spec.slo);
  const { requests, errorSelector, latencyHistogram: histogram } = slo.metrics;
  const sel = `namespace="${spec.namespace}",service="${spec.service}"`;
  const le = roundNumber(slo.latencyThreshold.toMilliseconds() / 1000);
  const availability: Objective = {
    name: 'availability',
    target: shareOf(slo.availabilityPercent),
    budget: budgetOf(slo.availabilityPercent),
    description: `${slo.availabilityPercent}% of requests succeed`,
    errorRatio: (w) => `sum(rate(${requests}{${sel},${errorSelector}}[${w}])) / sum(rate(${requests}{${sel}}[${w}]))`,
  };
  const latency: Objective = {
    name: 'latency',
    target: shareOf(slo.latencyPercentile),
    budget: budgetOf(slo.latencyPercentile),
    description: `${slo.latencyPercentile}% of requests are faster than ${slo.latencyThreshold.toMilliseconds()} ms`,
    // The histogram needs a bucket at the threshold (le="${le}"), or this ratio is empty.
    errorRatio: (w) => `1 - (sum(rate(${histogram}_bucket{${sel},le="${le}"}[${w}])) / sum(rate(${histogram}_count{${sel}}[${w}])))`,
  };
  return {
    service: spec.service,
    namespace: spec.namespace,
    slo,
    period: slo.window,
    requests,
    histogram,
    availability,
    latency,
    objectives: [availability, latency],
  };
}

/** A number without float noise (14.4 * 0.001 -> 0.0144). */
/** The smallest error budget the rules write: 0.000001 (99.9999%); JavaScript writes smaller numbers as 1e-7. */
export const MIN_ERROR_BUDGET = 0.000001;
export const MAX_AVAILABILITY_PERCENT = 99.9999;

/** `percent` as a share, in decimal: 99.9 gives 0.999 exactly as written, never a float's neighbour. */
export function shareOf(percent: number): number {
  return Number(`${percent}e-2`);
}

/**
 * 1 - percent/100 in decimal, to the input's own decimals: 99.9 gives 0.001 and 99.9999 gives 0.000001, where
 * float subtraction gives 0.0010000000000000009 and 9.999999717e-10 for 99.9999999.
 */
export function budgetOf(percent: number): number {
  const decimals = (String(percent).split('.')[1] ?? '').length;
  return Number(`${(100 - percent).toFixed(decimals)}e-2`);
}

export function roundNumber(n: number): number {
  return Number(n.toPrecision(10));
}
