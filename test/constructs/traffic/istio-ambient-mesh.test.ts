import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Problems } from '../../../constructs/core/errors';
import { CallGraphService, checkCallGraph } from '../../../constructs/traffic/call-graph';
import { Dependency } from '../../../constructs/traffic/dependency';
import { IstioAmbientMesh, virtualServiceSpec } from '../../../constructs/traffic/istio-ambient-mesh';
import { meshPolicies } from '../../../constructs/traffic/mesh-policy';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const svc = (name: string, dependencies: Dependency[] = []): CallGraphService => ({
  name,
  latencyThreshold: Duration.millis(200),
  replicasMax: 4,
  dependencies,
});

function policiesOf(services: CallGraphService[]) {
  const p = new Problems('prod');
  const g = checkCallGraph(p, services)!;
  p.throwIfAny();
  return meshPolicies(g);
}

describe('IstioAmbientMesh', () => {
  const chart = freshChart();
  const service = new k8s.KubeService(chart, 'audit', { metadata: { name: 'audit' }, spec: { ports: [{ port: 80 }] } });
  const [policy] = policiesOf([svc('api', [{ kind: 'service', service: 'audit', methods: ['GET', 'POST'] }]), svc('audit')]);
  const mesh = new IstioAmbientMesh(chart, 'mesh', { namespace: 'web', targets: [{ policy, service, port: 80 }] });
  const objects = objectsOf(chart) as Json[];

  it('runs one waypoint for the namespace and sends only the called services through it', () => {
    const waypoint = findObject(objects, 'Gateway', 'waypoint') as Json;
    expect(waypoint.spec.gatewayClassName).toBe('istio-waypoint');
    expect(waypoint.spec.listeners).toEqual([{ name: 'mesh', port: 15008, protocol: 'HBONE' }]);
    // The Envoy stats the dependency alerts read.
    expect(JSON.parse(waypoint.spec.infrastructure.annotations['proxy.istio.io/config']).proxyStatsMatcher.inclusionRegexps).toContain(
      '.*outlier_detection.*',
    );
    expect(mesh.alerts.groups[0].rules.map((r) => `${r.alert} ${r.labels?.callee}`)).toEqual([
      'DependencyCircuitBreakerOverflow audit',
      'DependencyUpstreamTimeouts audit',
      'DependencyRetryRateHigh audit',
      'DependencyOutlierEjections audit',
    ]);
    expect(findObject(objects, 'Service', 'audit').metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint' });
    expect(mesh.waypointEgress).toBeDefined();
  });

  it('balances by least request, breaks the circuit by connection-pool limits and never ejects every instance', () => {
    const dr = findObject(objects, 'DestinationRule', 'audit') as Json;
    expect(dr.metadata.labels['perfstack.io/callee']).toBe('audit');
    expect(dr.metadata.annotations['perfstack.io/callers']).toBe('api');
    expect(dr.spec).toEqual({
      host: 'audit.web.svc.cluster.local',
      trafficPolicy: {
        loadBalancer: { simple: 'LEAST_REQUEST' },
        connectionPool: {
          tcp: { maxConnections: 128 },
          http: { http1MaxPendingRequests: 192, http2MaxRequests: 128, maxRequestsPerConnection: 1000 },
        },
        outlierDetection: {
          consecutive5xxErrors: 5,
          consecutiveGatewayErrors: 3,
          interval: '10000ms',
          baseEjectionTime: '30000ms',
          maxEjectionPercent: 50,
        },
      },
    });
  });

  it('retries the idempotent methods with backoff and sends the others once, each route with its timeout', () => {
    const vs = findObject(objects, 'VirtualService', 'audit') as Json;
    expect(vs.spec.http).toEqual([
      {
        name: 'retried',
        match: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].map((m) => ({ method: { exact: m } })),
        route: [{ destination: { host: 'audit.web.svc.cluster.local', port: { number: 80 } } }],
        timeout: '1600ms',
        retries: { attempts: 2, perTryTimeout: '500ms', retryOn: 'connect-failure,refused-stream,reset,502,503,504', backoff: '25ms' },
      },
      {
        name: 'once',
        route: [{ destination: { host: 'audit.web.svc.cluster.local', port: { number: 80 } } }],
        timeout: '500ms',
        retries: { attempts: 0 },
      },
    ]);
  });

  it('validates against the Istio 1.30 and Gateway API v1.6 CRDs', () => {
    expect(objects.flatMap((o) => schemaValidator('1.35').validate(o))).toEqual([]);
  });

  it('renders one route when no call may be retried, and one without a method match when every call may', () => {
    const [once] = policiesOf([svc('api', [{ kind: 'service', service: 'audit', methods: ['POST'] }]), svc('audit')]);
    expect(virtualServiceSpec('h', 80, once).http!.map((r) => [r.name, r.retries, r.timeout])).toEqual([
      ['once', { attempts: 0 }, '500ms'],
    ]);
    const [all] = policiesOf([svc('api', [{ kind: 'service', service: 'audit', methods: ['POST'], idempotent: true }]), svc('audit')]);
    const routes = virtualServiceSpec('h', 80, all).http!;
    expect(routes.map((r) => [r.name, r.match])).toEqual([['retried', undefined]]);
  });
});
