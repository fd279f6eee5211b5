import { expectOnly, findings, compliant, virtualService, meta, edgePolicy } from './compliant';

describe('route-timeout', () => {
  it('reports a VirtualService route without a timeout', () => {
    expectOnly(
      'route-timeout',
      (o) => delete virtualService(o).spec.http[1].timeout,
      "route-timeout: VirtualService/api: http route 'once' has no timeout",
    );
  });

  it('reports an HTTPRoute rule without a request timeout, and accepts one with it', () => {
    const route = (timeouts?: object) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: meta('edge'),
      spec: { rules: [{ backendRefs: [{ name: 'api', port: 80 }], ...(timeouts ? { timeouts } : {}) }] },
    });
    expect(findings([...compliant(), route()]).filter((f) => f.startsWith('route-timeout'))).toEqual([
      'route-timeout: HTTPRoute/edge: rule 0 has no timeouts.request',
    ]);
    expect(findings([...compliant(), route({ request: '2s' })])).toEqual([]);
  });

  it('reports a GRPCRoute rule whose BackendTrafficPolicy carries no request timeout (the standard GRPCRoute has none)', () => {
    expectOnly(
      'route-timeout',
      (o) => delete edgePolicy(o, 'orders').spec.timeout,
      "route-timeout: GRPCRoute/orders: rule 'once' has no BackendTrafficPolicy with timeout.http.requestTimeout",
    );
  });

  it('reports a GRPCRoute rule that no BackendTrafficPolicy targets', () => {
    expectOnly(
      'route-timeout',
      (o) => (edgePolicy(o, 'orders').spec.targetRefs[0].sectionName = 'other'),
      "route-timeout: GRPCRoute/orders: rule 'once' has no BackendTrafficPolicy with timeout.http.requestTimeout",
    );
  });
});
