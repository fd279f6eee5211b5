import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Problems, shown } from '../core/errors';
import { fractionHint } from '../core/grammars';
import { durationProblem } from '../core/quantities';

const PROM_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Where a custom metric's value comes from, and how the autoscaler reads it. */
export type MetricSource = 'resource' | 'pods' | 'external';

/** Options of {@link ScalingMetric.podsRate}. */
export interface PodsRateOptions {
  /** Metric name the autoscaler sees, e.g. `http_requests_per_second`. */
  readonly name: string;
  /** Prometheus counter scraped from the pods, e.g. `http_requests_total`. */
  readonly series: string;
  /** Per-pod rate the autoscaler holds each pod at, in units per second. */
  readonly targetAverageValue: number;
  /**
   * Rate window. Twice the scrape interval at least, or the rate is empty between scrapes.
   * @default Duration.minutes(2)
   */
  readonly window?: Duration;
}

/** Options of {@link ScalingMetric.external}. */
export interface ExternalMetricOptions {
  /** Metric name the autoscaler sees, e.g. `nlp_queue_depth`. */
  readonly name: string;
  /**
   * Prometheus gauge, e.g. a queue exporter's depth.
   * @default - same as `name`
   */
  readonly series?: string;
  /** Value per replica the autoscaler aims for (the total is divided by the replica count). */
  readonly targetAverageValue: number;
  /**
   * How series of the gauge are combined into one value.
   * @default 'sum'
   */
  readonly aggregation?: 'sum' | 'max' | 'avg';
}

/**
 * One signal the autoscaler scales on. CPU and memory come from metrics-server; custom metrics come from Prometheus,
 * either as KEDA `prometheus` triggers or through prometheus-adapter rules generated from this same definition, so a
 * metric is never declared without something serving it.
 *
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#scaling-on-custom-metrics
 */
export class ScalingMetric {
  /** Average CPU use as a percentage of the CPU request. */
  public static cpu(targetUtilizationPercent: number): ScalingMetric {
    return new ScalingMetric('resource', 'cpu', targetUtilizationPercent);
  }

  /** Average memory use as a percentage of the memory request. */
  public static memory(targetUtilizationPercent: number): ScalingMetric {
    return new ScalingMetric('resource', 'memory', targetUtilizationPercent);
  }

  /** A per-pod rate of a Prometheus counter (HPA type `Pods`), e.g. requests per second per pod. */
  public static podsRate(options: PodsRateOptions): ScalingMetric {
    return new ScalingMetric('pods', options.name, options.targetAverageValue, options.series, options.window ?? Duration.minutes(2));
  }

  /** A gauge not tied to the pods (HPA type `External`), e.g. the depth of the queue the pods consume. */
  public static external(options: ExternalMetricOptions): ScalingMetric {
    return new ScalingMetric(
      'external',
      options.name,
      options.targetAverageValue,
      options.series ?? options.name,
      undefined,
      options.aggregation ?? 'sum',
    );
  }

  private constructor(
    public readonly source: MetricSource,
    /** `cpu`, `memory`, or the custom metric's name. */
    public readonly name: string,
    /** Utilization percent for resources, average value per pod otherwise. */
    public readonly target: number,
    /** Prometheus series behind a custom metric. */
    public readonly series?: string,
    /** Rate window of a `pods` metric. */
    public readonly window?: Duration,
    /** Aggregation of an `external` metric. */
    public readonly aggregation?: 'sum' | 'max' | 'avg',
  ) {}

  /** True for CPU or memory: the resources a VerticalPodAutoscaler must not also control. */
  public get isResource(): boolean {
    return this.source === 'resource';
  }

  public toString(): string {
    return this.isResource ? `${this.name} ${this.target}%` : `${this.name} ${this.target}/pod`;
  }

  /** Records a problem for every invalid field; `input` names this metric in messages, e.g. `metrics[1]`. */
  public validate(problems: Problems, input: string): void {
    if (this.isResource) {
      problems.check(
        Number.isFinite(this.target) && this.target >= 1 && this.target <= 100,
        `${input}.targetUtilizationPercent`,
        this.target,
        `must be a percentage of the request between 1 and 100${fractionHint(this.target)}`,
      );
      return;
    }
    problems.check(PROM_NAME.test(this.name), `${input}.name`, this.name, 'must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
    problems.check(
      PROM_NAME.test(this.series ?? ''),
      `${input}.series`,
      this.series,
      'must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)',
    );
    problems.check(Number.isFinite(this.target) && this.target > 0, `${input}.targetAverageValue`, this.target, 'must be a number above 0');
    const windowProblem = this.window && durationProblem(this.window, { wholeSeconds: true });
    if (windowProblem) problems.add(`${input}.window`, this.window, windowProblem);
    else if (this.window) {
      problems.check(
        this.window.toSeconds() >= 30,
        `${input}.window`,
        shown(this.window.toHumanString()),
        'must be at least 30s (twice the scrape interval)',
      );
    }
  }

  /**
   * The PromQL that yields this metric for one service, as KEDA queries it. prometheus-operator's ServiceMonitor
   * labels every series with `namespace` and `service`, so both readers select the same series.
   */
  public promQuery(namespace: string, service: string): string {
    const selector = `{namespace="${namespace}",service="${service}"}`;
    if (this.source === 'pods') return `sum(rate(${this.series}${selector}[${promDuration(this.window!)}]))`;
    if (this.source === 'external') return `${this.aggregation}(${this.series}{namespace="${namespace}"})`;
    throw new Error(`promQuery called on resource metric ${this.name}`);
  }
}

/** The autoscaling/v2 MetricSpec of a metric. */
/** What a service scales on when it names no metric: CPU at 70% of the request. */
export const DEFAULT_METRICS: readonly ScalingMetric[] = [ScalingMetric.cpu(70)];

/**
 * The utilization (0-1) the autoscaler holds CPU at for these metrics (the defaults when none are given), or
 * undefined when the service does not scale on CPU. Right-sizing, forecasts and spot burst all size from it.
 */
export function cpuTargetOf(metrics: readonly ScalingMetric[] | undefined): number | undefined {
  const cpu = (metrics ?? DEFAULT_METRICS).find((m) => m.source === 'resource' && m.name === 'cpu');
  return cpu === undefined ? undefined : cpu.target / 100;
}

export function hpaMetric(metric: ScalingMetric): k8s.MetricSpecV2 {
  switch (metric.source) {
    case 'resource':
      return {
        type: 'Resource',
        resource: { name: metric.name, target: { type: 'Utilization', averageUtilization: metric.target } },
      };
    case 'pods':
      return {
        type: 'Pods',
        pods: { metric: { name: metric.name }, target: { type: 'AverageValue', averageValue: quantity(metric.target) } },
      };
    case 'external':
      return {
        type: 'External',
        external: { metric: { name: metric.name }, target: { type: 'AverageValue', averageValue: quantity(metric.target) } },
      };
  }
}

/** A KEDA ScaledObject trigger. Fields limited to those KEDA 2.15 (last line for Kubernetes 1.28) and 2.20 share. */
export interface KedaTrigger {
  readonly type: string;
  readonly name?: string;
  readonly metricType?: 'Utilization' | 'AverageValue' | 'Value';
  readonly metadata: Record<string, string>;
}

export interface KedaTriggerContext {
  readonly namespace: string;
  readonly service: string;
  /** Prometheus HTTP API base URL KEDA queries, e.g. `http://prometheus-operated.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
}

/** The KEDA trigger serving a metric: `cpu`/`memory` for resources, `prometheus` for custom metrics. */
export function kedaTrigger(metric: ScalingMetric, ctx: KedaTriggerContext): KedaTrigger {
  if (metric.isResource) {
    return { type: metric.name, metricType: 'Utilization', metadata: { value: String(metric.target) } };
  }
  return {
    type: 'prometheus',
    name: metric.name,
    metricType: 'AverageValue',
    metadata: {
      serverAddress: ctx.prometheusUrl,
      query: metric.promQuery(ctx.namespace, ctx.service),
      threshold: String(metric.target),
    },
  };
}

/** A number as a Kubernetes quantity: integers as they are, fractions in milli-units (`0.5` -> `500m`). */
export function quantity(value: number): k8s.Quantity {
  return Number.isInteger(value) ? k8s.Quantity.fromString(String(value)) : k8s.Quantity.fromString(`${Math.round(value * 1000)}m`);
}

/** A cdk8s Duration in PromQL form (`2m`, `90s`). */
export function promDuration(d: Duration): string {
  const s = d.toSeconds();
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}
