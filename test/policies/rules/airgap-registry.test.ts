import { ctr, expectOnly } from './compliant';

describe('airgap-registry', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'airgap-registry',
      (o) => (ctr(o).image = 'docker.io/library/api:1.0.0'),
      "airgap-registry: Deployment/api: container 'api' pulls 'docker.io/library/api:1.0.0' from outside registry.example.com",
    );
  });
});
