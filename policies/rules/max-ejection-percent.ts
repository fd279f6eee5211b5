import { Rule } from '../types';
import { EdgeTrafficPolicy, isBackendTrafficPolicy } from '../edge-policies';

interface TrafficPolicy {
  readonly outlierDetection?: { readonly maxEjectionPercent?: number };
  readonly portLevelSettings?: TrafficPolicy[];
}

export const maxEjectionPercent: Rule = {
  id: 'max-ejection-percent',
  title: 'Outlier detection never ejects every instance',
  severity: 'error',
  rationale:
    'At maxEjectionPercent 100 a burst of errors (a bad deploy, a shared dependency down) can eject every instance, and the ' +
    'service then has none to send to; below 100 at least one always serves.',
  url: 'https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection',
  check: (o) => {
    if (isBackendTrafficPolicy(o)) {
      const v = (o.spec as EdgeTrafficPolicy).healthCheck?.passive?.maxEjectionPercent;
      return v !== undefined && v >= 100
        ? [`healthCheck.passive.maxEjectionPercent is ${v}: every instance can be ejected; use 50 or less`]
        : [];
    }
    if (o.kind !== 'DestinationRule' || !o.apiVersion.startsWith('networking.istio.io/')) return [];
    const policies: { where: string; p?: TrafficPolicy }[] = [
      { where: 'trafficPolicy', p: o.spec?.trafficPolicy },
      ...((o.spec?.subsets ?? []) as { name: string; trafficPolicy?: TrafficPolicy }[]).map((s) => ({
        where: `subset '${s.name}'`,
        p: s.trafficPolicy,
      })),
    ];
    return policies.flatMap(({ where, p }) =>
      [p, ...(p?.portLevelSettings ?? [])]
        .map((x) => x?.outlierDetection?.maxEjectionPercent)
        .filter((v): v is number => v !== undefined && v >= 100)
        .map((v) => `${where} outlierDetection.maxEjectionPercent is ${v}: every instance can be ejected; use 50 or less`),
    );
  },
};
