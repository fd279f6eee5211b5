import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { ScalingMetric, promDuration } from '../workload/scaling-metric';

/** One prometheus-adapter discovery rule. @see https://github.com/kubernetes-sigs/prometheus-adapter/blob/master/docs/config.md */
export interface AdapterRule {
  readonly seriesQuery: string;
  readonly resources: { readonly overrides: Record<string, { readonly resource: string }> };
  readonly name: { readonly matches: string; readonly as: string };
  readonly metricsQuery: string;
}

export interface AdapterConfig {
  readonly rules: AdapterRule[];
  readonly externalRules: AdapterRule[];
}

/**
 * prometheus-adapter rules serving the custom metrics of plain HPAs, derived from the same {@link ScalingMetric}s
 * the HPAs name: a `Pods` metric becomes a per-pod rate rule, an `External` metric a namespaced external rule.
 * Metrics shared by several services are served by one rule.
 */
export function prometheusAdapterConfig(metrics: readonly ScalingMetric[]): AdapterConfig {
  const seen = new Map<string, ScalingMetric>();
  for (const m of metrics) if (!m.isResource && !seen.has(m.name)) seen.set(m.name, m);
  const sorted = [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
  const rules: AdapterRule[] = [];
  const externalRules: AdapterRule[] = [];
  for (const m of sorted) {
    if (m.source === 'pods') {
      rules.push({
        seriesQuery: `${m.series}{namespace!="",pod!=""}`,
        resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
        name: { matches: `^${m.series}$`, as: m.name },
        metricsQuery: `sum(rate(<<.Series>>{<<.LabelMatchers>>}[${promDuration(m.window!)}])) by (<<.GroupBy>>)`,
      });
    } else {
      externalRules.push({
        seriesQuery: `${m.series}{namespace!=""}`,
        resources: { overrides: { namespace: { resource: 'namespace' } } },
        name: { matches: `^${m.series}$`, as: m.name },
        metricsQuery: `${m.aggregation}(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)`,
      });
    }
  }
  return { rules, externalRules };
}

export interface PrometheusAdapterConfigProps {
  /** Namespace prometheus-adapter runs in. */
  readonly namespace: string;
  /** Metrics to serve; resource metrics are ignored (metrics-server serves them). */
  readonly metrics: readonly ScalingMetric[];
  /** @default 'prometheus-adapter' */
  readonly name?: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The ConfigMap prometheus-adapter reads with `--config=/etc/adapter/config.yaml`. The adapter itself is a declared,
 * version-pinned operator of the environment (see `operators.prometheusAdapter`).
 */
export class PrometheusAdapterConfig extends Construct {
  public readonly config: AdapterConfig;
  public readonly configMap: ApiObject;

  constructor(scope: Construct, id: string, props: PrometheusAdapterConfigProps) {
    super(scope, id);
    this.config = prometheusAdapterConfig(props.metrics);
    this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', {
      metadata: { name: props.name ?? 'prometheus-adapter', namespace: props.namespace, labels: { ...(props.labels ?? {}) } },
      data: { 'config.yaml': stringify(this.config, { lineWidth: 0 }) },
    });
  }
}
