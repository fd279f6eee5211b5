import { Rule } from '../types';
import { named } from '../../manifests/object-index';

export const autoscalerTarget: Rule = {
  id: 'autoscaler-target',
  title: 'Autoscalers target an existing workload',
  severity: 'error',
  rationale: 'An autoscaler pointing at a missing or renamed workload scales nothing, silently.',
  url: 'https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/',
  check: (o, ctx) => {
    if (o.kind !== 'HorizontalPodAutoscaler' && o.kind !== 'ScaledObject') return [];
    const ref = o.spec?.scaleTargetRef ?? {};
    const kind = ref.kind ?? 'Deployment';
    const found = named(ctx.objects, kind, o.metadata.namespace, ref.name) !== undefined;
    return found ? [] : [`targets ${kind} '${ref.name}', which is not among the objects`];
  },
};
