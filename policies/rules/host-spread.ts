import { Rule } from '../types';
import { isService, maximumReplicas, podTemplateOf } from '../../manifests/workloads';

export const hostSpread: Rule = {
  id: 'host-spread',
  title: 'Replicas spread over hosts',
  severity: 'warning',
  rationale: 'Replicas on one node fail together when that node does.',
  url: 'https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity',
  check: (o, ctx) => {
    if (!isService(o) || maximumReplicas(o, ctx.objects) < 2) return [];
    const pod = podTemplateOf(o)?.spec ?? {};
    const text = JSON.stringify([pod.topologySpreadConstraints ?? [], pod.affinity?.podAntiAffinity ?? {}]);
    return text.includes('kubernetes.io/hostname') ? [] : ['no hostname anti-affinity or topology spread'];
  },
};
