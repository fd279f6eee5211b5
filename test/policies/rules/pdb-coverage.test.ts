import { expectOnly } from './compliant';

describe('pdb-coverage', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'pdb-coverage',
      (o) => (o.find((x) => x.kind === 'PodDisruptionBudget').spec = { minAvailable: 2, selector: { matchLabels: { app: 'api' } } }),
      "pdb-coverage: Deployment/api: PodDisruptionBudget 'api' has minAvailable 2, not below the minimum of 2 replicas: it blocks evictions",
    );
  });
});
