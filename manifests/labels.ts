/**
 * Label, annotation and taint keys that the constructs write and the readers of synthesized objects (policies,
 * planning) read. They live here, beside the reader, so that readers need nothing from constructs/ or stacks/.
 */

/** Written on every object perfstack makes: `app.kubernetes.io/managed-by`. */
export const MANAGED_BY = 'perfstack';

/** The cost-allocation label keys; the `cost-labels` policy requires the same ones. */
export const COST_LABEL_KEYS = { team: 'team', costCenter: 'cost-center' } as const;

/** Annotation listing the policy rule ids an object is exempt from, comma-separated (read by `policies/`). */
export const EXEMPT_ANNOTATION = 'policy.perfstack.io/exempt';
/** Mandatory reason for the exemption; without it the exemption is itself an error. */
export const EXEMPT_REASON_ANNOTATION = 'policy.perfstack.io/exempt-reason';

/**
 * Node label and taint that perfstack's node pools carry (`infra/` sets them on EKS node groups and Karpenter
 * NodePools alike): `on-demand` or `spot`. Spot nodes are tainted so only pods that opt in land there.
 */
export const CAPACITY_TYPE_KEY = 'perfstack.io/capacity-type';
export const SPOT = 'spot';
export const ON_DEMAND = 'on-demand';

/**
 * Annotations on the environment's Namespaces that tell a reader of the YAML where the objects go, so the policy
 * rules take their context from the objects themselves: zones of the cluster, whether it is production, and the
 * only registry an air-gapped site may pull from.
 */
export const CONTEXT_ANNOTATIONS = {
  zones: 'perfstack.io/zones',
  production: 'perfstack.io/production',
  registry: 'perfstack.io/registry',
} as const;

/** The called service, on every mesh object of its traffic policy (so rules and alerts can name it). */
export const CALLEE_LABEL = 'perfstack.io/callee';
/** Its callers, comma-separated. */
export const CALLERS_ANNOTATION = 'perfstack.io/callers';
/**
 * On a route: every call to it may be repeated safely (idempotent methods only, or declared idempotent), so every
 * method is retried; the `retry-idempotent` rule reads it.
 */
export const IDEMPOTENT_ANNOTATION = 'perfstack.io/idempotent';
