import { Rule } from '../types';
import { isService, podTemplateOf } from '../../manifests/workloads';

export const zoneSpread: Rule = {
  id: 'zone-spread',
  title: 'Workloads spread over zones in multi-zone clusters',
  severity: 'error',
  rationale: 'Without zone spread the scheduler may pack every replica into one zone, and a zone outage takes the service down.',
  url: 'https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/',
  check: (o, ctx) => {
    if ((ctx.zones ?? 1) < 2 || !isService(o)) return [];
    const pod = podTemplateOf(o)?.spec ?? {};
    const spread = (pod.topologySpreadConstraints ?? []).some(
      (c: { topologyKey: string }) => c.topologyKey === 'topology.kubernetes.io/zone',
    );
    const anti = JSON.stringify(pod.affinity?.podAntiAffinity ?? {}).includes('topology.kubernetes.io/zone');
    return spread || anti ? [] : ['no topology spread constraint or anti-affinity over topology.kubernetes.io/zone'];
  },
};
