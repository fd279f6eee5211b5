import { evaluate } from '../../policies/engine';
import { ALL_RULES } from '../../policies/rules';
import { KubeObject } from '../../policies/types';
import { ENVIRONMENTS } from '../../stacks/environments';
import { synthesizeCharts } from '../../stacks/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const labels = { app: 'api', team: 'platform', 'cost-center': 'cc-1' };
const meta = (name: string, extra: Json = {}) => ({ name, namespace: 'web', labels: { ...labels }, ...extra });

/** A small, fully compliant set of objects; each case changes one field and expects one finding. */
function compliant(): Json[] {
  const container = {
    name: 'api',
    image: 'registry.example.com/api:1.0.0',
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
    readinessProbe: { httpGet: { path: '/readyz', port: 8080 } },
    livenessProbe: { httpGet: { path: '/livez', port: 8080 } },
    securityContext: {
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
  };
  const spread = [
    {
      topologyKey: 'topology.kubernetes.io/zone',
      maxSkew: 1,
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app: 'api' } },
    },
    {
      topologyKey: 'kubernetes.io/hostname',
      maxSkew: 1,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { app: 'api' } },
    },
  ];
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web', labels: { team: 'platform', 'cost-center': 'cc-1' } } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('api'),
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { ...labels } },
          spec: { automountServiceAccountToken: false, topologySpreadConstraints: spread, containers: [container] },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('api'), spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('api'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('api'),
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } },
    },
    {
      apiVersion: 'autoscaling.k8s.io/v1',
      kind: 'VerticalPodAutoscaler',
      metadata: meta('api'),
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
        updatePolicy: { updateMode: 'Initial' },
        resourcePolicy: { containerPolicies: [{ containerName: 'api', controlledResources: ['memory'] }] },
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: meta('api'),
      spec: { selector: { matchLabels: { app: 'api' } }, endpoints: [{ port: 'http' }] },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: meta('api'),
      spec: {
        groups: [
          {
            name: 'g',
            rules: [{ alert: 'A', expr: 'up == 0', labels: { severity: 'page' }, annotations: { summary: 's', runbook_url: 'https://r' } }],
          },
        ],
      },
    },
    { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: meta('pg'), spec: { instances: 3 } },
    { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Pooler', metadata: meta('pg-rw'), spec: { pgbouncer: { poolMode: 'transaction' } } },
    {
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: meta('lt'),
      spec: { parallelism: 2, runner: { resources: { requests: { cpu: '1', memory: '1Gi' } } } },
    },
  ];
}

const CONTEXT = { zones: 3, production: true, registry: 'registry.example.com' };

function findings(objects: Json[]) {
  return evaluate(
    objects.map((object: KubeObject) => ({ object })),
    CONTEXT,
  ).findings.map((f) => `${f.rule}: ${f.object.kind}/${f.object.name}: ${f.message}`);
}

const dep = (o: Json[]) => o.find((x) => x.kind === 'Deployment');
const ctr = (o: Json[]) => dep(o).spec.template.spec.containers[0];

describe('policy rules', () => {
  it('find nothing in the compliant fixture', () => {
    expect(findings(compliant())).toEqual([]);
  });

  const cases: [string, (o: Json[]) => void, string][] = [
    [
      'workload-resources',
      (o) => delete ctr(o).resources.limits.memory,
      "workload-resources: Deployment/api: container 'api' lacks a memory limit",
    ],
    [
      'workload-probes',
      (o) => (ctr(o).livenessProbe = ctr(o).readinessProbe),
      "workload-probes: Deployment/api: container 'api' has identical readiness and liveness probes",
    ],
    [
      'image-pinned',
      (o) => (ctr(o).image = 'registry.example.com/api:latest'),
      "image-pinned: Deployment/api: container 'api' uses 'registry.example.com/api:latest' without a pinned tag",
    ],
    [
      'workload-security-context',
      (o) => (ctr(o).securityContext.readOnlyRootFilesystem = false),
      "workload-security-context: Deployment/api: container 'api': the root filesystem is writable",
    ],
    [
      'service-account-token',
      (o) => delete dep(o).spec.template.spec.automountServiceAccountToken,
      'service-account-token: Deployment/api: automountServiceAccountToken is not false; exempt the workload if it calls the API',
    ],
    [
      'production-replicas',
      (o) => (o.find((x) => x.kind === 'HorizontalPodAutoscaler').spec.minReplicas = 1),
      'production-replicas: Deployment/api: runs as few as 1 replica(s); set replicas or the autoscaler minimum to 2 or more',
    ],
    [
      'pdb-coverage',
      (o) => (o.find((x) => x.kind === 'PodDisruptionBudget').spec = { minAvailable: 2, selector: { matchLabels: { app: 'api' } } }),
      "pdb-coverage: Deployment/api: PodDisruptionBudget 'api' has minAvailable 2, not below the minimum of 2 replicas: it blocks evictions",
    ],
    [
      'zone-spread',
      (o) => dep(o).spec.template.spec.topologySpreadConstraints.shift(),
      'zone-spread: Deployment/api: no topology spread constraint or anti-affinity over topology.kubernetes.io/zone',
    ],
    [
      'host-spread',
      (o) => dep(o).spec.template.spec.topologySpreadConstraints.pop(),
      'host-spread: Deployment/api: no hostname anti-affinity or topology spread',
    ],
    [
      'autoscaler-target',
      (o) => (o.find((x) => x.kind === 'HorizontalPodAutoscaler').spec.scaleTargetRef.name = 'apii'),
      "autoscaler-target: HorizontalPodAutoscaler/api: targets Deployment 'apii', which is not among the objects",
    ],
    [
      'single-autoscaler',
      (o) =>
        o.push({
          apiVersion: 'keda.sh/v1alpha1',
          kind: 'ScaledObject',
          metadata: meta('api-keda'),
          spec: {
            scaleTargetRef: { name: 'api' },
            minReplicaCount: 2,
            triggers: [],
            advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } } },
          },
        }),
      "single-autoscaler: Deployment/api: is targeted by HorizontalPodAutoscaler 'api' and ScaledObject 'api-keda'",
    ],
    [
      'autoscaled-replicas',
      (o) => (dep(o).spec.replicas = 3),
      'autoscaled-replicas: Deployment/api: sets replicas: 3 although an autoscaler owns the count',
    ],
    [
      'scale-down-stabilization',
      (o) => delete o.find((x) => x.kind === 'HorizontalPodAutoscaler').spec.behavior,
      'scale-down-stabilization: HorizontalPodAutoscaler/api: sets no scaleDown.stabilizationWindowSeconds',
    ],
    [
      'vpa-autoscaler-conflict',
      (o) => delete o.find((x) => x.kind === 'VerticalPodAutoscaler').spec.resourcePolicy,
      "vpa-autoscaler-conflict: VerticalPodAutoscaler/api: updateMode Initial controls cpu, which an autoscaler of Deployment 'api' scales on",
    ],
    [
      'service-selects-pods',
      (o) => (o.find((x) => x.kind === 'Service').spec.selector = { app: 'apii' }),
      'service-selects-pods: Service/api: selector {"app":"apii"} matches no pod template',
    ],
    [
      'namespace-default-deny',
      (o) =>
        o.splice(
          o.findIndex((x) => x.kind === 'NetworkPolicy'),
          1,
        ),
      "namespace-default-deny: Namespace/web: namespace 'web' has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, ...], no rules)",
    ],
    [
      'servicemonitor-selects-service',
      (o) => (o.find((x) => x.kind === 'ServiceMonitor').spec.selector = { matchLabels: { app: 'apii' } }),
      'servicemonitor-selects-service: ServiceMonitor/api: its selector matches no Service',
    ],
    [
      'cost-labels',
      (o) => delete o.find((x) => x.kind === 'Service').metadata.labels['cost-center'],
      "cost-labels: Service/api: has no 'cost-center' label",
    ],
    [
      'alert-annotations',
      (o) => delete o.find((x) => x.kind === 'PrometheusRule').spec.groups[0].rules[0].annotations.runbook_url,
      "alert-annotations: PrometheusRule/api: alert 'A' in group 'g' has no runbook_url annotation",
    ],
    [
      'no-inline-secrets',
      (o) => (ctr(o).env = [{ name: 'DB_PASSWORD', value: 'hunter2' }]),
      "no-inline-secrets: Deployment/api: container 'api' sets DB_PASSWORD to a literal value; use valueFrom.secretKeyRef",
    ],
    [
      'cnpg-high-availability',
      (o) => (o.find((x) => x.kind === 'Pooler').spec.pgbouncer.poolMode = 'session'),
      "cnpg-high-availability: Pooler/pg-rw: pools in 'session' mode; use 'transaction'",
    ],
    [
      'datatier-zone-spread',
      (o) =>
        o.push({
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: meta('db'),
          spec: { template: { metadata: { labels: {} }, spec: { containers: [] } } },
        }),
      'datatier-zone-spread: StatefulSet/db: its pods are not spread over topology.kubernetes.io/zone',
    ],
    [
      'k6-resources',
      (o) => delete o.find((x) => x.kind === 'TestRun').spec.runner,
      'k6-resources: TestRun/lt: spec.runner.resources.requests must set cpu and memory',
    ],
    [
      'airgap-registry',
      (o) => (ctr(o).image = 'docker.io/library/api:1.0.0'),
      "airgap-registry: Deployment/api: container 'api' pulls 'docker.io/library/api:1.0.0' from outside registry.example.com",
    ],
  ];

  it('has a case for every rule', () => {
    expect(cases.map((c) => c[0]).sort()).toEqual(ALL_RULES.map((r) => r.id).sort());
  });

  it.each(cases)('%s: one changed field, one finding', (_, change, expected) => {
    const objects = compliant();
    change(objects);
    // Some changes also trip a neighbouring rule (a wrong image is also unpinned...): the expected finding must be there.
    expect(findings(objects)).toContain(expected);
    expect(findings(objects).filter((f) => f.startsWith(`${_}:`))).toEqual([expected]);
  });

  it('lists exempted findings with their reason and does not count them', () => {
    const objects = compliant();
    ctr(objects).securityContext.readOnlyRootFilesystem = false;
    dep(objects).metadata.annotations = {
      'policy.perfstack.io/exempt': 'workload-security-context',
      'policy.perfstack.io/exempt-reason': 'legacy image writes to /var/cache',
    };
    const report = evaluate(
      objects.map((object: KubeObject) => ({ object })),
      CONTEXT,
    );
    expect(report.errors).toBe(0);
    expect(report.exempted).toBe(1);
    expect(report.findings[0].exemptReason).toBe('legacy image writes to /var/cache');
  });

  it('refuses an exemption without a reason', () => {
    const objects = compliant();
    dep(objects).metadata.annotations = { 'policy.perfstack.io/exempt': 'zone-spread' };
    expect(findings(objects)).toEqual([
      "exemption-reason: Deployment/api: exempts zone-spread without a 'policy.perfstack.io/exempt-reason' annotation",
    ]);
  });

  it('refuses an exemption for a rule that does not exist, which would cover nothing', () => {
    const objects = compliant();
    dep(objects).metadata.annotations = {
      'policy.perfstack.io/exempt': 'zone-spread,zone-sprad',
      'policy.perfstack.io/exempt-reason': 'single-zone test cluster',
    };
    expect(findings(objects)).toEqual([
      `exemption-rule: Deployment/api: 'policy.perfstack.io/exempt' ("zone-sprad") names no policy rule; misspelt? The exemption covers nothing`,
    ]);
  });
});

describe.each(Object.keys(ENVIRONMENTS))('synthesized environment %s', (name) => {
  it('passes every rule with zero errors and zero warnings', () => {
    const env = ENVIRONMENTS[name];
    const objects = synthesizeCharts(env).flatMap((c) => c.objects) as unknown as KubeObject[];
    const report = evaluate(
      objects.map((object) => ({ object })),
      { zones: env.zones.length, production: env.production, registry: env.airGapped ? env.imageRegistry : undefined },
    );
    expect(report.findings.filter((f) => !f.exemptReason)).toEqual([]);
  });
});
