import { EXEMPT_ANNOTATION } from '../../../constructs/core/labels';
import { RedisRebalancer } from '../../../constructs/data/redis-rebalancer';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../../../constructs/core/security';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function synth(overrides: { intervalSeconds?: number; maxMovesPerHour?: number } = {}) {
  const chart = freshChart();
  const rebalancer = new RedisRebalancer(chart, 'Rebalancer', {
    cluster: 'cache',
    namespace: 'web',
    labels: { 'app.kubernetes.io/instance': 'cache-web', team: 'platform' },
    podSelector: 'app.kubernetes.io/name=cache',
    configMap: 'cache',
    image: 'registry.example.com/cloudnative-pg/postgresql:16.4',
    apiServer: { cidrs: ['10.0.0.0/16'], port: 443 },
    monitoringNamespace: 'monitoring',
    podSecurity: restrictedPodSecurity(999),
    containerSecurity: restrictedContainerSecurity(),
    password: { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'cache-auth', key: 'password' } } },
    ...overrides,
  });
  const objects = objectsOf(chart);
  return { rebalancer, objects, get: (kind: string, name?: string): Json => findObject(objects, kind, name) };
}

describe('RedisRebalancer', () => {
  const { rebalancer, objects, get } = synth();
  const deployment = get('Deployment');
  const container = deployment.spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.filter((e: Json) => e.value !== undefined).map((e: Json) => [e.name, e.value]));

  it('runs one loop, replaced rather than rolled so two never overlap', () => {
    expect(rebalancer.name).toBe('cache-rebalancer');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(container.command).toEqual(['python3', '-B', '/scripts/topology.py', 'rebalance', 'web', 'app.kubernetes.io/name=cache']);
  });

  it('is bounded: a pass every 30 s and at most 6 moves an hour by default, both adjustable', () => {
    expect([env.REBALANCE_INTERVAL_SECONDS, env.REBALANCE_MAX_MOVES_PER_HOUR]).toEqual(['30', '6']);
    const tuned = synth({ intervalSeconds: 60, maxMovesPerHour: 2 }).get('Deployment').spec.template.spec.containers[0].env;
    expect(tuned.filter((e: Json) => e.name.startsWith('REBALANCE_')).map((e: Json) => e.value)).toEqual(['60', '2']);
  });

  it('may list pods, create Events and read nodes, nothing more', () => {
    expect(get('Role').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
    expect(get('ClusterRole').rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]);
    expect(get('ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'cache-rebalancer', namespace: 'web' }]);
    expect(get('ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(deployment.metadata.annotations[EXEMPT_ANNOTATION]).toBe('production-replicas,zone-spread,service-account-token');
  });

  it('reaches only the API, and is reached only by Prometheus on its metrics port', () => {
    const np = get('NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 443, protocol: 'TCP' }] }]);
    expect(np.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [{ port: 9122, protocol: 'TCP' }],
      },
    ]);
    expect(get('ServiceMonitor').spec.endpoints).toEqual([{ port: 'metrics', interval: '30s' }]);
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 9122, protocol: 'TCP' }]);
  });

  it('is schema-valid', () => {
    const v = schemaValidator();
    expect(objects.flatMap((o) => v.validate(o))).toEqual([]);
  });
});
