import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  LoadBalancerConfiguration,
  LoadBalancerConfigurationSpec,
  LoadBalancerConfigurationSpecScheme,
} from '../../imports/aws-lbc-loadbalancerconfigurations-gateway.k8s.aws';
import {
  TargetGroupConfiguration,
  TargetGroupConfigurationSpec,
  TargetGroupConfigurationSpecDefaultConfigurationHealthCheckConfigHealthCheckProtocol,
  TargetGroupConfigurationSpecDefaultConfigurationProtocolVersion,
  TargetGroupConfigurationSpecDefaultConfigurationTargetType,
} from '../../imports/aws-lbc-targetgroupconfigurations-gateway.k8s.aws';
import {
  BackendTrafficPolicy,
  BackendTrafficPolicySpec,
  BackendTrafficPolicySpecLoadBalancerType,
  BackendTrafficPolicySpecRetryRetryOnTriggers,
} from '../../imports/envoy-gateway-backendtrafficpolicies-gateway.envoyproxy.io';
import { GatewayClass } from '../../imports/gateway-api-gatewayclasses-gateway.networking.k8s.io';
import {
  Gateway,
  GatewaySpecListeners,
  GatewaySpecListenersAllowedRoutesNamespacesFrom,
  GatewaySpecListenersTlsMode,
} from '../../imports/gateway-api-gateways-gateway.networking.k8s.io';
import { GrpcRoute, GrpcRouteSpecRulesMatchesMethodType } from '../../imports/gateway-api-grpcroutes-gateway.networking.k8s.io';
import {
  HttpRoute,
  HttpRouteSpecRules,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
  HttpRouteSpecRulesMatchesMethod,
  HttpRouteSpecRulesMatchesPathType,
} from '../../imports/gateway-api-httproutes-gateway.networking.k8s.io';
import { CALLEE_LABEL } from '../../manifests/labels';
import { ALB_SSL_POLICY, INGRESS_NAME, IngressSettings, tlsSecretName } from '../platform/ingress';
import { EdgePolicy } from './edge-policy';
import { ms } from './mesh-policy';

/**
 * North-south traffic through Gateway API (v1.6, standard channel): one Gateway for the environment's hosts and a
 * route per public service, carrying the edge's timeouts. On EKS the AWS Load Balancer Controller v3 provisions an
 * ALB from it (LoadBalancerConfiguration: scheme, ACM certificate, TLS policy, HTTP/2; TargetGroupConfiguration per
 * service: health checks from the readiness probe, deregistration delay equal to the preStop drain). On-prem Envoy
 * Gateway serves it, with a BackendTrafficPolicy per route for what the standard channel lacks: retries with
 * exponential backoff, the circuit breaker, passive health checks (outlier detection) and least-request balancing.
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/
 * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/gateway/gateway/
 * @see https://gateway.envoyproxy.io/docs/api/extension_types/#backendtrafficpolicy
 */

/** Which controller serves the Gateway. */
export type EdgeImplementation = 'aws-load-balancer-controller' | 'envoy-gateway';

/** GatewayClass name and controller of each implementation. */
export const GATEWAY_CLASSES: Readonly<Record<EdgeImplementation, { readonly name: string; readonly controllerName: string }>> = {
  'aws-load-balancer-controller': { name: 'aws-alb', controllerName: 'gateway.k8s.aws/alb' },
  'envoy-gateway': { name: 'envoy-gateway', controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
};

/** Where Envoy Gateway runs its controller and the Envoy proxies of every Gateway (its default deployment mode). */
export const ENVOY_GATEWAY_NAMESPACE = 'envoy-gateway-system';

/** Who may reach public services behind Envoy Gateway: its proxies, from their namespace. */
export const ENVOY_PROXY_PEER: k8s.NetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ENVOY_GATEWAY_NAMESPACE } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/managed-by': 'envoy-gateway' } },
};

/** The Gateway's name (the Ingress's, so DNS records and docs keep one name). */
export const GATEWAY_NAME = INGRESS_NAME;

/** One public service behind the Gateway. */
export interface EdgeRoute {
  /** Path prefix (`/api`, `/`) of an HTTP service; longer prefixes win. */
  readonly path: string;
  readonly serviceName: string;
  readonly servicePort: number;
  readonly policy: EdgePolicy;
  /** The fully qualified gRPC services (`package.Service`) it serves: a GRPCRoute instead of an HTTPRoute. @default - HTTP */
  readonly grpcServices?: readonly string[];
  /** HTTP/2 (cleartext) to the pods. @default false - HTTP/1.1 (gRPC always uses HTTP/2) */
  readonly http2?: boolean;
  /** The pods' readiness probe: the ALB's health check follows it. */
  readonly readinessProbe: k8s.Probe;
  /** The pods' preStop delay: the target group's deregistration delay waits as long. */
  readonly drainDelaySeconds: number;
}

export interface EdgeGatewayProps {
  readonly namespace: string;
  readonly settings: IngressSettings;
  readonly implementation: EdgeImplementation;
  readonly routes: readonly EdgeRoute[];
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const HTTPS_PORT = 443;

/** Listener name of each host (`https-0`, ...), in `hosts` order. */
export function httpsListenerName(i: number): string {
  return `https-${i}`;
}

/**
 * The Gateway's listeners: HTTPS per host (cert-manager's gateway-shim needs the hostname to issue for it; Envoy
 * terminates TLS with the Secret), and HTTP on port 80 for the redirect only. On the ALB the certificate comes from
 * ACM through the LoadBalancerConfiguration, so its listeners carry no `tls`.
 */
export function gatewayListeners(settings: IngressSettings, implementation: EdgeImplementation): GatewaySpecListeners[] {
  const secret = tlsSecretName(settings);
  const https = settings.hosts.map((hostname, i): GatewaySpecListeners => ({
    name: httpsListenerName(i),
    hostname,
    port: HTTPS_PORT,
    protocol: 'HTTPS',
    allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
    ...(implementation === 'envoy-gateway' && secret
      ? { tls: { mode: GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ name: secret }] } }
      : {}),
  }));
  return [
    ...https,
    {
      name: 'http',
      port: 80,
      protocol: 'HTTP',
      allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
    },
  ];
}

/**
 * An HTTP service's route rules: the idempotent methods with the edge's retries (`retried`), the others with one try
 * (`once`), each with `timeouts.request` (the service's budget) and `timeouts.backendRequest` (one try). A method
 * match outranks a path-only match on the same prefix, so `once` takes only what `retried` leaves.
 */
export function httpRouteRules(r: EdgeRoute): HttpRouteSpecRules[] {
  const p = r.policy;
  const backendRefs = [{ name: r.serviceName, port: r.servicePort }];
  const path = { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: r.path };
  const once: HttpRouteSpecRules = {
    name: 'once',
    matches: [{ path }],
    timeouts: { request: ms(p.requestTimeoutMs), backendRequest: ms(p.requestTimeoutMs) },
    backendRefs,
  };
  if (p.attempts <= 1) return [once];
  const methods = p.retriedMethods === 'all' ? [] : p.retriedMethods;
  return [
    {
      name: 'retried',
      matches: methods.map((m) => ({ path, method: m as HttpRouteSpecRulesMatchesMethod })),
      timeouts: { request: ms(p.requestTimeoutMs), backendRequest: ms(p.perTryTimeoutMs) },
      backendRefs,
    },
    once,
  ];
}

/**
 * Envoy Gateway's policy for one rule: retries (only on the `retried` rule) with Envoy's fully jittered exponential
 * backoff from the policy's base, capped at 10 x base; the request timeout; the circuit breaker; passive health checks
 * (outlier detection, never ejecting every instance); least-request balancing.
 */
export function backendTrafficPolicySpec(
  kind: 'HTTPRoute' | 'GRPCRoute',
  name: string,
  rule: 'retried' | 'once',
  p: EdgePolicy,
): BackendTrafficPolicySpec {
  const cb = p.circuitBreaker;
  const o = p.outlierDetection;
  const triggers = [
    BackendTrafficPolicySpecRetryRetryOnTriggers.CONNECT_HYPHEN_FAILURE,
    BackendTrafficPolicySpecRetryRetryOnTriggers.REFUSED_HYPHEN_STREAM,
    BackendTrafficPolicySpecRetryRetryOnTriggers.RESET,
    BackendTrafficPolicySpecRetryRetryOnTriggers.RETRIABLE_HYPHEN_STATUS_HYPHEN_CODES,
    ...(p.protocol === 'grpc' ? [BackendTrafficPolicySpecRetryRetryOnTriggers.UNAVAILABLE] : []),
  ];
  return {
    targetRefs: [{ group: GATEWAY_GROUP, kind, name, sectionName: rule }],
    loadBalancer: { type: BackendTrafficPolicySpecLoadBalancerType.LEAST_REQUEST },
    circuitBreaker: {
      maxConnections: cb.maxConnections,
      maxPendingRequests: cb.maxPendingRequests,
      // HTTP/2 and gRPC multiplex: concurrent requests are the breaker there, as in the mesh.
      maxParallelRequests: cb.maxConnections,
      maxRequestsPerConnection: cb.maxRequestsPerConnection,
    },
    healthCheck: {
      passive: {
        consecutive5XxErrors: o.consecutive5xxErrors,
        consecutiveGatewayErrors: o.consecutiveGatewayErrors,
        interval: ms(o.intervalMs),
        baseEjectionTime: ms(o.baseEjectionTimeMs),
        maxEjectionPercent: o.maxEjectionPercent,
      },
    },
    timeout: { http: { requestTimeout: ms(p.requestTimeoutMs) } },
    retry:
      rule === 'retried'
        ? {
            numRetries: p.attempts - 1,
            retryOn: { triggers, httpStatusCodes: [...p.statusCodes] },
            perRetry: { timeout: ms(p.perTryTimeoutMs), backOff: { baseInterval: ms(p.backoffMs), maxInterval: ms(p.backoffMs * 10) } },
          }
        : // Envoy Gateway retries twice when `retry` is present without numRetries: say none.
          { numRetries: 0 },
  };
}

/**
 * The ALB's health check from the readiness probe: same path and port, its period (5 s at least, the ALB's minimum),
 * its timeout (kept below the period), its failure threshold (2 to 10); healthy after 2 successes (the ALB's minimum);
 * any 2xx or 3xx succeeds, as for the kubelet.
 */
export function albHealthCheck(probe: k8s.Probe) {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const interval = clamp(probe.periodSeconds ?? 10, 5, 300);
  return {
    healthCheckPath: probe.httpGet?.path ?? '/',
    healthCheckPort: 'traffic-port',
    healthCheckProtocol: TargetGroupConfigurationSpecDefaultConfigurationHealthCheckConfigHealthCheckProtocol.HTTP,
    healthCheckInterval: interval,
    healthCheckTimeout: clamp(Math.min(probe.timeoutSeconds ?? 1, interval - 1), 2, 120),
    healthyThresholdCount: clamp(probe.successThreshold ?? 1, 2, 10),
    unhealthyThresholdCount: clamp(probe.failureThreshold ?? 3, 2, 10),
    matcher: { httpCode: '200-399' },
  };
}

/** The target group of one service: pod IPs as targets, health check from readiness, deregistration = preStop drain. */
export function targetGroupConfigurationSpec(r: EdgeRoute): TargetGroupConfigurationSpec {
  const version = r.grpcServices ? 'GRPC' : r.http2 ? 'HTTP2' : 'HTTP1';
  return {
    targetReference: { kind: 'Service', name: r.serviceName },
    defaultConfiguration: {
      targetType: TargetGroupConfigurationSpecDefaultConfigurationTargetType.IP,
      protocolVersion: version as TargetGroupConfigurationSpecDefaultConfigurationProtocolVersion,
      healthCheckConfig: albHealthCheck(r.readinessProbe),
      targetGroupAttributes: [
        { key: 'deregistration_delay.timeout_seconds', value: String(r.drainDelaySeconds) },
        { key: 'load_balancing.algorithm.type', value: 'least_outstanding_requests' },
      ],
    },
  };
}

/** The ALB: internet-facing, HTTPS with the ACM certificate and the TLS 1.3 policy, HTTP/2 to clients. */
export function loadBalancerConfigurationSpec(settings: IngressSettings): LoadBalancerConfigurationSpec {
  return {
    scheme: LoadBalancerConfigurationSpecScheme.INTERNET_HYPHEN_FACING,
    listenerConfigurations: [
      {
        protocolPort: `HTTPS:${HTTPS_PORT}`,
        ...(settings.tls.kind === 'acm' ? { defaultCertificate: settings.tls.certificateArn } : {}),
        sslPolicy: ALB_SSL_POLICY,
      },
    ],
    loadBalancerAttributes: [
      { key: 'routing.http2.enabled', value: 'true' },
      { key: 'idle_timeout.timeout_seconds', value: '60' },
    ],
  };
}

/**
 * The environment's Gateway, its class, a route per public service and what the implementation needs beside them.
 * Children are exposed for tuning.
 */
export class EdgeGateway extends Construct {
  public readonly gatewayClass: GatewayClass;
  public readonly gateway: Gateway;
  public readonly httpRoutes: Readonly<Record<string, HttpRoute>>;
  public readonly grpcRoutes: Readonly<Record<string, GrpcRoute>>;
  /** HTTP to HTTPS, 301. */
  public readonly redirect: HttpRoute;
  /** Envoy Gateway: the edge's retries, timeouts, circuit breaker and outlier detection, per route rule. */
  public readonly backendTrafficPolicies: Readonly<Record<string, BackendTrafficPolicy>>;
  /** AWS: the ALB's settings. */
  public readonly loadBalancerConfiguration?: LoadBalancerConfiguration;
  /** AWS: each service's target group settings. */
  public readonly targetGroupConfigurations: Readonly<Record<string, TargetGroupConfiguration>>;
  /** The Secret the listeners terminate TLS with, where it lives in the cluster. */
  public readonly tlsSecretName?: string;

  constructor(scope: Construct, id: string, props: EdgeGatewayProps) {
    super(scope, id);
    const labels = { ...(props.labels ?? {}) };
    const aws = props.implementation === 'aws-load-balancer-controller';
    const s = props.settings;
    const cls = GATEWAY_CLASSES[props.implementation];
    const meta = (name: string, extra: Record<string, string> = {}) => ({
      name,
      namespace: props.namespace,
      labels: { ...labels, ...extra },
    });
    this.tlsSecretName = aws ? undefined : tlsSecretName(s);

    this.gatewayClass = new GatewayClass(this, 'GatewayClass', {
      metadata: { name: cls.name, labels },
      spec: { controllerName: cls.controllerName },
    });
    if (aws) {
      this.loadBalancerConfiguration = new LoadBalancerConfiguration(this, 'LoadBalancerConfiguration', {
        metadata: meta(GATEWAY_NAME),
        spec: loadBalancerConfigurationSpec(s),
      });
    }
    const annotations: Record<string, string> = {};
    // cert-manager's gateway-shim issues one Certificate for the listeners that name the Secret.
    if (!aws && s.tls.kind === 'cert-manager') annotations['cert-manager.io/cluster-issuer'] = s.tls.clusterIssuer;
    this.gateway = new Gateway(this, 'Gateway', {
      metadata: { ...meta(GATEWAY_NAME), annotations },
      spec: {
        gatewayClassName: cls.name,
        listeners: gatewayListeners(s, props.implementation),
        ...(aws
          ? { infrastructure: { parametersRef: { group: 'gateway.k8s.aws', kind: 'LoadBalancerConfiguration', name: GATEWAY_NAME } } }
          : {}),
      },
    });

    const httpsParents = s.hosts.map((_, i) => ({ name: GATEWAY_NAME, sectionName: httpsListenerName(i) }));
    // Only the origin name for external-dns: the other hosts (the CDN's aliases) point at the CDN.
    const dnsAnnotations: Record<string, string> = s.dns
      ? {
          'external-dns.alpha.kubernetes.io/gateway-hostname-source': 'annotation-only',
          'external-dns.alpha.kubernetes.io/hostname': s.dns.hostname,
        }
      : {};
    this.redirect = new HttpRoute(this, 'HttpsRedirect', {
      metadata: meta(`${GATEWAY_NAME}-https-redirect`),
      spec: {
        parentRefs: [{ name: GATEWAY_NAME, sectionName: 'http' }],
        hostnames: [...s.hosts],
        rules: [
          {
            name: 'redirect',
            filters: [
              {
                type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
                requestRedirect: {
                  scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS,
                  statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301,
                },
              },
            ],
            // The gateway answers itself; bounded like every route.
            timeouts: { request: '1s' },
          },
        ],
      },
    });

    const httpRoutes: Record<string, HttpRoute> = {};
    const grpcRoutes: Record<string, GrpcRoute> = {};
    const policies: Record<string, BackendTrafficPolicy> = {};
    const tgcs: Record<string, TargetGroupConfiguration> = {};
    for (const r of [...props.routes].sort((a, b) => b.path.length - a.path.length)) {
      const name = r.serviceName;
      const routeMeta = { ...meta(name, { [CALLEE_LABEL]: name }), annotations: dnsAnnotations };
      let rules: readonly ('retried' | 'once')[];
      if (r.grpcServices) {
        grpcRoutes[name] = new GrpcRoute(this, `${name}-GrpcRoute`, {
          metadata: routeMeta,
          spec: {
            parentRefs: httpsParents,
            hostnames: [...s.hosts],
            rules: [
              {
                name: 'once',
                matches: r.grpcServices.map((service) => ({ method: { type: GrpcRouteSpecRulesMatchesMethodType.EXACT, service } })),
                backendRefs: [{ name, port: r.servicePort }],
              },
            ],
          },
        });
        rules = ['once'];
      } else {
        const spec = httpRouteRules(r);
        httpRoutes[name] = new HttpRoute(this, `${name}-HttpRoute`, {
          metadata: routeMeta,
          spec: { parentRefs: httpsParents, hostnames: [...s.hosts], rules: spec },
        });
        rules = spec.map((x) => x.name as 'retried' | 'once');
      }
      if (aws) {
        tgcs[name] = new TargetGroupConfiguration(this, `${name}-TargetGroupConfiguration`, {
          metadata: meta(name, { [CALLEE_LABEL]: name }),
          spec: targetGroupConfigurationSpec(r),
        });
      } else {
        for (const rule of rules) {
          const policyName = rule === 'once' ? name : `${name}-${rule}`;
          policies[policyName] = new BackendTrafficPolicy(this, `${policyName}-BackendTrafficPolicy`, {
            metadata: meta(policyName, { [CALLEE_LABEL]: name }),
            spec: backendTrafficPolicySpec(r.grpcServices ? 'GRPCRoute' : 'HTTPRoute', name, rule, r.policy),
          });
        }
      }
    }
    this.httpRoutes = httpRoutes;
    this.grpcRoutes = grpcRoutes;
    this.backendTrafficPolicies = policies;
    this.targetGroupConfigurations = tgcs;
  }
}
