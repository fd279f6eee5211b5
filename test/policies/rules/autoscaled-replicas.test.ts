import { dep, expectOnly } from './compliant';

describe('autoscaled-replicas', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'autoscaled-replicas',
      (o) => (dep(o).spec.replicas = 3),
      'autoscaled-replicas: Deployment/api: sets replicas: 3 although an autoscaler owns the count',
    );
  });
});
