import { Rule } from '../types';
import { autoscalersOf, isService } from '../../manifests/workloads';

export const singleAutoscaler: Rule = {
  id: 'single-autoscaler',
  title: 'A workload has one horizontal autoscaler',
  severity: 'error',
  rationale: 'Two autoscalers (an HPA and a ScaledObject, or two HPAs) overwrite each other’s replica count every sync.',
  url: 'https://keda.sh/docs/latest/concepts/scaling-deployments/',
  check: (o, ctx) => {
    if (!isService(o)) return [];
    const scalers = autoscalersOf(o, ctx.objects);
    return scalers.length > 1 ? [`is targeted by ${scalers.map((s) => `${s.kind} '${s.metadata.name}'`).join(' and ')}`] : [];
  },
};
