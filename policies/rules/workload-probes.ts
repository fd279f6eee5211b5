import { Rule } from '../types';
import { isService, podTemplateOf } from '../../manifests/workloads';

export const workloadProbes: Rule = {
  id: 'workload-probes',
  title: 'Long-running containers have distinct readiness and liveness probes',
  severity: 'error',
  rationale:
    'Without readiness, rollouts send traffic to pods that cannot serve; a liveness probe identical to readiness restarts pods that are merely busy.',
  url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/',
  check: (o) => {
    if (!isService(o)) return [];
    return (podTemplateOf(o)?.spec?.containers ?? []).flatMap((c: { name: string; readinessProbe?: unknown; livenessProbe?: unknown }) => {
      if (!c.readinessProbe) return [`container '${c.name}' has no readiness probe`];
      if (!c.livenessProbe) return [`container '${c.name}' has no liveness probe`];
      if (JSON.stringify(c.readinessProbe) === JSON.stringify(c.livenessProbe))
        return [`container '${c.name}' has identical readiness and liveness probes`];
      return [];
    });
  },
};
