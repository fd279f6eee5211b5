import { destinationRule, expectOnly, virtualService } from './compliant';

describe('mesh-dependency-policy', () => {
  it('reports a called service without outlier detection', () => {
    expectOnly(
      'mesh-dependency-policy',
      (o) => delete destinationRule(o).spec.trafficPolicy.outlierDetection,
      "mesh-dependency-policy: Service/api: DestinationRule 'api' has no outlierDetection: failing instances are never ejected",
    );
  });

  it('reports a called service without connection-pool limits', () => {
    expectOnly(
      'mesh-dependency-policy',
      (o) => delete destinationRule(o).spec.trafficPolicy.connectionPool.http,
      "mesh-dependency-policy: Service/api: DestinationRule 'api' sets no connection-pool limits (maxConnections, http1MaxPendingRequests): no circuit breaker",
    );
  });

  it('reports a called service with no DestinationRule for its host', () => {
    expectOnly(
      'mesh-dependency-policy',
      (o) => (destinationRule(o).spec.host = 'other.web.svc.cluster.local'),
      'mesh-dependency-policy: Service/api: no DestinationRule for its host: no circuit breaker and no outlier detection',
    );
  });

  it('reports a called service no VirtualService routes, so no timeout applies', () => {
    expectOnly(
      'mesh-dependency-policy',
      (o) => (virtualService(o).spec.hosts = ['api.other.svc.cluster.local']),
      'mesh-dependency-policy: Service/api: no VirtualService routes its host, so no timeout applies to its callers',
    );
  });
});
