import { podDemands } from '../../sizing/node-sizing';
import { fit, parseNodes } from '../../planning/capacity/node-fit';
import { SIZING_PROFILES } from '../../stacks/sizing-profiles';
import { chartsOf } from '../support/environments';

const GB = 1e9 / 2 ** 20;

describe.each(Object.entries(SIZING_PROFILES))('the %s on-prem profile', (_profile, p) => {
  const { groups } = parseNodes(p.nodes);
  const demands = podDemands(chartsOf(p.environment).flatMap((c) => [...c.objects]));

  it('is checked on a node set within its budget', () => {
    expect(groups.reduce((a, g) => a + g.count * g.cpuMillis, 0)).toBeLessThanOrEqual(p.budget.cores * 1000);
    expect(groups.reduce((a, g) => a + g.count * g.memoryMiB, 0)).toBeLessThanOrEqual(p.budget.memoryGB * GB + 1e-6);
  });

  it('fits its nodes at minimum replicas with at least 15% headroom in CPU and memory', () => {
    const r = fit(demands, groups, 'min');
    expect(r.unplaced).toEqual([]);
    expect(r.cpuShare).toBeLessThanOrEqual(0.85);
    expect(r.memoryShare).toBeLessThanOrEqual(0.85);
  });
});
