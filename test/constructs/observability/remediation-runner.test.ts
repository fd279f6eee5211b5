import { RemediationRunner } from '../../../constructs/observability/remediation-runner';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading synthesized manifests by path
const find = (objects: Parameters<typeof findObject>[0], kind: string): any => findObject(objects, kind);

const props = {
  namespace: 'web',
  services: { 'api-gateway': { minReplicas: 2, maxReplicas: 20 } },
  policy: { services: [{ service: 'api-gateway', rules: [{ alert: 'AnomalyLatency', action: { kind: 'restart' as const } }] }] },
  image: 'registry.example/perfstack/remediation-runner:0.1.0',
  alertmanagerUrl: 'http://alertmanager-operated.monitoring.svc:9093/',
  monitoringNamespace: 'monitoring',
  apiServer: { cidrs: ['10.0.0.1/32'], port: 443 },
};

describe('RemediationRunner', () => {
  it('runs one restricted replica with its policy mounted read-only, in dry-run by default', () => {
    const chart = freshChart();
    const runner = new RemediationRunner(chart, 'r', props);
    const objects = objectsOf(chart);
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(find(objects, 'Deployment').spec.replicas).toBe(1);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.containers[0].env).toContainEqual({ name: 'ALERTMANAGER_URL', value: 'http://alertmanager-operated.monitoring.svc:9093' });
    expect(JSON.parse(find(objects, 'ConfigMap').data['policy.json'])).toEqual(runner.policy);
    expect(runner.policy.dryRun).toBe(true);
    expect(runner.webhookUrl).toBe('http://remediation-runner.web.svc:8080/alerts');
  });

  it('binds a namespaced Role naming only the policy objects, nothing cluster-wide', () => {
    const chart = freshChart();
    new RemediationRunner(chart, 'r', props);
    const objects = objectsOf(chart);
    expect(objects.some((o) => o.kind.startsWith('Cluster'))).toBe(false);
    expect(find(objects, 'Role').rules).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'], resourceNames: ['api-gateway'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
    expect(find(objects, 'NetworkPolicy').spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('synthesizes schema-valid objects', () => {
    const chart = freshChart();
    new RemediationRunner(chart, 'r', props);
    for (const o of objectsOf(chart)) expect([o.kind, schemaValidator().validate(o)]).toEqual([o.kind, []]);
  });

  it('rejects a policy naming an unknown service at synth, before writing anything', () => {
    const chart = freshChart();
    const bad = { ...props, policy: { services: [{ service: 'billing', rules: [] }] } };
    expect(() => new RemediationRunner(chart, 'r', bad)).toThrow(
      `test/r: 'policy.services[0].service' ("billing") is not a service of this environment (api-gateway)`,
    );
    expect(chart.node.children.find((c) => c.node.id === 'r')?.node.children ?? []).toHaveLength(0);
  });
});
