import fc from 'fast-check';
import { hostAntiAffinity, topologySpread } from '../../../constructs/workload/topology';

describe('topologySpread', () => {
  it('requires zone balance exactly when there are at least 3 zones, and never requires host balance', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), (zones) => {
        const [zone, host] = topologySpread({ app: 'x' }, zones);
        return zone.whenUnsatisfiable === (zones >= 3 ? 'DoNotSchedule' : 'ScheduleAnyway') && host.whenUnsatisfiable === 'ScheduleAnyway';
      }),
    );
  });

  it('spreads each ReplicaSet separately so a rollout stays balanced', () => {
    for (const c of topologySpread({ app: 'x' }, 3)) expect(c.matchLabelKeys).toEqual(['pod-template-hash']);
  });

  it('does not share the selector object between constraints and affinity', () => {
    const selector = { app: 'x' };
    const [zone] = topologySpread(selector, 3);
    expect(zone.labelSelector?.matchLabels).not.toBe(selector);
    expect(
      hostAntiAffinity(selector).preferredDuringSchedulingIgnoredDuringExecution?.[0].podAffinityTerm.labelSelector?.matchLabels,
    ).toEqual(selector);
  });
});
