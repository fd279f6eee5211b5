import { KubeObject } from '../../policies/types';
import { policiesOfRule, targetsOf } from '../../policies/edge-policies';

const policy = (name: string, targetRefs: object[], namespace = 'web'): KubeObject =>
  ({
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'BackendTrafficPolicy',
    metadata: { name, namespace },
    spec: { targetRefs, timeout: { http: { requestTimeout: name } } },
  }) as unknown as KubeObject;
const route = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'web' },
} as unknown as KubeObject;
const ref = (kind: string, name: string, sectionName?: string) => ({ group: 'gateway.networking.k8s.io', kind, name, sectionName });

describe('edge policies', () => {
  it('reads targetRefs, and the older single targetRef, ignoring refs outside Gateway API', () => {
    expect(targetsOf(policy('p', [ref('HTTPRoute', 'web', 'once'), { group: 'other.io', kind: 'X', name: 'y' }]))).toEqual([
      { kind: 'HTTPRoute', name: 'web', rule: 'once' },
    ]);
    const single = { ...policy('q', []), spec: { targetRef: ref('GRPCRoute', 'orders') } } as unknown as KubeObject;
    expect(targetsOf(single)).toEqual([{ kind: 'GRPCRoute', name: 'orders', rule: undefined }]);
  });

  it('applies a policy naming a rule to that rule only, and one naming the route to every rule, in the same namespace', () => {
    const objects = [
      policy('rule-once', [ref('HTTPRoute', 'web', 'once')]),
      policy('whole-route', [ref('HTTPRoute', 'web')]),
      policy('other-namespace', [ref('HTTPRoute', 'web')], 'elsewhere'),
      policy('other-kind', [ref('GRPCRoute', 'web')]),
    ];
    const timeouts = (rule: string) => policiesOfRule(route, { name: rule }, objects).map((p) => p.timeout?.http?.requestTimeout);
    expect(timeouts('once')).toEqual(['rule-once', 'whole-route']);
    expect(timeouts('retried')).toEqual(['whole-route']);
  });
});
