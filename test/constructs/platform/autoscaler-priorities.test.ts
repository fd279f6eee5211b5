import { parse } from 'yaml';
import { AutoscalerPriorities, POOL_NAME_PATTERNS } from '../../../constructs/platform/autoscaler-priorities';
import { findObject, freshChart, objectsOf } from '../../support/synth';
import { chartsOf } from '../../support/environments';

describe('AutoscalerPriorities', () => {
  const chart = freshChart();
  new AutoscalerPriorities(chart, 'priorities', { labels: { team: 'platform' } });
  const configMap = findObject(objectsOf(chart), 'ConfigMap', 'cluster-autoscaler-priority-expander');

  it('is where the cluster autoscaler reads its priority expander', () => {
    expect(configMap.metadata).toMatchObject({ namespace: 'kube-system', labels: { team: 'platform' } });
  });

  it('ranks spot node groups above on-demand ones', () => {
    const priorities = parse((configMap as unknown as { data: { priorities: string } }).data.priorities) as Record<string, string[]>;
    expect(priorities).toEqual({ 50: [POOL_NAME_PATTERNS.spot], 10: [POOL_NAME_PATTERNS.onDemand] });
  });

  it('tells the pools apart by the Auto Scaling group names EKS gives managed node groups', () => {
    const asg = (nodeGroup: string) => `eks-${nodeGroup}-7cc5a1b2-1f2e-4d3c-9b8a-0a1b2c3d4e5f`;
    const matches = (pattern: string, name: string) => new RegExp(`^${pattern}$`).test(name);
    expect(matches(POOL_NAME_PATTERNS.spot, asg('prod-spot-3f9a2c1'))).toBe(true);
    expect(matches(POOL_NAME_PATTERNS.spot, asg('prod-on-demand-81bd44e'))).toBe(false);
    expect(matches(POOL_NAME_PATTERNS.onDemand, asg('prod-on-demand-81bd44e'))).toBe(true);
  });
});

describe.each([
  ['staging', true],
  ['prod', true],
  ['dev', false],
  ['airgap', false],
])('the %s environment', (name, expected) => {
  it(`${expected ? 'ships' : 'has no'} autoscaler priorities (spot ${expected ? 'on' : 'off'})`, () => {
    const objects = chartsOf(name).flatMap((c) => c.objects) as { kind: string; metadata: { name: string } }[];
    expect(objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'cluster-autoscaler-priority-expander')).toBe(expected);
  });
});
