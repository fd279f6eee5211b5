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
import { resolveRemediationPolicy } from '../../constructs/observability/remediation-policy';
import { KubeExecutor, RESTARTED_AT } from '../../remediation/kube-executor';

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
    nodeImage: 'registry.example/library/node:24.20.0-trixie-slim',
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

  /** A Deployment (and, for rollback, two ReplicaSets as the controller would have made them) to act on. */
  function deployment(name: string, image: string) {
    const labels = { app: name };
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: NS },
      spec: {
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } },
      },
    };
  }
  function replicaSet(name: string, revision: number, image: string) {
    const labels = { app: name, 'pod-template-hash': `h${revision}` };
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${name}-h${revision}`,
        namespace: NS,
        labels,
        annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } } },
    };
  }

  it('acts as the runner ServiceAccount: restart, floor raise (capped at max), rollback and audit Events all pass RBAC', async () => {
    for (const obj of [
      deployment('api-gateway', 'app:2'),
      deployment('nlp-service', 'nlp:2'),
      replicaSet('nlp-service', 1, 'nlp:1'),
      replicaSet('nlp-service', 2, 'nlp:2'),
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web', namespace: NS },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 5, maxReplicas: 6 },
      },
    ] as KubeObjectRef[]) {
      const r = await applyObject(server, obj, { dryRun: false });
      if (!r.accepted) throw new Error(`${r.object}: ${r.message}`);
    }
    const token = await request(server, 'POST', `/api/v1/namespaces/${NS}/serviceaccounts/remediation-runner/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 600 },
    });
    expect(token.status).toBe(201);
    const known = {
      'api-gateway': { minReplicas: 2, maxReplicas: 20 },
      web: { minReplicas: 2, maxReplicas: 6 },
      'nlp-service': { minReplicas: 1, maxReplicas: 10 },
    };
    const policy = resolveRemediationPolicy(
      NS,
      { services: [{ service: 'web', rules: [{ alert: 'AnomalyTrafficSpike', action: { kind: 'scale', by: 2, minutes: 30 } }] }] },
      known,
    );
    const restores: (() => void)[] = [];
    const executor = new KubeExecutor(
      { url: server.url, token: (token.body as { status: { token: string } }).status.token, agent: server.agent },
      policy,
      'http://127.0.0.1:1',
      { setTimeout: (f) => restores.push(f) },
    );
    const get = async (p: string) =>
      (await request(server, 'GET', p)).body as {
        spec: Record<string, unknown> & {
          template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { image: string }[] } };
        };
      };

    expect(await executor.run('api-gateway', { kind: 'restart' })).toBe('restarted');
    expect(
      (await get(`/apis/apps/v1/namespaces/${NS}/deployments/api-gateway`)).spec.template.metadata.annotations?.[RESTARTED_AT],
    ).toMatch(/^\d{4}-/);

    // 5 + 2 would pass web's max of 6: the floor stops at 6, and goes back to 5 when the time is up.
    expect(await executor.run('web', { kind: 'scale', by: 2, minutes: 30 })).toBe('floor 5 -> 6 for 30 min');
    const hpa = `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/web`;
    expect((await get(hpa)).spec.minReplicas).toBe(6);
    restores[0]();
    await new Promise((r) => setTimeout(r, 300));
    expect((await get(hpa)).spec.minReplicas).toBe(5);

    expect(await executor.run('nlp-service', { kind: 'rollback', withinMinutes: 30 })).toBe('rolled back from revision 2 to 1');
    expect((await get(`/apis/apps/v1/namespaces/${NS}/deployments/nlp-service`)).spec.template.spec.containers[0].image).toBe('nlp:1');
    await executor.refreshRollout('nlp-service');
    expect(executor.rolloutAt('nlp-service')).toBeGreaterThan(Date.now() - 10 * 60000);

    await executor.event({
      time: new Date().toISOString(),
      service: 'api-gateway',
      alert: 'AnomalyLatency',
      labels: { alertname: 'AnomalyLatency', service: 'api-gateway' },
      verdict: 'act',
      action: 'restart',
      dryRun: false,
      outcome: 'restarted',
      reason: 'AnomalyLatency on api-gateway',
    });
    const events = (await request(server, 'GET', `/api/v1/namespaces/${NS}/events`)).body as {
      items: { reason: string; message: string; involvedObject: { name: string } }[];
    };
    expect(events.items.map((e) => [e.reason, e.involvedObject.name, e.message])).toContainEqual([
      'Remediation',
      'api-gateway',
      'AnomalyLatency: restart (restarted): AnomalyLatency on api-gateway',
    ]);

    // A Deployment the policy does not name: the API server refuses the runner.
    await expect(executor.run('audit-service', { kind: 'restart' })).rejects.toThrow(/403/);
  }, 60000);
});
