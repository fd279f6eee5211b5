import { Rule } from '../types';
import { autoscalersOf } from '../../manifests/workloads';

export const autoscaledReplicas: Rule = {
  id: 'autoscaled-replicas',
  title: 'Autoscaled workloads set no fixed replicas',
  severity: 'error',
  rationale: 'A fixed `replicas` resets the autoscaler’s count on every apply: a deploy during a traffic peak scales the service down.',
  url: 'https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling',
  check: (o, ctx) =>
    o.kind === 'Deployment' && o.spec?.replicas !== undefined && autoscalersOf(o, ctx.objects).length > 0
      ? [`sets replicas: ${o.spec.replicas} although an autoscaler owns the count`]
      : [],
};
