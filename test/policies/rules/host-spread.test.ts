import { dep, expectOnly } from './compliant';

describe('host-spread', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'host-spread',
      (o) => dep(o).spec.template.spec.topologySpreadConstraints.pop(),
      'host-spread: Deployment/api: no hostname anti-affinity or topology spread',
    );
  });
});
