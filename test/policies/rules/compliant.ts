import { evaluate } from '../../../policies/engine';
import { KubeObject } from '../../../policies/types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/**
 * The compliant fixture the rule specs share (one spec per rule, as policies/rules/ has one rule per file): a small,
 * fully compliant set of objects; each case changes one field and expects one finding.
 */
export const labels = { app: 'api', team: 'platform', 'cost-center': 'cc-1' };
export const meta = (name: string, extra: Json = {}) => ({ name, namespace: 'web', labels: { ...labels }, ...extra });

/** A small, fully compliant set of objects; each case changes one field and expects one finding. */
export function compliant(): Json[] {
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
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...meta('api'), labels: { ...labels, 'istio.io/use-waypoint': 'waypoint' } },
      spec: { selector: { app: 'api' }, ports: [{ port: 80 }] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: meta('api'),
      spec: {
        host: 'api.web.svc.cluster.local',
        trafficPolicy: {
          connectionPool: { tcp: { maxConnections: 64 }, http: { http1MaxPendingRequests: 96 } },
          outlierDetection: { consecutive5xxErrors: 5, maxEjectionPercent: 50 },
        },
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: meta('api'),
      spec: {
        hosts: ['api.web.svc.cluster.local'],
        http: [
          { name: 'retried', match: [{ method: { exact: 'GET' } }], timeout: '1600ms', retries: { attempts: 2, perTryTimeout: '500ms' } },
          { name: 'once', timeout: '500ms', retries: { attempts: 0 } },
        ],
      },
    },
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
    // The edge on Envoy Gateway: an HTTPRoute whose idempotent methods are retried, a GRPCRoute, their policies.
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: meta('edge-web'),
      spec: {
        rules: [
          {
            name: 'retried',
            matches: ['GET', 'HEAD'].map((method) => ({ path: { type: 'PathPrefix', value: '/' }, method })),
            timeouts: { request: '2s', backendRequest: '500ms' },
          },
          { name: 'once', matches: [{ path: { type: 'PathPrefix', value: '/' } }], timeouts: { request: '2s' } },
        ],
      },
    },
    edgePolicyFixture('edge-web-retried', 'HTTPRoute', 'edge-web', 'retried', 2),
    edgePolicyFixture('edge-web', 'HTTPRoute', 'edge-web', 'once', 0),
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: meta('orders'),
      spec: { rules: [{ name: 'once', matches: [{ method: { type: 'Exact', service: 'shop.v1.Orders' } }] }] },
    },
    edgePolicyFixture('orders', 'GRPCRoute', 'orders', 'once', 0),
    {
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: meta('lt'),
      spec: { parallelism: 2, runner: { resources: { requests: { cpu: '1', memory: '1Gi' } } } },
    },
  ];
}

/** An Envoy Gateway BackendTrafficPolicy on one route rule, with a timeout and outlier detection below 100%. */
export function edgePolicyFixture(name: string, kind: string, route: string, rule: string, numRetries: number): Json {
  return {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'BackendTrafficPolicy',
    metadata: meta(name),
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind, name: route, sectionName: rule }],
      timeout: { http: { requestTimeout: '2s' } },
      retry: { numRetries },
      healthCheck: { passive: { maxEjectionPercent: 50 } },
    },
  };
}

export const edgePolicy = (o: Json[], name: string) => o.find((x) => x.kind === 'BackendTrafficPolicy' && x.metadata.name === name);
export const route = (o: Json[], kind: string, name: string) => o.find((x) => x.kind === kind && x.metadata.name === name);

export const CONTEXT = { zones: 3, production: true, registry: 'registry.example.com' };

export function findings(objects: Json[]) {
  return evaluate(
    objects.map((object: KubeObject) => ({ object })),
    CONTEXT,
  ).findings.map((f) => `${f.rule}: ${f.object.kind}/${f.object.name}: ${f.message}`);
}

export const dep = (o: Json[]) => o.find((x) => x.kind === 'Deployment');
export const ctr = (o: Json[]) => dep(o).spec.template.spec.containers[0];
export const destinationRule = (o: Json[]) => o.find((x) => x.kind === 'DestinationRule');
export const virtualService = (o: Json[]) => o.find((x) => x.kind === 'VirtualService');

/** Asserts that `change` to the compliant fixture yields exactly `expected` from `rule` (a neighbouring rule may also fire). */
export function expectOnly(rule: string, change: (o: Json[]) => void, expected: string): void {
  const objects = compliant();
  change(objects);
  const all = findings(objects);
  expect(all).toContain(expected);
  expect(all.filter((f) => f.startsWith(`${rule}:`))).toEqual([expected]);
}
