import { Rule } from '../types';
import { policiesOfRule } from '../edge-policies';

export const routeTimeout: Rule = {
  id: 'route-timeout',
  title: 'Every route has a timeout',
  severity: 'error',
  rationale:
    "A route without a timeout waits as long as the upstream does (Istio's default is none), so one slow dependency ties up its " +
    'callers and their callers; the timeout is what bounds a request along the call graph.',
  url: 'https://gateway-api.sigs.k8s.io/api-types/httproute/#timeouts-optional',
  check: (o, context) => {
    if (o.kind === 'VirtualService' && o.apiVersion.startsWith('networking.istio.io/')) {
      return ((o.spec?.http ?? []) as { name?: string; timeout?: string }[])
        .map((r, i) => ({ r, i }))
        .filter(({ r }) => r.timeout === undefined)
        .map(({ r, i }) => `http route ${r.name ? `'${r.name}'` : i} has no timeout`);
    }
    if (o.kind === 'HTTPRoute' && o.apiVersion.startsWith('gateway.networking.k8s.io/')) {
      return ((o.spec?.rules ?? []) as { name?: string; timeouts?: { request?: string } }[])
        .map((r, i) => ({ r, i }))
        .filter(({ r }) => r.timeouts?.request === undefined)
        .map(({ r, i }) => `rule ${r.name ? `'${r.name}'` : i} has no timeouts.request`);
    }
    // The standard channel's GRPCRoute has no timeouts: a BackendTrafficPolicy on the rule must carry one.
    if (o.kind === 'GRPCRoute' && o.apiVersion.startsWith('gateway.networking.k8s.io/')) {
      return ((o.spec?.rules ?? []) as { name?: string }[])
        .map((r, i) => ({ r, i }))
        .filter(({ r }) => !policiesOfRule(o, r, context.objects).some((p) => p.timeout?.http?.requestTimeout !== undefined))
        .map(({ r, i }) => `rule ${r.name ? `'${r.name}'` : i} has no BackendTrafficPolicy with timeout.http.requestTimeout`);
    }
    return [];
  },
};
