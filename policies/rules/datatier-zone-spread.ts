import { Rule } from '../types';
import { podTemplateOf } from '../../manifests/workloads';

export const dataTierZoneSpread: Rule = {
  id: 'datatier-zone-spread',
  title: 'StatefulSets spread over zones in multi-zone clusters',
  severity: 'error',
  rationale: 'Data nodes packed into one zone lose quorum and data together when that zone fails.',
  url: 'https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/',
  check: (o, ctx) => {
    if (o.kind !== 'StatefulSet' || (ctx.zones ?? 1) < 2) return [];
    const pod = podTemplateOf(o)?.spec ?? {};
    const zoned = JSON.stringify([pod.topologySpreadConstraints ?? [], pod.affinity?.podAntiAffinity ?? {}]).includes(
      'topology.kubernetes.io/zone',
    );
    return zoned ? [] : ['its pods are not spread over topology.kubernetes.io/zone'];
  },
};
