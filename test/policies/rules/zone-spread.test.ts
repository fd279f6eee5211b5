import { dep, expectOnly } from './compliant';

describe('zone-spread', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'zone-spread',
      (o) => dep(o).spec.template.spec.topologySpreadConstraints.shift(),
      'zone-spread: Deployment/api: no topology spread constraint or anti-affinity over topology.kubernetes.io/zone',
    );
  });
});
