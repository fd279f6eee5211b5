import { expectOnly } from './compliant';

describe('namespace-default-deny', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'namespace-default-deny',
      (o) =>
        o.splice(
          o.findIndex((x) => x.kind === 'NetworkPolicy'),
          1,
        ),
      "namespace-default-deny: Namespace/web: namespace 'web' has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, ...], no rules)",
    );
  });
});
