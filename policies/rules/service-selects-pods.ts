import { Rule } from '../types';
import { workloadsByPodLabels } from '../../manifests/workloads';

export const serviceSelectsPods: Rule = {
  id: 'service-selects-pods',
  title: 'Services select existing pods',
  severity: 'error',
  rationale: 'A selector that matches nothing gives a Service without endpoints: every request fails.',
  url: 'https://kubernetes.io/docs/concepts/services-networking/service/',
  check: (o, ctx) => {
    const selector = o.kind === 'Service' ? o.spec?.selector : undefined;
    if (!selector || Object.keys(selector).length === 0) return [];
    const hit = workloadsByPodLabels(ctx.objects, o.metadata.namespace).any({ matchLabels: selector });
    return hit ? [] : [`selector ${JSON.stringify(selector)} matches no pod template`];
  },
};
