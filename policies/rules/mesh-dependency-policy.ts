import { Rule } from '../types';

/** Labels that send a Service's traffic through an Istio waypoint: it is a dependency the mesh applies policy to. */
const USES_WAYPOINT = 'istio.io/use-waypoint';

const hostsOf = (o: { metadata: { name: string; namespace?: string } }) => {
  const ns = o.metadata.namespace ?? 'default';
  return [o.metadata.name, `${o.metadata.name}.${ns}`, `${o.metadata.name}.${ns}.svc`, `${o.metadata.name}.${ns}.svc.cluster.local`];
};

export const meshDependencyPolicy: Rule = {
  id: 'mesh-dependency-policy',
  title: 'A service called through the mesh has a timeout, a circuit breaker and outlier detection',
  severity: 'error',
  rationale:
    'Without a route timeout a slow dependency holds its callers until they time out themselves; without connection-pool limits ' +
    'and outlier detection one bad instance keeps receiving its share of requests and callers pile up.',
  url: 'https://istio.io/latest/docs/tasks/traffic-management/circuit-breaking/',
  check: (o, ctx) => {
    if (o.kind !== 'Service' || o.metadata.labels?.[USES_WAYPOINT] === undefined) return [];
    const hosts = hostsOf(o);
    const inNamespace = (kind: string) =>
      ctx.objects.filter((x) => x.kind === kind && (x.metadata.namespace ?? 'default') === (o.metadata.namespace ?? 'default'));
    const rule = inNamespace('DestinationRule').find((d) => hosts.includes(d.spec?.host));
    const route = inNamespace('VirtualService').find((v) => (v.spec?.hosts ?? []).some((h: string) => hosts.includes(h)));
    const out: string[] = [];
    if (!route) out.push('no VirtualService routes its host, so no timeout applies to its callers');
    if (!rule) return [...out, 'no DestinationRule for its host: no circuit breaker and no outlier detection'];
    const pool = rule.spec.trafficPolicy?.connectionPool;
    if (pool?.tcp?.maxConnections === undefined || pool?.http?.http1MaxPendingRequests === undefined)
      out.push(
        `DestinationRule '${rule.metadata.name}' sets no connection-pool limits (maxConnections, http1MaxPendingRequests): no circuit breaker`,
      );
    if (rule.spec.trafficPolicy?.outlierDetection === undefined)
      out.push(`DestinationRule '${rule.metadata.name}' has no outlierDetection: failing instances are never ejected`);
    return out;
  },
};
