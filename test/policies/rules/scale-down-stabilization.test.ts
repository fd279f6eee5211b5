import { expectOnly } from './compliant';

describe('scale-down-stabilization', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'scale-down-stabilization',
      (o) => delete o.find((x) => x.kind === 'HorizontalPodAutoscaler').spec.behavior,
      'scale-down-stabilization: HorizontalPodAutoscaler/api: sets no scaleDown.stabilizationWindowSeconds',
    );
  });
});
