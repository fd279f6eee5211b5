import { ctr, expectOnly } from './compliant';

describe('workload-probes', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'workload-probes',
      (o) => (ctr(o).livenessProbe = ctr(o).readinessProbe),
      "workload-probes: Deployment/api: container 'api' has identical readiness and liveness probes",
    );
  });
});
