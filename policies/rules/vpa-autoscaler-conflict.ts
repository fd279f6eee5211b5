import { KubeObject, Rule } from '../types';
import { named } from '../../manifests/object-index';
import { autoscalersOf } from '../../manifests/workloads';

/** Resources an HPA or ScaledObject scales on. */
function scaledResources(a: KubeObject): string[] {
  if (a.kind === 'HorizontalPodAutoscaler') {
    return (a.spec?.metrics ?? [])
      .filter((m: { type: string }) => m.type === 'Resource')
      .map((m: { resource: { name: string } }) => m.resource.name);
  }
  return (a.spec?.triggers ?? [])
    .filter((t: { type: string }) => t.type === 'cpu' || t.type === 'memory')
    .map((t: { type: string }) => t.type);
}

export const vpaAutoscalerConflict: Rule = {
  id: 'vpa-autoscaler-conflict',
  title: 'No VPA changes a request an autoscaler scales on',
  severity: 'error',
  rationale: 'A VPA raising the request lowers the utilization the HPA sees; the two fight and the replica count oscillates.',
  url: 'https://github.com/kubernetes/autoscaler/tree/master/vertical-pod-autoscaler#known-limitations',
  check: (o, ctx) => {
    if (o.kind !== 'VerticalPodAutoscaler') return [];
    const mode = o.spec?.updatePolicy?.updateMode ?? 'Auto';
    if (mode === 'Off') return [];
    const ref = o.spec?.targetRef ?? {};
    const target = named(ctx.objects, ref.kind, o.metadata.namespace, ref.name);
    if (!target) return [];
    const scaled = autoscalersOf(target, ctx.objects).flatMap(scaledResources);
    const policies = o.spec?.resourcePolicy?.containerPolicies ?? [{}];
    const controlled = new Set<string>(
      policies.flatMap((p: { controlledResources?: string[] }) => p.controlledResources ?? ['cpu', 'memory']),
    );
    const conflicts = [...new Set(scaled.filter((r) => controlled.has(r)))];
    return conflicts.length > 0
      ? [`updateMode ${mode} controls ${conflicts.join(' and ')}, which an autoscaler of ${ref.kind} '${ref.name}' scales on`]
      : [];
  },
};
