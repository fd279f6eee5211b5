import { Duration } from 'cdk8s';
import { Problems, shown } from '../core/errors';

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
  problems.check(
    slo.availabilityPercent > 0 && slo.availabilityPercent < 100,
    `${input}.availabilityPercent`,
    slo.availabilityPercent,
    'must be above 0 and below 100 (100% leaves no error budget)',
  );
  const percentile = slo.latencyPercentile ?? 95;
  problems.check(percentile > 0 && percentile < 100, `${input}.latencyPercentile`, percentile, 'must be above 0 and below 100');
  problems.check(
    slo.latencyThreshold.toMilliseconds() > 0,
    `${input}.latencyThreshold`,
    shown(slo.latencyThreshold.toHumanString()),
    'must be above 0',
  );
  const window = (slo.window ?? Duration.days(30)).toSeconds();
  problems.check(window >= 3600, `${input}.window`, shown(`${window}s`), 'must be at least 1h');
}
