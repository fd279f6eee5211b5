import { Chart, Testing } from 'cdk8s';
import { MetricsExport, MetricsExportProps } from '../../../constructs/observability/metrics-export';

const props: MetricsExportProps = {
  namespace: 'web',
  services: ['api-gateway', 'web'],
  prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090/',
  monitoringNamespace: 'monitoring',
  image: 'registry.airgap.internal:5000/curlimages/curl:8.11.1',
};

function synth(p: Partial<MetricsExportProps> = {}) {
  const chart = new Chart(Testing.app(), 'test');
  new MetricsExport(chart, 'Export', { ...props, ...p });
  return Testing.synth(chart);
}

describe('MetricsExport', () => {
  it('runs weekly, locked down, with the services, the window and Prometheus passed to the script', () => {
    const cron = synth().find((o) => o.kind === 'CronJob');
    expect(cron.spec.schedule).toBe('0 1 * * 0');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]))).toEqual({
      PROMETHEUS_URL: 'http://prometheus-operated.monitoring.svc:9090',
      NAMESPACE: 'web',
      SERVICES: 'api-gateway web',
      METRIC: 'http_requests_total',
      DAYS: '7',
      KEEP: '8',
      // The scaling audit trail and the report's series (performance-records.ts), exported beside the request rates.
      RECORDS: 'perfstack:.+|slo:sli_error:ratio_rate5m',
      // The cluster's node changes, one file a day beside them.
      NODE_RECORDS: 'perfstack:(cluster_nodes|node_changes_.+)',
    });
    expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'metrics-export-data' } });
  });

  it('may reach only Prometheus, and nothing may reach it', () => {
    const np = synth().find((o) => o.kind === 'NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [{ port: 9090, protocol: 'TCP' }],
      },
    ]);
  });

  it.each([
    [{ days: 8 }, /'days' \(8\) must be a whole number from 1 to 7/],
    [{ days: 0.5 }, /'days' \(0.5\)/],
    [{ keep: 0 }, /'keep' \(0\)/],
    [{ services: [] }, /'services' \(\[\]\) must name at least one service/],
    [{ prometheusUrl: 'prometheus:9090' }, /'prometheusUrl' \("prometheus:9090"\) must be an http\(s\) URL/],
  ])('refuses %j with the input and the fix', (bad, message) => {
    expect(() => synth(bad as Partial<MetricsExportProps>)).toThrow(message);
  });
});
