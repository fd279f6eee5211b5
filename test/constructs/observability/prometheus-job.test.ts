import { prometheusJob, prometheusUrlCheck } from '../../../constructs/observability/prometheus-job';
import { schemaValidator } from '../../support/k8s-schema';
import { freshChart, objectsOf } from '../../support/synth';

function synth() {
  const chart = freshChart();
  prometheusJob(chart, {
    name: 'probe',
    namespace: 'web',
    labels: { 'app.kubernetes.io/name': 'probe' },
    schedule: '0 2 * * *',
    uid: 1000,
    monitoringNamespace: 'observability',
    container: { name: 'probe', image: 'registry.example/curl:8', command: ['true'] },
    volumes: [{ name: 'data', emptyDir: {} }],
    podAnnotations: { 'perfstack.io/program-sha256': 'abc' },
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading synthesized manifests by path
  const objects: any[] = objectsOf(chart);
  return (kind: string) => objects.find((o) => o.kind === kind);
}

describe('prometheusJob', () => {
  it('runs one job at a time, bounded in retries and time, non-root without a token, under restricted security', () => {
    const cron = synth()('CronJob');
    expect(cron.spec).toMatchObject({ schedule: '0 2 * * *', concurrencyPolicy: 'Forbid' });
    expect(cron.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 3600 });
    const pod = cron.spec.jobTemplate.spec.template;
    expect(pod.metadata.annotations).toEqual({ 'perfstack.io/program-sha256': 'abc' });
    expect(pod.spec).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false });
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.spec.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it("reaches only Prometheus's port in the monitoring namespace, and accepts no connection", () => {
    const policy = synth()('NetworkPolicy');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'probe' } },
      policyTypes: ['Ingress', 'Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }],
          ports: [{ port: 9090, protocol: 'TCP' }],
        },
      ],
    });
  });

  it('validates against the Kubernetes schema', () => {
    const find = synth();
    for (const o of [find('CronJob'), find('NetworkPolicy')]) expect([o.kind, schemaValidator().validate(o)]).toEqual([o.kind, []]);
  });

  it('accepts an http(s) Prometheus URL only', () => {
    expect(prometheusUrlCheck('http://prometheus-operated.monitoring.svc:9090')[0]).toBe(true);
    expect(prometheusUrlCheck('prometheus:9090')[0]).toBe(false);
  });
});
