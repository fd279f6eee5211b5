import { expectOnly, findings, compliant, virtualService } from './compliant';

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
});
