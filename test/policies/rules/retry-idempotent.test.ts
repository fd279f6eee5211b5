import { expectOnly, findings, compliant, virtualService, edgePolicy, route } from './compliant';

describe('retry-idempotent', () => {
  it('reports a retried route that matches a non-idempotent method', () => {
    expectOnly(
      'retry-idempotent',
      (o) => (virtualService(o).spec.http[0].match = [{ method: { exact: 'GET' } }, { method: { exact: 'POST' } }]),
      'retry-idempotent: VirtualService/api: http route \'retried\' retries GET, POST; match idempotent methods only, or annotate perfstack.io/idempotent: "true"',
    );
  });

  it("reports a route that leaves Istio's default retries on every method", () => {
    expectOnly(
      'retry-idempotent',
      (o) => delete virtualService(o).spec.http[1].retries,
      'retry-idempotent: VirtualService/api: http route \'once\' retries every method; match idempotent methods only, or annotate perfstack.io/idempotent: "true"',
    );
  });

  it('accepts retries of every method on a route declared idempotent', () => {
    const o = compliant();
    delete virtualService(o).spec.http[0].match;
    virtualService(o).metadata.annotations = { 'perfstack.io/idempotent': 'true' };
    expect(findings(o)).toEqual([]);
  });

  it('reports an edge BackendTrafficPolicy that retries a rule matching a method that is not idempotent', () => {
    expectOnly(
      'retry-idempotent',
      (o) => route(o, 'HTTPRoute', 'edge-web').spec.rules[0].matches.push({ path: { type: 'PathPrefix', value: '/' }, method: 'POST' }),
      "retry-idempotent: BackendTrafficPolicy/edge-web-retried: retries HTTPRoute/edge-web rule 'retried', which matches methods that are not idempotent; " +
        'target a rule that matches idempotent methods only, or annotate the route perfstack.io/idempotent: "true"',
    );
  });

  it('reports retries of a GRPCRoute (gRPC calls are POSTs), and retries left to the default of numRetries', () => {
    expectOnly(
      'retry-idempotent',
      (o) => delete edgePolicy(o, 'orders').spec.retry.numRetries,
      "retry-idempotent: BackendTrafficPolicy/orders: retries GRPCRoute/orders rule 'once', which matches gRPC calls (POST); " +
        'target a rule that matches idempotent methods only, or annotate the route perfstack.io/idempotent: "true"',
    );
  });

  it('accepts edge retries of a route declared idempotent', () => {
    const o = compliant();
    edgePolicy(o, 'edge-web').spec.retry.numRetries = 2;
    route(o, 'HTTPRoute', 'edge-web').metadata.annotations = { 'perfstack.io/idempotent': 'true' };
    expect(findings(o)).toEqual([]);
  });
});
