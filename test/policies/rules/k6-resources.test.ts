import { expectOnly } from './compliant';

describe('k6-resources', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'k6-resources',
      (o) => delete o.find((x) => x.kind === 'TestRun').spec.runner,
      'k6-resources: TestRun/lt: spec.runner.resources.requests must set cpu and memory',
    );
  });
});
