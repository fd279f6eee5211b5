import { Duration } from 'cdk8s';
import fc from 'fast-check';
import { Problems } from '../../../constructs/core/errors';
import { ScalingMetric, hpaMetric, kedaTrigger, promDuration, quantity } from '../../../constructs/workload/scaling-metric';

const ctx = { namespace: 'web', service: 'api', prometheusUrl: 'http://prom:9090' };

describe('ScalingMetric', () => {
  it('renders quantities the API parses back to the same number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), (milli) => {
        const value = milli / 1000;
        const q = String(quantity(value).value);
        const parsed = q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q);
        return parsed === value;
      }),
    );
  });

  it('renders Prometheus durations in their largest whole unit', () => {
    expect(promDuration(Duration.minutes(2))).toBe('2m');
    expect(promDuration(Duration.seconds(90))).toBe('90s');
    expect(promDuration(Duration.hours(1))).toBe('1h');
  });

  it('serves a pods rate to KEDA as the per-pod average of the service total', () => {
    const m = ScalingMetric.podsRate({ name: 'rps', series: 'http_requests_total', targetAverageValue: 100, window: Duration.minutes(1) });
    expect(kedaTrigger(m, ctx)).toEqual({
      type: 'prometheus',
      name: 'rps',
      metricType: 'AverageValue',
      metadata: {
        serverAddress: 'http://prom:9090',
        query: 'sum(rate(http_requests_total{namespace="web",service="api"}[1m]))',
        threshold: '100',
      },
    });
    expect(hpaMetric(m)).toEqual({
      type: 'Pods',
      pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: quantity(100) } },
    });
  });

  it('aggregates an external gauge over the namespace', () => {
    const m = ScalingMetric.external({ name: 'queue', series: 'queue_depth', targetAverageValue: 20, aggregation: 'max' });
    expect(m.promQuery('web', 'nlp')).toBe('max(queue_depth{namespace="web"})');
    expect(m.isResource).toBe(false);
  });

  it('rejects invalid names, targets and windows', () => {
    const p = new Problems('t');
    ScalingMetric.podsRate({ name: 'req-per-s', series: 'http requests', targetAverageValue: 0, window: Duration.seconds(10) }).validate(
      p,
      'metrics[0]',
    );
    expect(() => p.throwIfAny()).toThrow(
      [
        't: \'metrics[0].name\' ("req-per-s") must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)',
        't: \'metrics[0].series\' ("http requests") must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)',
        "t: 'metrics[0].targetAverageValue' (0) must be a number above 0",
        "t: 'metrics[0].window' (10 seconds) must be at least 30s (twice the scrape interval)",
      ].join('\n'),
    );
  });
});

describe('ScalingMetric input checks', () => {
  it('offers the percentage when a utilization target is written as a fraction', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), (percent) => {
        const p = new Problems('prod/api');
        ScalingMetric.cpu(percent / 100).validate(p, 'metrics[0]');
        expect(() => p.throwIfAny()).toThrow(
          `prod/api: 'metrics[0].targetUtilizationPercent' (${percent / 100}) must be a percentage of the request between 1 and 100; did you mean ${percent}?`,
        );
      }),
    );
  });

  it('refuses a NaN or infinite target, shown as written', () => {
    for (const target of [NaN, Infinity]) {
      const p = new Problems('prod/api');
      ScalingMetric.podsRate({ name: 'rps', series: 'http_requests_total', targetAverageValue: target }).validate(p, 'metrics[1]');
      expect(() => p.throwIfAny()).toThrow(`prod/api: 'metrics[1].targetAverageValue' (${target}) must be a number above 0`);
    }
  });
});
