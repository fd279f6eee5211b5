import { Rule } from '../types';

export const routeTimeout: Rule = {
  id: 'route-timeout',
  title: 'Every route has a timeout',
  severity: 'error',
  rationale:
    "A route without a timeout waits as long as the upstream does (Istio's default is none), so one slow dependency ties up its " +
    'callers and their callers; the timeout is what bounds a request along the call graph.',
  url: 'https://istio.io/latest/docs/tasks/traffic-management/request-timeouts/',
  check: (o) => {
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
    return [];
  },
};
