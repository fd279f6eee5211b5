import { parse } from 'yaml';
import { Problems } from '../../../constructs/core/errors';
import { retentionSchema } from '../../../constructs/observability/monitoring-stack-values';
import { checkShape } from '../../../constructs/core/schema';
import { filesOf } from '../../support/environments';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function values(env: string): Json {
  return parse(filesOf(env).find((f) => f.path.endsWith('kube-prometheus-stack.values.yaml'))!.content);
}

describe('kube-prometheus-stack values', () => {
  it('set each environment its own retention time and size', () => {
    expect(values('prod').prometheus.prometheusSpec).toMatchObject({ retention: '30d', retentionSize: '200GB' });
    expect(values('airgap').prometheus.prometheusSpec).toMatchObject({ retention: '90d', retentionSize: '400GB' });
  });

  it('pull every image from the site registry only when air-gapped', () => {
    expect(values('airgap').global).toEqual({ imageRegistry: 'registry.airgap.internal:5000' });
    expect(values('prod').global).toBeUndefined();
  });

  it('pick up perfstack rules, monitors, routing and dashboards', () => {
    const v = values('prod');
    expect(v.prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues).toBe(false);
    expect(v.alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy).toEqual({ type: 'OnNamespace' });
    expect(v.grafana.sidecar.dashboards).toMatchObject({ label: 'grafana_dashboard', labelValue: '1' });
  });

  it('reject retention Prometheus would not parse', () => {
    const p = new Problems('prod');
    checkShape(p, retentionSchema, { time: '30 days', size: '200G' }, 'monitoring.retention');
    expect(() => p.throwIfAny()).toThrow(
      'prod: \'monitoring.retention.time\' ("30 days") must be a Prometheus duration such as "15d" or "1h30m"\nprod: \'monitoring.retention.size\' ("200G") must be a Prometheus size such as "50GB"',
    );
  });
});
