import { Duration } from 'cdk8s';
import { Problems } from '../core/errors';
import { fractionHint } from '../core/grammars';
import { checkQuantities } from '../core/quantities';

/**
 * A service level objective: the one place an availability or latency target is written. Prometheus burn-rate
 * alerts and k6 load-test thresholds are both derived from it.
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

export function checkSlo(problems: Problems, input: string, slo: Slo | undefined): void {
  if (slo === undefined) {
    problems.add(input, slo, 'is required: every service states its availability and latency objectives');
    return;
  }
  const a = slo.availabilityPercent;
  problems.check(
    Number.isFinite(a) && a >= 50 && a < 100,
    `${input}.availabilityPercent`,
    a,
    `must be a percentage from 50 to below 100 (100% leaves no error budget)${fractionHint(a)}`,
  );
  const percentile = slo.latencyPercentile ?? 95;
  problems.check(percentile > 0 && percentile < 100, `${input}.latencyPercentile`, percentile, 'must be above 0 and below 100');
  const before = problems.count;
  checkQuantities(problems, {
    durations: {
      [`${input}.latencyThreshold`]: [slo.latencyThreshold],
      [`${input}.window`]: [slo.window, { min: Duration.hours(1), wholeSeconds: true }],
    },
  });
  if (problems.count > before) return;
  problems.check(slo.latencyThreshold !== undefined, `${input}.latencyThreshold`, undefined, 'is required, e.g. Duration.millis(200)');
}
