import { Duration } from 'cdk8s';
import {
  NODE_RECORDS,
  NODE_RECORDS_SELECTOR,
  PerformanceRecords,
  RECORDS_SELECTOR,
  SCALING_RECORDS,
  SERVICE_RECORDS,
  nodeAuditRules,
  scalingAuditRules,
  serviceReportRules,
} from '../../../constructs/observability/performance-records';
import { sloModel } from '../../../constructs/observability/slo';
import { buildPlatform } from '../../../stacks/platform';
import { prod } from '../../../stacks/prod';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf, objectsOfApp } from '../../support/synth';

const model = sloModel({
  service: 'api-gateway',
  namespace: 'web',
  slo: { availabilityPercent: 99.9, latencyThreshold: Duration.millis(200), latencyPercentile: 99 },
});

describe('performance records', () => {
  it("records each HPA sync of the namespace with the service's name, KEDA's keda-hpa- prefix dropped", () => {
    const g = scalingAuditRules('web');
    expect(g.interval).toBe('15s');
    expect(g.rules.map((r) => r.record)).toEqual(Object.values(SCALING_RECORDS));
    expect(g.rules[0].expr).toBe(
      'label_replace(kube_horizontalpodautoscaler_status_current_replicas{namespace="web"}, "service", "$1", "horizontalpodautoscaler", "(?:keda-hpa-)?(.+)")',
    );
    expect(g.rules.find((r) => r.record === SCALING_RECORDS.limited)!.expr).toContain('condition="ScalingLimited",status="true"');
    expect(g.rules.find((r) => r.record === SCALING_RECORDS.metricValue)!.expr).toMatch(
      /^label_replace\(label_replace\(kube_horizontalpodautoscaler_status_target_metric\{namespace="web"\}.*"metric", "\$1", "metric_name", "\(\.\+\)"\)$/,
    );
  });

  it('records node changes from Karpenter or the cluster autoscaler with their reasons', () => {
    const rules = nodeAuditRules().rules;
    expect(rules.map((r) => r.record)).toEqual(Object.values(NODE_RECORDS));
    expect(rules[1].expr).toBe(
      'label_replace(sum by (nodepool, capacity_type, reason) (karpenter_nodeclaims_created_total), "autoscaler", "karpenter", "", "")' +
        ' or label_replace(label_replace(sum(cluster_autoscaler_scaled_up_nodes_total), "reason", "pending_pods", "", ""), "autoscaler", "cluster-autoscaler", "", "")',
    );
    expect(rules[2].expr).toContain('sum by (reason) (cluster_autoscaler_scaled_down_nodes_total)');
    expect(rules[2].expr).toContain('karpenter_nodeclaims_disrupted_total');
  });

  it("records each service's traffic and its own objective's latency percentile", () => {
    const g = serviceReportRules(model);
    expect(g.name).toBe('perfstack-report-api-gateway');
    expect(g.rules.map((r) => r.record)).toEqual([SERVICE_RECORDS.requests, SERVICE_RECORDS.latency]);
    expect(g.rules[1].expr).toBe(
      'histogram_quantile(0.99, sum by (namespace, service, le) (rate(http_request_duration_seconds_bucket{namespace="web",service="api-gateway"}[5m])))',
    );
  });

  it('selects every recorded series in one expression for the metrics export', () => {
    const re = new RegExp(`^(?:${RECORDS_SELECTOR})$`);
    for (const n of [...Object.values(SCALING_RECORDS), ...Object.values(SERVICE_RECORDS), 'slo:sli_error:ratio_rate5m'])
      expect(n).toMatch(re);
    const nodes = new RegExp(`^(?:${NODE_RECORDS_SELECTOR})$`);
    for (const n of Object.values(NODE_RECORDS)) expect(n).toMatch(nodes);
    for (const n of Object.values(SCALING_RECORDS)) expect(n).not.toMatch(nodes);
    expect('slo:sli_error:ratio_rate1h').not.toMatch(re);
  });

  it('writes a schema-valid PrometheusRule', () => {
    const chart = freshChart();
    new PerformanceRecords(chart, 'Records', { namespace: 'web', slos: [model], labels: { team: 'platform' } });
    const objects = objectsOf(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['PrometheusRule/performance-records']);
    expect(schemaValidator().validate(objects[0])).toEqual([]);
    expect((objects[0].spec as { groups: { name: string }[] }).groups.map((g) => g.name)).toEqual([
      'perfstack-scaling-audit',
      'perfstack-node-audit',
      'perfstack-remediation-records',
      'perfstack-report-api-gateway',
    ]);
  });

  it('is part of every platform, with a report group per service', () => {
    const objects = objectsOfApp(buildPlatform(prod).app);
    const rule = findObject(objects, 'PrometheusRule', 'performance-records');
    expect(rule.metadata.namespace).toBe(prod.namespace);
    expect((rule.spec as { groups: unknown[] }).groups).toHaveLength(3 + prod.services.length);
  });
});
