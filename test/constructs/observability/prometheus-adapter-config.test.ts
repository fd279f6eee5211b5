import { parse } from 'yaml';
import { PrometheusAdapterConfig, prometheusAdapterConfig } from '../../../constructs/observability/prometheus-adapter-config';
import { ScalingMetric } from '../../../constructs/workload/scaling-metric';
import { schemaValidator } from '../../support/k8s-schema';
import { freshChart, objectsOf } from '../../support/synth';

const rps = ScalingMetric.podsRate({ name: 'http_requests_per_second', series: 'http_requests_total', targetAverageValue: 100 });
const queue = ScalingMetric.external({ name: 'nlp_queue_depth', targetAverageValue: 20, aggregation: 'max' });

describe('prometheusAdapterConfig', () => {
  it('serves a pods rate per pod and an external gauge per namespace', () => {
    expect(prometheusAdapterConfig([rps, queue])).toEqual({
      rules: [
        {
          seriesQuery: 'http_requests_total{namespace!="",pod!=""}',
          resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
          name: { matches: '^http_requests_total$', as: 'http_requests_per_second' },
          metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
        },
      ],
      externalRules: [
        {
          seriesQuery: 'nlp_queue_depth{namespace!=""}',
          resources: { overrides: { namespace: { resource: 'namespace' } } },
          name: { matches: '^nlp_queue_depth$', as: 'nlp_queue_depth' },
          metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
        },
      ],
    });
  });

  it('serves a metric shared by several services once, ignores CPU and memory, and is order-independent', () => {
    const a = prometheusAdapterConfig([queue, ScalingMetric.cpu(70), rps, rps]);
    expect(a).toEqual(prometheusAdapterConfig([rps, queue]));
  });

  it('renders a schema-valid ConfigMap whose config.yaml parses back to the rules', () => {
    const chart = freshChart();
    const c = new PrometheusAdapterConfig(chart, 'adapter', { namespace: 'monitoring', metrics: [rps] });
    const [cm] = objectsOf(chart);
    expect(schemaValidator().validate(cm)).toEqual([]);
    expect(parse((cm as unknown as { data: Record<string, string> }).data['config.yaml'])).toEqual(c.config);
  });
});
