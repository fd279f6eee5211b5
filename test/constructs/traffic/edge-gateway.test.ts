import { Chart, Testing } from 'cdk8s';
import { IngressSettings } from '../../../constructs/platform/ingress';
import {
  ENVOY_PROXY_PEER,
  EdgeGateway,
  EdgeImplementation,
  EdgeRoute,
  albHealthCheck,
  backendTrafficPolicySpec,
  httpRouteRules,
} from '../../../constructs/traffic/edge-gateway';
import { EdgePolicy } from '../../../constructs/traffic/edge-policy';
import { ENVIRONMENTS } from '../../../stacks/environments';
import { buildPlatform } from '../../../stacks/platform';

const policy = (over: Partial<EdgePolicy> = {}): EdgePolicy => ({
  service: 'web',
  callers: ['edge'],
  protocol: 'http',
  perTryTimeoutMs: 500,
  attempts: 3,
  backoffMs: 25,
  statusCodes: [502, 503, 504],
  retriedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'],
  circuitBreaker: { maxConnections: 192, maxPendingRequests: 288, maxRequestsPerConnection: 1000 },
  outlierDetection: {
    consecutive5xxErrors: 5,
    consecutiveGatewayErrors: 3,
    intervalMs: 10000,
    baseEjectionTimeMs: 30000,
    maxEjectionPercent: 50,
  },
  requestTimeoutMs: 2000,
  ...over,
});

const route = (over: Partial<EdgeRoute> = {}): EdgeRoute => ({
  path: '/',
  serviceName: 'web',
  servicePort: 80,
  policy: policy(),
  readinessProbe: {
    httpGet: { path: '/readyz', port: { value: 'http' } as never },
    periodSeconds: 5,
    timeoutSeconds: 2,
    failureThreshold: 3,
    successThreshold: 1,
  },
  drainDelaySeconds: 10,
  ...over,
});

const acm: IngressSettings = {
  hosts: ['www.example.com', 'origin.example.com'],
  tls: { kind: 'acm', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000' },
};
const site: IngressSettings = { hosts: ['web.site.internal'], tls: { kind: 'cert-manager', clusterIssuer: 'site-ca' } };

function synth(implementation: EdgeImplementation, settings: IngressSettings, routes: EdgeRoute[]) {
  const chart = new Chart(Testing.app(), 'test');
  new EdgeGateway(chart, 'Edge', { namespace: 'web', settings, implementation, routes });
  const objects = Testing.synth(chart);
  const all = (kind: string) => objects.filter((o) => o.kind === kind);
  const one = (kind: string, name?: string) => all(kind).find((o) => name === undefined || o.metadata.name === name);
  return { objects, all, one };
}

describe('httpRouteRules', () => {
  it('retries only the idempotent methods, with the per-try timeout as backendRequest and the budget as request', () => {
    const [retried, once] = httpRouteRules(route());
    expect(retried.name).toBe('retried');
    expect(retried.matches!.map((m) => m.method)).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
    expect(retried.timeouts).toEqual({ request: '2000ms', backendRequest: '500ms' });
    expect(once).toMatchObject({ name: 'once', matches: [{ path: { type: 'PathPrefix', value: '/' } }] });
    expect(once.timeouts).toEqual({ request: '2000ms', backendRequest: '2000ms' });
  });

  it('has one rule, with one try over the whole budget, when no retry is left', () => {
    const rules = httpRouteRules(route({ policy: policy({ attempts: 1, perTryTimeoutMs: 2000 }) }));
    expect(rules.map((r) => r.name)).toEqual(['once']);
  });
});

describe('backendTrafficPolicySpec', () => {
  it("carries the edge's retries with exponential backoff, timeout, circuit breaker, outlier detection and least request", () => {
    const spec = backendTrafficPolicySpec('HTTPRoute', 'web', 'retried', policy());
    expect(spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'web', sectionName: 'retried' }]);
    expect(spec.retry).toEqual({
      numRetries: 2,
      retryOn: { triggers: ['connect-failure', 'refused-stream', 'reset', 'retriable-status-codes'], httpStatusCodes: [502, 503, 504] },
      perRetry: { timeout: '500ms', backOff: { baseInterval: '25ms', maxInterval: '250ms' } },
    });
    expect(spec.timeout).toEqual({ http: { requestTimeout: '2000ms' } });
    expect(spec.circuitBreaker).toEqual({
      maxConnections: 192,
      maxPendingRequests: 288,
      maxParallelRequests: 192,
      maxRequestsPerConnection: 1000,
    });
    expect(spec.healthCheck!.passive).toEqual({
      consecutive5XxErrors: 5,
      consecutiveGatewayErrors: 3,
      interval: '10000ms',
      baseEjectionTime: '30000ms',
      maxEjectionPercent: 50,
    });
    expect(spec.loadBalancer).toEqual({ type: 'LeastRequest' });
  });

  it('says no retry on the once rule (Envoy Gateway would retry twice by default)', () => {
    expect(backendTrafficPolicySpec('HTTPRoute', 'web', 'once', policy()).retry).toEqual({ numRetries: 0 });
  });
});

describe('albHealthCheck', () => {
  it('follows the readiness probe: path, period, timeout and failure threshold, within the ALB minimums', () => {
    expect(albHealthCheck(route().readinessProbe)).toEqual({
      healthCheckPath: '/readyz',
      healthCheckPort: 'traffic-port',
      healthCheckProtocol: 'HTTP',
      healthCheckInterval: 5,
      healthCheckTimeout: 2,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
      matcher: { httpCode: '200-399' },
    });
    expect(
      albHealthCheck({ httpGet: { path: '/r', port: 8080 as never }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 1 }),
    ).toMatchObject({
      healthCheckInterval: 5,
      healthCheckTimeout: 2,
      unhealthyThresholdCount: 2,
    });
  });
});

describe('EdgeGateway on EKS (AWS Load Balancer Controller)', () => {
  const routes = [
    route(),
    route({
      path: '/api',
      serviceName: 'api-gateway',
      policy: policy({ service: 'api-gateway', attempts: 1, perTryTimeoutMs: 2000 }),
      http2: true,
    }),
  ];
  const { one, all } = synth('aws-load-balancer-controller', acm, routes);

  it('uses the controller GatewayClass and a LoadBalancerConfiguration with the ACM certificate, TLS policy and HTTP/2', () => {
    expect(one('GatewayClass').spec).toEqual({ controllerName: 'gateway.k8s.aws/alb' });
    const gw = one('Gateway');
    expect(gw.spec.infrastructure.parametersRef).toEqual({ group: 'gateway.k8s.aws', kind: 'LoadBalancerConfiguration', name: 'platform' });
    expect(gw.spec.listeners.map((l: { name: string; hostname?: string; tls?: unknown }) => [l.name, l.hostname, l.tls])).toEqual([
      ['https-0', 'www.example.com', undefined],
      ['https-1', 'origin.example.com', undefined],
      ['http', undefined, undefined],
    ]);
    const lb = one('LoadBalancerConfiguration').spec;
    expect(lb.scheme).toBe('internet-facing');
    expect(lb.listenerConfigurations).toEqual([
      {
        protocolPort: 'HTTPS:443',
        defaultCertificate: (acm.tls as { certificateArn: string }).certificateArn,
        sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      },
    ]);
    expect(lb.loadBalancerAttributes).toContainEqual({ key: 'routing.http2.enabled', value: 'true' });
  });

  it('gives each service a target group with pod targets, the readiness health check and deregistration = preStop drain', () => {
    const web = one('TargetGroupConfiguration', 'web').spec;
    expect(web.targetReference).toEqual({ kind: 'Service', name: 'web' });
    expect(web.defaultConfiguration).toMatchObject({
      targetType: 'ip',
      protocolVersion: 'HTTP1',
      healthCheckConfig: { healthCheckPath: '/readyz' },
    });
    expect(web.defaultConfiguration.targetGroupAttributes).toContainEqual({ key: 'deregistration_delay.timeout_seconds', value: '10' });
    expect(one('TargetGroupConfiguration', 'api-gateway').spec.defaultConfiguration.protocolVersion).toBe('HTTP2');
  });

  it('writes no BackendTrafficPolicy (Envoy Gateway only) and routes the longer prefix first on every HTTPS listener', () => {
    expect(all('BackendTrafficPolicy')).toEqual([]);
    const routesOut = all('HTTPRoute').filter((r) => r.metadata.name !== 'platform-https-redirect');
    expect(routesOut.map((r) => r.metadata.name)).toEqual(['api-gateway', 'web']);
    expect(routesOut[0].spec.parentRefs).toEqual([
      { name: 'platform', sectionName: 'https-0' },
      { name: 'platform', sectionName: 'https-1' },
    ]);
  });

  it('redirects HTTP to HTTPS on the http listener only', () => {
    const redirect = one('HTTPRoute', 'platform-https-redirect').spec;
    expect(redirect.parentRefs).toEqual([{ name: 'platform', sectionName: 'http' }]);
    expect(redirect.rules[0].filters[0]).toEqual({ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } });
  });
});

describe('EdgeGateway on-prem (Envoy Gateway)', () => {
  const grpc = route({
    path: '/',
    serviceName: 'orders',
    servicePort: 8081,
    grpcServices: ['shop.v1.Orders'],
    policy: policy({ service: 'orders', protocol: 'grpc', attempts: 1, perTryTimeoutMs: 2000 }),
  });
  const { one, all } = synth('envoy-gateway', site, [route(), grpc]);

  it("terminates TLS with the Secret cert-manager's gateway-shim issues from the ClusterIssuer annotation", () => {
    const gw = one('Gateway');
    expect(one('GatewayClass').spec.controllerName).toBe('gateway.envoyproxy.io/gatewayclass-controller');
    expect(gw.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'site-ca' });
    expect(gw.spec.listeners[0]).toMatchObject({
      hostname: 'web.site.internal',
      protocol: 'HTTPS',
      tls: { mode: 'Terminate', certificateRefs: [{ name: 'platform-tls' }] },
    });
    expect(gw.spec.infrastructure).toBeUndefined();
    expect(all('LoadBalancerConfiguration')).toEqual([]);
  });

  it('attaches a BackendTrafficPolicy to each route rule: retries on the retried rule only', () => {
    const names = all('BackendTrafficPolicy').map((p) => [p.metadata.name, p.spec.targetRefs[0].sectionName, p.spec.retry.numRetries]);
    expect(names).toEqual([
      ['web-retried', 'retried', 2],
      ['web', 'once', 0],
      ['orders', 'once', 0],
    ]);
  });

  it('routes a gRPC service with a GRPCRoute matched by gRPC service, its policy attached to the GRPCRoute', () => {
    const r = one('GRPCRoute', 'orders').spec;
    expect(r.rules[0].matches).toEqual([{ method: { type: 'Exact', service: 'shop.v1.Orders' } }]);
    expect(r.rules[0].backendRefs).toEqual([{ name: 'orders', port: 8081 }]);
    expect(one('BackendTrafficPolicy', 'orders').spec.targetRefs[0].kind).toBe('GRPCRoute');
    expect(all('HTTPRoute').map((h) => h.metadata.name)).not.toContain('orders');
  });
});

describe('the environments', () => {
  it('let Envoy Gateway reach the public services of airgap, and only those, through the default-deny', () => {
    const platform = buildPlatform(ENVIRONMENTS.airgap);
    const peers = (name: string) =>
      platform.services[name].networkPolicy.toJson().spec.ingress.flatMap((r: { from?: unknown[] }) => r.from ?? []);
    expect(peers('web')).toContainEqual(ENVOY_PROXY_PEER);
    expect(peers('api-gateway')).toContainEqual(ENVOY_PROXY_PEER);
    expect(peers('audit-service')).not.toContainEqual(ENVOY_PROXY_PEER);
    expect(platform.gateway!.gatewayClass.toJson().metadata.name).toBe('envoy-gateway');
  });

  it('serve prod through the AWS Load Balancer Controller with the environment certificate and DNS name', () => {
    const platform = buildPlatform(ENVIRONMENTS.prod);
    const lb = platform.gateway!.loadBalancerConfiguration!.toJson();
    expect(lb.spec.listenerConfigurations[0].defaultCertificate).toBe(
      (ENVIRONMENTS.prod.ingress!.tls as { certificateArn: string }).certificateArn,
    );
    const web = platform.gateway!.httpRoutes['web'].toJson();
    expect(web.metadata.annotations['external-dns.alpha.kubernetes.io/hostname']).toBe('origin.perfstack.dev');
    // The drain of the pods, whatever it is set to.
    const drain = platform.services['web'].drainDelay.toSeconds();
    expect(platform.gateway!.targetGroupConfigurations['web'].toJson().spec.defaultConfiguration.targetGroupAttributes).toContainEqual({
      key: 'deregistration_delay.timeout_seconds',
      value: String(drain),
    });
  });
});
