import { Rule } from '../types';
import { isWorkload } from '../workloads';

export const namespaceDefaultDeny: Rule = {
  id: 'namespace-default-deny',
  title: 'Every namespace with workloads denies traffic by default',
  severity: 'error',
  rationale: 'Without a default-deny NetworkPolicy any pod can reach any other: one compromised pod reaches the database.',
  url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies',
  check: (o, ctx) => {
    if (o.kind !== 'Namespace') return [];
    const name = o.metadata.name;
    if (!ctx.objects.some((w) => isWorkload(w) && w.metadata.namespace === name)) return [];
    const denies = ctx.objects.some(
      (p) =>
        p.kind === 'NetworkPolicy' &&
        p.metadata.namespace === name &&
        Object.keys(p.spec?.podSelector ?? {}).length === 0 &&
        (p.spec?.policyTypes ?? []).includes('Ingress') &&
        !(p.spec?.ingress?.length > 0),
    );
    return denies ? [] : [`namespace '${name}' has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, ...], no rules)`];
  },
};
