import { ctr, expectOnly } from './compliant';

describe('workload-resources', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'workload-resources',
      (o) => delete ctr(o).resources.limits.memory,
      "workload-resources: Deployment/api: container 'api' lacks a memory limit",
    );
  });
});
