import { KubeObject } from './types';

/**
 * Envoy Gateway's BackendTrafficPolicies as the route rules see them: which policy applies to which rule of a route.
 * A policy naming a rule (`sectionName`) applies to that rule; one naming the route, to every rule of it.
 * @see https://gateway.envoyproxy.io/docs/api/extension_types/#backendtrafficpolicy
 */

/** A BackendTrafficPolicy's fields the rules read. */
export interface EdgeTrafficPolicy {
  readonly timeout?: { readonly http?: { readonly requestTimeout?: string } };
  readonly retry?: { readonly numRetries?: number };
  readonly healthCheck?: { readonly passive?: { readonly maxEjectionPercent?: number } };
}

interface TargetRef {
  readonly group?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly sectionName?: string;
}

export function isBackendTrafficPolicy(o: KubeObject): boolean {
  return o.kind === 'BackendTrafficPolicy' && o.apiVersion.startsWith('gateway.envoyproxy.io/');
}

/** The route rules (`kind/namespace/name#rule`, or `#*` for every rule) a policy targets. */
export function targetsOf(policy: KubeObject): { kind: string; name: string; rule?: string }[] {
  return ((policy.spec?.targetRefs ?? (policy.spec?.targetRef ? [policy.spec.targetRef] : [])) as TargetRef[])
    .filter((t) => (t.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io' && t.kind && t.name)
    .map((t) => ({ kind: t.kind!, name: t.name!, rule: t.sectionName }));
}

/** The policies among `objects` that apply to rule `rule` (its name or index) of `route`. */
export function policiesOfRule(route: KubeObject, rule: { name?: string }, objects: readonly KubeObject[]): EdgeTrafficPolicy[] {
  return objects
    .filter((p) => isBackendTrafficPolicy(p) && (p.metadata.namespace ?? '') === (route.metadata.namespace ?? ''))
    .filter((p) =>
      targetsOf(p).some((t) => t.kind === route.kind && t.name === route.metadata.name && (t.rule === undefined || t.rule === rule.name)),
    )
    .map((p) => p.spec as EdgeTrafficPolicy);
}
