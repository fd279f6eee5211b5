import { expectOnly } from './compliant';

describe('vpa-autoscaler-conflict', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'vpa-autoscaler-conflict',
      (o) => delete o.find((x) => x.kind === 'VerticalPodAutoscaler').spec.resourcePolicy,
      "vpa-autoscaler-conflict: VerticalPodAutoscaler/api: updateMode Initial controls cpu, which an autoscaler of Deployment 'api' scales on",
    );
  });
});
