import { RemediationRunner } from '../../../constructs/observability/remediation-runner';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading synthesized manifests by path
const find = (objects: Parameters<typeof findObject>[0], kind: string): any => findObject(objects, kind);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading synthesized manifests by path
const configMap = (objects: Parameters<typeof findObject>[0], name: string): any =>
  objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);

const props = {
  namespace: 'web',
  services: { 'api-gateway': { minReplicas: 2, maxReplicas: 20 } },
  policy: { services: [{ service: 'api-gateway', rules: [{ alert: 'AnomalyLatency', action: { kind: 'restart' as const } }] }] },
  nodeImage: 'registry.example/library/node:24.20.0-trixie-slim',
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
    expect(JSON.parse(configMap(objects, 'remediation-runner').data['policy.json'])).toEqual(runner.policy);
    expect(runner.policy.dryRun).toBe(true);
    expect(runner.webhookUrl).toBe('http://remediation-runner.web.svc:8080/alerts');
  });

  it('runs the runner bundled from remediation/main.ts on the Node.js image, mounted read-only, rolled when it changes', () => {
    const chart = freshChart();
    const runner = new RemediationRunner(chart, 'r', props);
    const objects = objectsOf(chart);
    const program = configMap(objects, 'remediation-runner-program');
    expect(Object.keys(program.data)).toEqual(['main.js']);
    expect(program.data['main.js']).toMatch(/^\/\/ perfstack remediation\/main\.ts, bundled by esbuild /);
    const template = find(objects, 'Deployment').spec.template;
    const container = template.spec.containers[0];
    expect(container.image).toBe('registry.example/library/node:24.20.0-trixie-slim');
    expect(container.command).toEqual(['node', '/opt/perfstack/main.js']);
    expect(container.volumeMounts).toContainEqual({ name: 'program', mountPath: '/opt/perfstack', readOnly: true });
    expect(template.spec.volumes).toContainEqual({
      name: 'program',
      configMap: { name: 'remediation-runner-program', items: [{ key: 'main.js', path: 'main.js' }] },
    });
    expect(template.metadata.annotations['perfstack.io/program-sha256']).toBe(runner.program.bundle.sha256);
    // Without a cache clear, no cache password and no client label.
    expect(container.env.map((e: { name: string }) => e.name)).toEqual(['ALERTMANAGER_URL', 'POD_NAMESPACE']);
    expect(Object.keys(template.metadata.labels)).not.toContain('redis.perfstack.io/client');
    expect(runner.alerts).toEqual(['AnomalyLatency']);
  });

  it('gives a runner that clears a cache the cache seeds, its password by Secret reference and the client label', () => {
    const chart = freshChart();
    const policy = {
      services: [
        { service: 'api-gateway', rules: [{ alert: 'LatencyP99High', action: { kind: 'cacheClear' as const, prefix: 'page:' } }] },
      ],
    };
    const cache = {
      seeds: 'redis.web.svc:6379',
      authSecret: { name: 'redis-auth', key: 'password' },
      clientLabels: { 'redis.perfstack.io/client': 'redis' },
    };
    new RemediationRunner(chart, 'r', { ...props, policy, cache });
    const template = find(objectsOf(chart), 'Deployment').spec.template;
    expect(template.metadata.labels['redis.perfstack.io/client']).toBe('redis');
    expect(template.spec.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: 'REDIS_CLUSTER_SEEDS', value: 'redis.web.svc:6379' },
        { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } },
      ]),
    );
    expect(() => new RemediationRunner(freshChart(), 'r', { ...props, policy })).toThrow(
      `test/r: 'policy.services[0].rules[0].action' ("cacheClear") clears a cache, but the runner has no 'cache' access (seeds, password Secret, client labels)`,
    );
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

  it('has Prometheus scrape its decision and outcome counters, keeping their own service label', () => {
    const chart = freshChart();
    new RemediationRunner(chart, 'r', props);
    const objects = objectsOf(chart);
    const monitor = find(objects, 'ServiceMonitor');
    const service = find(objects, 'Service');
    expect(Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => service.metadata.labels[k] === v)).toBe(true);
    expect(monitor.spec.endpoints).toEqual([{ port: service.spec.ports[0].name, path: '/metrics', interval: '30s', honorLabels: true }]);
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
