import { NamespaceBaseline } from '../../../constructs/platform/namespace-baseline';
import { PriorityClasses } from '../../../constructs/platform/priority-classes';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('NamespaceBaseline', () => {
  const chart = freshChart();
  new NamespaceBaseline(chart, 'ns', { name: 'web', awsLoadBalancerReadinessGates: true });
  const objects = objectsOf(chart);

  it('enforces the restricted Pod Security Standard and opts into load-balancer readiness gates', () => {
    expect(findObject(objects, 'Namespace').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled',
    });
  });

  it("enforces Pod Security as the cluster's own minor defines it, 1.28's when not told", () => {
    expect((findObject(objects, 'Namespace') as Json).metadata.labels['pod-security.kubernetes.io/enforce-version']).toBe('v1.28');
    const c = freshChart();
    new NamespaceBaseline(c, 'ns', { name: 'web', kubernetesVersion: '1.35' });
    expect((findObject(objectsOf(c), 'Namespace') as Json).metadata.labels['pod-security.kubernetes.io/enforce-version']).toBe('v1.35');
  });

  it('denies all traffic, then allows DNS and egress within the namespace only', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Json[];
    expect(policies.map((p) => p.metadata.name)).toEqual(['default-deny-all', 'allow-dns-egress', 'allow-same-namespace-egress']);
    expect(policies[0].spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(policies[1].spec.egress[0].ports.map((p: Json) => `${p.protocol}/${p.port}`)).toEqual(['UDP/53', 'TCP/53']);
    expect(policies[2].spec.egress).toEqual([{ to: [{ podSelector: {} }] }]);
    expect(policies.every((p) => p.spec.ingress === undefined)).toBe(true);
  });

  it('enrols the namespace in the ambient mesh and admits HBONE and the probes ambient source-NATs, only when asked', () => {
    const c = freshChart();
    const ns = new NamespaceBaseline(c, 'ns', { name: 'web', ambientMesh: true });
    const out = objectsOf(c) as Json[];
    expect((findObject(out, 'Namespace') as Json).metadata.labels['istio.io/dataplane-mode']).toBe('ambient');
    expect(ns.allowAmbient).toBeDefined();
    expect((out.find((o) => o.metadata.name === 'allow-ambient-ingress') as Json).spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: {} }], ports: [{ port: 15008, protocol: 'TCP' }] },
        { from: [{ ipBlock: { cidr: '169.254.7.127/32' } }] },
      ],
    });
    expect(out.flatMap((o) => schemaValidator().validate(o))).toEqual([]);
    expect((findObject(objects, 'Namespace') as Json).metadata.labels['istio.io/dataplane-mode']).toBeUndefined();
  });

  it('rejects a namespace name Kubernetes would refuse', () => {
    expect(() => new NamespaceBaseline(freshChart(), 'ns', { name: 'Web_Apps' })).toThrow(
      'test/ns: \'name\' ("Web_Apps") must be a DNS label',
    );
  });
});

describe('PriorityClasses', () => {
  const chart = freshChart();
  new PriorityClasses(chart, 'pc');
  const objects = objectsOf(chart) as Json[];

  it('ranks critical over standard over spot-tolerant, and lets only critical preempt', () => {
    expect(objects.map((o) => [o.metadata.name, o.value, o.preemptionPolicy])).toEqual([
      ['perfstack-critical', 1000000, 'PreemptLowerPriority'],
      ['perfstack-standard', 100000, 'Never'],
      ['perfstack-spot-tolerant', 10000, 'Never'],
    ]);
    expect(objects.every((o) => o.metadata.namespace === undefined && o.globalDefault === false)).toBe(true);
    const v = schemaValidator();
    expect(objects.flatMap((o) => v.validate(o))).toEqual([]);
  });
});
