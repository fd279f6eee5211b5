import { Rule } from '../types';
import { isService, minimumReplicas } from '../../manifests/workloads';

export const productionReplicas: Rule = {
  id: 'production-replicas',
  title: 'Production workloads run at least 2 replicas',
  severity: 'error',
  rationale: 'One replica means every node drain, eviction or crash is an outage.',
  url: 'https://kubernetes.io/docs/concepts/workloads/pods/disruptions/',
  check: (o, ctx) => {
    if (!ctx.production || o.kind !== 'Deployment' || !isService(o)) return [];
    const min = minimumReplicas(o, ctx.objects);
    return min < 2 ? [`runs as few as ${min} replica(s); set replicas or the autoscaler minimum to 2 or more`] : [];
  },
};
