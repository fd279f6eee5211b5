import { k8s } from 'cdk8s-plus-28';

export const ZONE_KEY = 'topology.kubernetes.io/zone';
export const HOSTNAME_KEY = 'kubernetes.io/hostname';

/**
 * Spread over zones and hosts. With 3 or more zones a zone skew above 1 is refused (DoNotSchedule), so losing a
 * zone never takes more than a third of the pods; with fewer zones that rule would leave pods Pending, so it is
 * only preferred. Hosts are always preferred, so a small node count never blocks scheduling.
 * `matchLabelKeys: [pod-template-hash]` spreads each ReplicaSet on its own, so a rollout keeps the spread.
 *
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 */
export function topologySpread(selector: Record<string, string>, zoneCount: number): k8s.TopologySpreadConstraint[] {
  const labelSelector = { matchLabels: { ...selector } };
  return [
    {
      topologyKey: ZONE_KEY,
      maxSkew: 1,
      whenUnsatisfiable: zoneCount >= 3 ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector,
      matchLabelKeys: ['pod-template-hash'],
    },
    {
      topologyKey: HOSTNAME_KEY,
      maxSkew: 1,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector,
      matchLabelKeys: ['pod-template-hash'],
    },
  ];
}

/** Preferred anti-affinity by host: the scheduler's scoring keeps replicas apart even where spread allows skew. */
export function hostAntiAffinity(selector: Record<string, string>): k8s.PodAntiAffinity {
  return {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 100, podAffinityTerm: { topologyKey: HOSTNAME_KEY, labelSelector: { matchLabels: { ...selector } } } },
    ],
  };
}
