import { expectOnly } from './compliant';

describe('alert-annotations', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'alert-annotations',
      (o) => delete o.find((x) => x.kind === 'PrometheusRule').spec.groups[0].rules[0].annotations.runbook_url,
      "alert-annotations: PrometheusRule/api: alert 'A' in group 'g' has no runbook_url annotation",
    );
  });
});
