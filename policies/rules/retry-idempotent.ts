import { IDEMPOTENT_ANNOTATION } from '../../manifests/labels';
import { Rule } from '../types';

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
  check: (o) => {
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
