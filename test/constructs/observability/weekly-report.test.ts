import { CLIENT_APPLY_MAX_BYTES } from '../../../constructs/core/node-tool';
import { ReportContext } from '../../../constructs/observability/report-context';
import { WeeklyReport, WeeklyReportProps } from '../../../constructs/observability/weekly-report';
import { schemaValidator } from '../../support/k8s-schema';
import { freshChart, objectsOf } from '../../support/synth';

const context: ReportContext = {
  env: 'airgap',
  namespace: 'web',
  services: [{ name: 'api-gateway', objectives: { availability: 0.999, latencyQuantile: 0.95, latencyThresholdS: 0.3 } }],
  cost: { title: 'Cost per month', sentence: 'airgap runs on its own hardware: there is no cloud bill to price.' },
  scaleDownWindowS: 300,
};

const props: WeeklyReportProps = {
  namespace: 'web',
  context,
  prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090/',
  monitoringNamespace: 'monitoring',
  nodeImage: 'registry.airgap.internal:5000/library/node:24.20.0-trixie-slim',
  claimName: 'metrics-export-data',
  uid: 100,
};

function synth(p: Partial<WeeklyReportProps> = {}) {
  const chart = freshChart();
  const report = new WeeklyReport(chart, 'Report', { ...props, ...p });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading synthesized manifests by path
  const objects: any[] = objectsOf(chart);
  return {
    report,
    objects,
    find: (kind: string, name?: string) => objects.find((o) => o.kind === kind && (!name || o.metadata.name === name)),
  };
}

describe('WeeklyReport', () => {
  it('runs on Monday mornings, one at a time, locked down, writing onto the metrics export volume', () => {
    const { find } = synth();
    const cron = find('CronJob');
    expect(cron.spec).toMatchObject({ schedule: '0 6 * * 1', concurrencyPolicy: 'Forbid' });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 100,
      fsGroup: 100,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.resources.limits.memory).toBe('256Mi');
    expect(c.command).toEqual(['node', '/opt/perfstack/main.js']);
    expect(c.args).toEqual([
      '--context=/etc/weekly-report/context.json',
      '--prometheus=http://prometheus-operated.monitoring.svc:9090',
      '--out-dir=/export',
      '--days=7',
      '--keep=8',
    ]);
    expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'metrics-export-data' } });
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/export' });
  });

  it('mounts the context fixed at synth as JSON, exactly as given', () => {
    const { find } = synth();
    expect(JSON.parse(find('ConfigMap', 'weekly-report-context').data['context.json'])).toEqual(context);
  });

  it('ships reporting/weekly-report-cli.ts bundled small enough for a client-side apply', () => {
    const { report, find } = synth();
    expect(report.program.bundle.entry).toBe('reporting/weekly-report-cli.ts');
    expect(report.program.bundle.bytes).toBeLessThan(CLIENT_APPLY_MAX_BYTES);
    expect(find('ConfigMap', 'weekly-report-program').data['main.js']).toMatch(
      /^\/\/ perfstack reporting\/weekly-report-cli\.ts, bundled/m,
    );
    expect(find('CronJob').spec.jobTemplate.spec.template.metadata.annotations['perfstack.io/program-sha256']).toBe(
      report.program.bundle.sha256,
    );
  });

  it('takes no connections and reaches only Prometheus (DNS through the namespace baseline)', () => {
    const np = synth().find('NetworkPolicy');
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'weekly-report' } });
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toBeUndefined();
    expect(np.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [{ port: 9090, protocol: 'TCP' }],
      },
    ]);
  });

  it('synthesizes objects valid against the Kubernetes schema', () => {
    for (const o of synth().objects) expect([o.kind, schemaValidator().validate(o)]).toEqual([o.kind, []]);
  });

  it.each([
    [{ days: 0 }, /'days' \(0\) must be a whole number of days/],
    [{ keep: 1.5 }, /'keep' \(1.5\)/],
    [{ prometheusUrl: 'prometheus:9090' }, /'prometheusUrl' \("prometheus:9090"\) must be an http\(s\) URL/],
    [{ context: { ...context, services: [] } }, /'context.services' \(\[\]\) must name at least one service/],
  ])('refuses %j at synth with one line naming it', (bad, message) => {
    expect(() => synth(bad)).toThrow(message);
  });
});
