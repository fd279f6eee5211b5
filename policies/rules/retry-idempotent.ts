import { IDEMPOTENT_ANNOTATION } from '../../manifests/labels';
import { KubeObject, Rule } from '../types';
import { EdgeTrafficPolicy, isBackendTrafficPolicy, targetsOf } from '../edge-policies';

/** RFC 9110 section 9.2.2. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

interface HttpRoute {
  readonly name?: string;
  readonly match?: { readonly method?: { readonly exact?: string } }[];
  readonly retries?: { readonly attempts?: number };
}

export const retryIdempotent: Rule = {
  id: 'retry-idempotent',
  title: 'Only idempotent requests are retried, unless the route declares every call safe to repeat',
  severity: 'error',
  rationale:
    'A retried POST or PATCH may act twice (two orders, two payments) when the first try reached the application but its answer ' +
    `was lost. Retry only idempotent methods, or annotate the route ${IDEMPOTENT_ANNOTATION}: "true" where every call carries an ` +
    'idempotency key.',
  url: 'https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2',
  check: (o, context) => {
    if (isBackendTrafficPolicy(o)) return edgeRetries(o, context.objects);
    if (o.kind !== 'VirtualService' || !o.apiVersion.startsWith('networking.istio.io/')) return [];
    if (o.metadata.annotations?.[IDEMPOTENT_ANNOTATION] === 'true') return [];
    return ((o.spec?.http ?? []) as HttpRoute[]).flatMap((r, i) => {
      // Istio retries twice by default: only an explicit 0 turns retries off.
      if (r.retries?.attempts === 0) return [];
      const methods = (r.match ?? []).map((m) => m.method?.exact);
      const idempotentOnly = methods.length > 0 && methods.every((m) => m !== undefined && IDEMPOTENT.has(m));
      return idempotentOnly
        ? []
        : [
            `http route ${r.name ? `'${r.name}'` : i} retries ${methods.length > 0 && methods.every(Boolean) ? methods.join(', ') : 'every method'}; ` +
              `match idempotent methods only, or annotate ${IDEMPOTENT_ANNOTATION}: "true"`,
          ];
    });
  },
};

/**
 * An Envoy Gateway BackendTrafficPolicy that retries (`retry` present: Envoy Gateway retries twice unless numRetries
 * says otherwise): every rule it targets must match idempotent methods only, or its route be annotated. A GRPCRoute's
 * calls are POSTs.
 */
function edgeRetries(policy: KubeObject, objects: readonly KubeObject[]): string[] {
  const retry = (policy.spec as EdgeTrafficPolicy).retry;
  if (retry === undefined || retry.numRetries === 0) return [];
  return targetsOf(policy).flatMap((t) => {
    const route = objects.find(
      (x) => x.kind === t.kind && x.metadata.name === t.name && (x.metadata.namespace ?? '') === (policy.metadata.namespace ?? ''),
    );
    if (!route || route.metadata.annotations?.[IDEMPOTENT_ANNOTATION] === 'true') return [];
    const rules = ((route.spec?.rules ?? []) as { name?: string; matches?: { method?: string }[] }[])
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => t.rule === undefined || r.name === t.rule);
    return rules
      .filter(({ r }) => {
        const methods = route.kind === 'GRPCRoute' ? ['POST'] : (r.matches ?? []).map((m) => m.method);
        return !(methods.length > 0 && methods.every((m) => m !== undefined && IDEMPOTENT.has(m)));
      })
      .map(
        ({ r, i }) =>
          `retries ${t.kind}/${t.name} rule ${r.name ? `'${r.name}'` : i}, which matches ${route.kind === 'GRPCRoute' ? 'gRPC calls (POST)' : 'methods that are not idempotent'}; ` +
          `target a rule that matches idempotent methods only, or annotate the route ${IDEMPOTENT_ANNOTATION}: "true"`,
      );
  });
}
