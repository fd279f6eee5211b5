import { dep, expectOnly } from './compliant';

describe('service-account-token', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'service-account-token',
      (o) => delete dep(o).spec.template.spec.automountServiceAccountToken,
      'service-account-token: Deployment/api: automountServiceAccountToken is not false; exempt the workload if it calls the API',
    );
  });
});
