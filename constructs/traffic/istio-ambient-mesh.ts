import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Gateway } from '../../imports/gateway-api-gateways-gateway.networking.k8s.io';
import {
  DestinationRule,
  DestinationRuleSpec,
  DestinationRuleSpecTrafficPolicyLoadBalancerSimple,
  VirtualService,
  VirtualServiceSpec,
  VirtualServiceSpecHttp,
} from '../../imports/istio-networking.istio.io';
import { CALLEE_LABEL, CALLERS_ANNOTATION, IDEMPOTENT_ANNOTATION } from '../../manifests/labels';
import { RuleGroups } from '../observability/rule-groups';
import { WAYPOINT_STATS_MATCHER, dependencyAlertRules } from './dependency-rules';
import { MeshPolicy, ms, retryOn, routeTimeoutMs } from './mesh-policy';

/** Name of the namespace's waypoint proxy (a Gateway of class `istio-waypoint`). */
export const WAYPOINT_NAME = 'waypoint';

/** Where istiod runs. */
export const ISTIO_NAMESPACE = 'istio-system';

export { CALLEE_LABEL, CALLERS_ANNOTATION };

/** A called service as the mesh sees it. */
export interface MeshTarget {
  readonly policy: MeshPolicy;
  /** The Kubernetes Service the calls go to; it is labelled to use the waypoint. */
  readonly service: k8s.KubeService;
  readonly port: number;
}

export interface IstioAmbientMeshProps {
  readonly namespace: string;
  readonly targets: readonly MeshTarget[];
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * East-west traffic policy on Istio's ambient mode: ztunnel gives every pod of the namespace mTLS at L4 (the
 * namespace is enrolled by NamespaceBaseline), and one waypoint proxy applies L7 policy to the services that are
 * called: per called service, a DestinationRule (least-request load balancing, connection-pool limits as the circuit
 * breaker, outlier detection) and a VirtualService (route timeout, retries with backoff on the methods that may be
 * retried). Only called services go through the waypoint; the data tier stays on ztunnel alone.
 *
 * VirtualService, not HTTPRoute: HTTPRoute's `retry` is still experimental in Gateway API v1.6 (the standard channel
 * has no retry field), and Istio applies VirtualService on waypoints.
 *
 * @see https://istio.io/latest/docs/ambient/usage/waypoint/
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/
 */
export class IstioAmbientMesh extends Construct {
  public readonly waypoint: Gateway;
  /** The waypoint's egress to istiod for its configuration (xDS), through the namespace's default-deny. */
  public readonly waypointEgress: k8s.KubeNetworkPolicy;
  public readonly destinationRules: Readonly<Record<string, DestinationRule>>;
  public readonly virtualServices: Readonly<Record<string, VirtualService>>;
  /** Circuit-breaker overflows, upstream timeouts, retry rate and outlier ejections per called service. */
  public readonly alerts: RuleGroups;

  constructor(scope: Construct, id: string, props: IstioAmbientMeshProps) {
    super(scope, id);
    const labels = { ...(props.labels ?? {}) };
    this.waypoint = new Gateway(this, 'Waypoint', {
      metadata: { name: WAYPOINT_NAME, namespace: props.namespace, labels: { ...labels, 'istio.io/waypoint-for': 'service' } },
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
        // Envoy's retry and outlier-detection stats, which the dependency alerts read (off by default in Istio).
        infrastructure: {
          annotations: {
            'proxy.istio.io/config': JSON.stringify({ proxyStatsMatcher: { inclusionRegexps: [...WAYPOINT_STATS_MATCHER] } }),
          },
        },
      },
    });
    this.waypointEgress = new k8s.KubeNetworkPolicy(this, 'WaypointEgress', {
      metadata: { name: `${WAYPOINT_NAME}-istiod-egress`, namespace: props.namespace, labels },
      spec: {
        podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': WAYPOINT_NAME } },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ISTIO_NAMESPACE } } }],
            ports: [{ port: k8s.IntOrString.fromNumber(15012), protocol: 'TCP' }],
          },
        ],
      },
    });
    const rules: Record<string, DestinationRule> = {};
    const routes: Record<string, VirtualService> = {};
    for (const t of props.targets) {
      const name = t.policy.service;
      const host = `${name}.${props.namespace}.svc.cluster.local`;
      const metadata = {
        name,
        namespace: props.namespace,
        labels: { ...labels, [CALLEE_LABEL]: name },
        annotations: { [CALLERS_ANNOTATION]: t.policy.callers.join(',') },
      };
      rules[name] = new DestinationRule(this, `${name}-DestinationRule`, { metadata, spec: destinationRuleSpec(host, t.policy) });
      // Every method retried: say so on the route, which the retry-idempotent policy rule reads.
      const everyMethod = t.policy.attempts > 1 && t.policy.retriedMethods === 'all';
      const routeMeta = everyMethod ? { ...metadata, annotations: { ...metadata.annotations, [IDEMPOTENT_ANNOTATION]: 'true' } } : metadata;
      routes[name] = new VirtualService(this, `${name}-VirtualService`, {
        metadata: routeMeta,
        spec: virtualServiceSpec(host, t.port, t.policy),
      });
      t.service.metadata.addLabel('istio.io/use-waypoint', WAYPOINT_NAME);
    }
    this.destinationRules = rules;
    this.virtualServices = routes;
    this.alerts = new RuleGroups(this, 'Alerts', {
      name: 'dependencies',
      namespace: props.namespace,
      groups: [
        dependencyAlertRules(
          props.namespace,
          props.targets.map((t) => t.policy),
        ),
      ],
      labels,
    });
  }
}

/** Least-request balancing, the circuit breaker as connection-pool limits, and outlier detection below 100%. */
export function destinationRuleSpec(host: string, p: MeshPolicy): DestinationRuleSpec {
  const cb = p.circuitBreaker;
  const o = p.outlierDetection;
  return {
    host,
    trafficPolicy: {
      loadBalancer: { simple: DestinationRuleSpecTrafficPolicyLoadBalancerSimple.LEAST_UNDERSCORE_REQUEST },
      connectionPool: {
        tcp: { maxConnections: cb.maxConnections },
        http: {
          http1MaxPendingRequests: cb.maxPendingRequests,
          // HTTP/2 and gRPC multiplex: the limit on concurrent requests is the breaker there.
          http2MaxRequests: cb.maxConnections,
          maxRequestsPerConnection: cb.maxRequestsPerConnection,
        },
      },
      outlierDetection: {
        consecutive5XxErrors: o.consecutive5xxErrors,
        consecutiveGatewayErrors: o.consecutiveGatewayErrors,
        interval: ms(o.intervalMs),
        baseEjectionTime: ms(o.baseEjectionTimeMs),
        maxEjectionPercent: o.maxEjectionPercent,
      },
    },
  };
}

/**
 * Routes on the service's host: the retried methods with retries and a timeout covering every try and backoff; the
 * other methods (when some caller's calls may not be repeated) with one try and the per-try timeout.
 */
export function virtualServiceSpec(host: string, port: number, p: MeshPolicy): VirtualServiceSpec {
  const route = [{ destination: { host, port: { number: port } } }];
  const retried: VirtualServiceSpecHttp = {
    name: 'retried',
    route,
    timeout: ms(routeTimeoutMs(p, true)),
    retries: { attempts: p.attempts - 1, perTryTimeout: ms(p.perTryTimeoutMs), retryOn: retryOn(p), backoff: ms(p.backoffMs) },
  };
  const once: VirtualServiceSpecHttp = { name: 'once', route, timeout: ms(routeTimeoutMs(p, false)), retries: { attempts: 0 } };
  if (p.attempts <= 1) return { hosts: [host], http: [once] };
  if (p.retriedMethods === 'all') return { hosts: [host], http: [retried] };
  return { hosts: [host], http: [{ ...retried, match: p.retriedMethods.map((m) => ({ method: { exact: m } })) }, once] };
}
