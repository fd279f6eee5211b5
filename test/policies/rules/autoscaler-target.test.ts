import { expectOnly } from './compliant';

describe('autoscaler-target', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'autoscaler-target',
      (o) => (o.find((x) => x.kind === 'HorizontalPodAutoscaler').spec.scaleTargetRef.name = 'apii'),
      "autoscaler-target: HorizontalPodAutoscaler/api: targets Deployment 'apii', which is not among the objects",
    );
  });
});
