import { ctr, expectOnly } from './compliant';

describe('workload-security-context', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'workload-security-context',
      (o) => (ctr(o).securityContext.readOnlyRootFilesystem = false),
      "workload-security-context: Deployment/api: container 'api': the root filesystem is writable",
    );
  });
});
