import { Rule } from '../types';
import { containersOf, podTemplateOf } from '../../manifests/workloads';

export const workloadSecurityContext: Rule = {
  id: 'workload-security-context',
  title: 'Containers run restricted: non-root, read-only root filesystem, no escalation, capabilities dropped, seccomp',
  severity: 'error',
  rationale: 'The restricted Pod Security Standard plus a read-only root filesystem shrink what a compromised container can do.',
  url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
  check: (o) => {
    const pod = podTemplateOf(o)?.spec;
    if (!pod) return [];
    return containersOf(o).flatMap((c) => {
      const sc = c.securityContext ?? {};
      const nonRoot = sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      const seccomp = sc.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
      const problems = [
        nonRoot !== true && 'runAsNonRoot is not true',
        sc.readOnlyRootFilesystem !== true && 'the root filesystem is writable',
        sc.allowPrivilegeEscalation !== false && 'privilege escalation is allowed',
        sc.privileged === true && 'it is privileged',
        !(sc.capabilities?.drop ?? []).includes('ALL') && 'capabilities are not dropped (drop: [ALL])',
        seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost' && 'no seccomp profile (RuntimeDefault)',
      ].filter(Boolean);
      return problems.map((p) => `container '${c.name}': ${p}`);
    });
  },
};
