import { RemediationRunner } from '../../constructs/observability/remediation-runner';
import {
  KubeApiServer,
  KubeObjectRef,
  applyObject,
  createNamespaces,
  describeWithKubeApiServer,
  kubeApiServerFor,
  request,
} from '../support/kube-apiserver';
import { freshChart, objectsOf } from '../support/synth';

const NS = 'remediation-rbac';

/** A runner whose policy restarts api-gateway, raises web's floor and rolls back nlp-service; audit-service is not named. */
function synthRunner(): KubeObjectRef[] {
  const chart = freshChart();
  new RemediationRunner(chart, 'Remediation', {
    namespace: NS,
    services: {
      'api-gateway': { minReplicas: 2, maxReplicas: 20 },
      web: { minReplicas: 2, maxReplicas: 6 },
      'nlp-service': { minReplicas: 1, maxReplicas: 10 },
      'audit-service': { minReplicas: 2, maxReplicas: 8 },
    },
    policy: {
      services: [
        { service: 'api-gateway', rules: [{ alert: 'AnomalyLatency', action: { kind: 'restart' } }] },
        { service: 'web', rules: [{ alert: 'AnomalyTrafficSpike', action: { kind: 'scale', by: 2, minutes: 30 } }] },
        { service: 'nlp-service', rules: [{ alert: 'SloErrorBudgetBurn', action: { kind: 'rollback', withinMinutes: 30 } }] },
      ],
    },
    image: 'registry.example/perfstack/remediation-runner:0.1.0',
    alertmanagerUrl: 'http://alertmanager-operated.monitoring.svc:9093',
    monitoringNamespace: 'monitoring',
    apiServer: { cidrs: ['10.0.0.1/32'], port: 443 },
  });
  return objectsOf(chart) as unknown as KubeObjectRef[];
}

describeWithKubeApiServer('remediation runner RBAC on a real kube-apiserver', () => {
  let server: KubeApiServer;

  beforeAll(async () => {
    server = await kubeApiServerFor('1.36');
    await createNamespaces(server, [NS]);
    for (const obj of synthRunner().filter((o) => ['ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind))) {
      const r = await applyObject(server, obj, { dryRun: false });
      if (!r.accepted) throw new Error(`${r.object}: ${r.message}`);
    }
  }, 120000);

  afterAll(async () => {
    await server?.stop();
  });

  /** The API server's own answer (SubjectAccessReview) for the runner's ServiceAccount. */
  async function allowed(verb: string, group: string, resource: string, name?: string, namespace = NS): Promise<boolean> {
    const res = await request(server, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: `system:serviceaccount:${NS}:remediation-runner`,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'],
        resourceAttributes: { verb, group, resource, name, namespace },
      },
    });
    expect(res.status).toBe(201);
    return (res.body as { status: { allowed: boolean } }).status.allowed;
  }

  it.each([
    ['patch', 'apps', 'deployments', 'api-gateway'], // restart
    ['get', 'apps', 'deployments', 'api-gateway'],
    ['patch', 'apps', 'deployments', 'nlp-service'], // rollback
    ['list', 'apps', 'replicasets', undefined],
    ['patch', 'autoscaling', 'horizontalpodautoscalers', 'web'], // scale
    ['create', '', 'events', undefined], // audit
  ])('allows %s %s/%s %s, which the policy needs', async (verb, group, resource, name) => {
    expect(await allowed(verb, group, resource, name)).toBe(true);
  });

  it.each([
    ['patch', 'apps', 'deployments', 'audit-service'], // not in the policy
    ['patch', 'apps', 'deployments', 'web'], // web is only scaled
    ['patch', 'autoscaling', 'horizontalpodautoscalers', 'api-gateway'], // api-gateway is only restarted
    ['delete', 'apps', 'deployments', 'api-gateway'],
    ['update', 'apps', 'deployments', 'api-gateway'],
    ['list', 'apps', 'deployments', undefined],
    ['patch', 'apps', 'replicasets', 'nlp-service-abc'],
    ['get', '', 'secrets', 'redis-auth'],
    ['list', '', 'secrets', undefined],
    ['create', '', 'pods', undefined],
    ['create', '', 'pods/exec', 'api-gateway-0'],
    ['delete', '', 'events', undefined],
    ['patch', 'rbac.authorization.k8s.io', 'roles', 'remediation-runner'],
  ])('denies %s %s/%s %s', async (verb, group, resource, name) => {
    expect(await allowed(verb, group, resource, name)).toBe(false);
  });

  it('allows nothing outside its namespace', async () => {
    expect(await allowed('patch', 'apps', 'deployments', 'api-gateway', 'other')).toBe(false);
    expect(await allowed('create', '', 'events', undefined, 'other')).toBe(false);
  });
});
