import { Problems } from '../../../constructs/core/errors';
import {
  RemediationPolicyInput,
  checkRemediationPolicy,
  policyRoleRules,
  resolveRemediationPolicy,
} from '../../../constructs/observability/remediation-policy';

const known = { 'api-gateway': { minReplicas: 2, maxReplicas: 20 }, web: { minReplicas: 2, maxReplicas: 6 } };
const ok: RemediationPolicyInput = {
  services: [
    { service: 'api-gateway', rules: [{ alert: 'AnomalyLatency', action: { kind: 'restart' } }] },
    { service: 'web', rules: [{ alert: 'AnomalyTrafficSpike', action: { kind: 'scale', by: 2, minutes: 30 } }] },
  ],
};

/** The one-line messages for `policy`, or '' when it is valid. */
function problemsOf(policy: RemediationPolicyInput): string {
  const p = new Problems('prod/Remediation');
  checkRemediationPolicy(p, 'policy', policy, known);
  try {
    p.throwIfAny();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

const withRule = (service: string, rule: RemediationPolicyInput['services'][number]['rules'][number]): RemediationPolicyInput => ({
  services: [{ service, rules: [rule] }],
});

describe('remediation policy', () => {
  it('accepts a policy of known services within their bounds', () => {
    expect(problemsOf(ok)).toBe('');
  });

  it('rejects an action on an unknown service in one line', () => {
    expect(problemsOf(withRule('billing', { alert: 'AnomalyLatency', action: { kind: 'restart' } }))).toBe(
      `prod/Remediation: 'policy.services[0].service' ("billing") is not a service of this environment (api-gateway, web)`,
    );
  });

  it('rejects a scale that would raise the floor above max replicas in one line', () => {
    expect(problemsOf(withRule('web', { alert: 'AnomalyTrafficSpike', action: { kind: 'scale', by: 5, minutes: 30 } }))).toBe(
      "prod/Remediation: 'policy.services[0].rules[0].action.by' (5) raises the floor to 7, above web's max replicas (6); lower it to at most 4",
    );
  });

  it.each(['', '*', 'session:*', 'a b'])('rejects the cache prefix %j in one line: never the whole cache', (prefix) => {
    const message = problemsOf(withRule('web', { alert: 'AnomalyLatency', action: { kind: 'cacheClear', prefix } }));
    expect(message).toBe(
      `prod/Remediation: 'policy.services[0].rules[0].action.prefix' (${JSON.stringify(prefix)}) must name a key prefix such as 'session:' (no wildcard, not empty): clearing the whole cache is never allowed`,
    );
    expect(message.split('\n')).toHaveLength(1);
  });

  it('rejects limits that are not whole positive numbers', () => {
    expect(problemsOf(withRule('web', { alert: 'AnomalyLatency', action: { kind: 'restart' }, maxPerHour: 0 }))).toMatch(
      /'policy.services\[0\].rules\[0\].maxPerHour' \(0\) must be a whole number above 0/,
    );
  });

  it('rejects an escalation sooner than Alertmanager re-sends a firing alert to the runner (5m), and accepts 5', () => {
    const rule = (m: number) => withRule('web', { alert: 'AnomalyLatency', action: { kind: 'restart' }, escalateAfterMinutes: m });
    expect(problemsOf(rule(3))).toMatch(/'policy.services\[0\].rules\[0\].escalateAfterMinutes' \(3\) must be at least 5: .* every 5m/);
    expect(problemsOf(rule(5))).toBe('');
  });

  it('resolves the defaults once: dry-run unless the environment opts in, and the limits', () => {
    const p = resolveRemediationPolicy('web', ok, known);
    expect(p.dryRun).toBe(true);
    expect(p.services[0]).toEqual({
      service: 'api-gateway',
      maxReplicas: 20,
      rules: [{ alert: 'AnomalyLatency', action: { kind: 'restart' }, maxPerHour: 2, cooldownMinutes: 15, escalateAfterMinutes: 10 }],
    });
    expect(resolveRemediationPolicy('web', { ...ok, dryRun: false }, known).dryRun).toBe(false);
  });

  it('derives RBAC naming only the objects the policy acts on', () => {
    expect(policyRoleRules(resolveRemediationPolicy('web', ok, known))).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'], resourceNames: ['api-gateway'] },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'patch'], resourceNames: ['web'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
  });

  it('needs no Kubernetes rights to clear a cache beyond the audit Events', () => {
    const cacheOnly = withRule('web', { alert: 'AnomalyLatency', action: { kind: 'cacheClear', prefix: 'session:' } });
    expect(policyRoleRules(resolveRemediationPolicy('web', cacheOnly, known))).toEqual([
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
  });
});
