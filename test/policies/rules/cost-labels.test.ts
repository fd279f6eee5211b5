import { expectOnly } from './compliant';

describe('cost-labels', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'cost-labels',
      (o) => delete o.find((x) => x.kind === 'Service').metadata.labels['cost-center'],
      "cost-labels: Service/api: has no 'cost-center' label",
    );
  });
});
