import { destinationRule, edgePolicy, expectOnly } from './compliant';

describe('max-ejection-percent', () => {
  it('reports outlier detection that may eject every instance', () => {
    expectOnly(
      'max-ejection-percent',
      (o) => (destinationRule(o).spec.trafficPolicy.outlierDetection.maxEjectionPercent = 100),
      'max-ejection-percent: DestinationRule/api: trafficPolicy outlierDetection.maxEjectionPercent is 100: every instance can be ejected; use 50 or less',
    );
  });

  it('reads subsets and port-level settings too', () => {
    expectOnly(
      'max-ejection-percent',
      (o) =>
        (destinationRule(o).spec.subsets = [
          { name: 'v2', trafficPolicy: { portLevelSettings: [{ outlierDetection: { maxEjectionPercent: 100 } }] } },
        ]),
      "max-ejection-percent: DestinationRule/api: subset 'v2' outlierDetection.maxEjectionPercent is 100: every instance can be ejected; use 50 or less",
    );
  });

  it("reports an edge BackendTrafficPolicy's passive health check that may eject every instance", () => {
    expectOnly(
      'max-ejection-percent',
      (o) => (edgePolicy(o, 'edge-web').spec.healthCheck.passive.maxEjectionPercent = 100),
      'max-ejection-percent: BackendTrafficPolicy/edge-web: healthCheck.passive.maxEjectionPercent is 100: every instance can be ejected; use 50 or less',
    );
  });
});
