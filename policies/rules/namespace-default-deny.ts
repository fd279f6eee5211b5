import { Rule } from '../types';
import { ofKind } from '../../manifests/object-index';
import { workloadsByPodLabels } from '../../manifests/workloads';

export const namespaceDefaultDeny: Rule = {
  id: 'namespace-default-deny',
  title: 'Every namespace with workloads denies traffic by default',
  severity: 'error',
  rationale: 'Without a default-deny NetworkPolicy any pod can reach any other: one compromised pod reaches the database.',
  url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies',
  check: (o, ctx) => {
    if (o.kind !== 'Namespace') return [];
    const name = o.metadata.name;
    if (workloadsByPodLabels(ctx.objects, name).members.length === 0) return [];
    const denies = ofKind(ctx.objects, 'NetworkPolicy', name).some(
      (p) =>
        Object.keys(p.spec?.podSelector ?? {}).length === 0 &&
        (p.spec?.policyTypes ?? []).includes('Ingress') &&
        !(p.spec?.ingress?.length > 0),
    );
    return denies ? [] : [`namespace '${name}' has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, ...], no rules)`];
  },
};
