import { Rule } from '../types';
import { bySelector, isService, maximumReplicas, minimumReplicas, podTemplateOf } from '../../manifests/workloads';

export const pdbCoverage: Rule = {
  id: 'pdb-coverage',
  title: 'Multi-replica workloads have a PodDisruptionBudget that still allows evictions',
  severity: 'error',
  rationale: 'Without a PDB a drain can evict every replica at once; a PDB that allows no eviction blocks node upgrades forever.',
  url: 'https://kubernetes.io/docs/tasks/run-application/configure-pdb/',
  check: (o, ctx) => {
    if (!isService(o) || maximumReplicas(o, ctx.objects) < 2) return [];
    const labels = podTemplateOf(o)?.metadata?.labels ?? {};
    const pdbs = bySelector(ctx.objects, 'PodDisruptionBudget', o.metadata.namespace).selecting(labels);
    if (pdbs.length === 0) return ['no PodDisruptionBudget selects its pods'];
    const min = minimumReplicas(o, ctx.objects);
    return pdbs.flatMap((p) => {
      const { maxUnavailable, minAvailable } = p.spec;
      if (maxUnavailable === 0 || maxUnavailable === '0%')
        return [`PodDisruptionBudget '${p.metadata.name}' has maxUnavailable 0: it blocks every eviction`];
      if (minAvailable === '100%' || (typeof minAvailable === 'number' && minAvailable >= min)) {
        return [
          `PodDisruptionBudget '${p.metadata.name}' has minAvailable ${minAvailable}, not below the minimum of ${min} replicas: it blocks evictions`,
        ];
      }
      return [];
    });
  },
};
