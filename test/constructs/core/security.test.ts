import { k8s } from 'cdk8s-plus-28';
import { Problems } from '../../../constructs/core/errors';
import { apiServerEgress, checkApiServer, restrictedContainerSecurity, restrictedPodSecurity } from '../../../constructs/core/security';

describe('restrictedContainerSecurity', () => {
  it('meets the restricted Pod Security Standard and keeps the root filesystem read-only', () => {
    expect(restrictedContainerSecurity()).toEqual({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('returns a fresh object each time, so one container tuning its context cannot change another', () => {
    const a = restrictedContainerSecurity();
    (a.capabilities!.drop as string[]).push('X');
    expect(restrictedContainerSecurity().capabilities).toEqual({ drop: ['ALL'] });
  });
});

describe('restrictedPodSecurity', () => {
  it('runs every container as the given uid and group, owns volumes by that group, non-root, seccomp RuntimeDefault', () => {
    expect(restrictedPodSecurity(999)).toEqual({
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });
});

describe('API server access', () => {
  it('allows TCP egress on the given port to every listed range', () => {
    const rule = apiServerEgress({ cidrs: ['10.0.0.0/16', '172.20.0.1/32'], port: 443 });
    // The wire form, as it lands in the NetworkPolicy's YAML.
    expect(k8s.toJson_NetworkPolicyEgressRule(rule)).toEqual({
      to: [{ ipBlock: { cidr: '10.0.0.0/16' } }, { ipBlock: { cidr: '172.20.0.1/32' } }],
      ports: [{ port: 443, protocol: 'TCP' }],
    });
  });

  it('refuses an empty list of ranges, naming the input and what to give', () => {
    const problems = new Problems('prod');
    checkApiServer(problems, { cidrs: [], port: 443 });
    expect(() => problems.throwIfAny()).toThrow("prod: 'apiServer.cidrs' ([]) must list the Kubernetes API server address range");
  });

  it('accepts one range', () => {
    const problems = new Problems('prod');
    checkApiServer(problems, { cidrs: ['10.0.0.0/16'], port: 6443 });
    expect(problems.count).toBe(0);
  });
});
