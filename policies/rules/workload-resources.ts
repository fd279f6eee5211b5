import { Rule } from '../types';
import { containersOf } from '../../manifests/workloads';

export const workloadResources: Rule = {
  id: 'workload-resources',
  title: 'Containers request CPU and memory and limit memory',
  severity: 'error',
  rationale:
    'Without requests the scheduler overcommits nodes and the HPA cannot compute utilization; without a memory limit one leak takes the node down.',
  url: 'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
  check: (o) =>
    containersOf(o).flatMap((c) => {
      const missing = [
        c.resources?.requests?.cpu === undefined && 'a CPU request',
        c.resources?.requests?.memory === undefined && 'a memory request',
        c.resources?.limits?.memory === undefined && 'a memory limit',
      ].filter(Boolean);
      return missing.length > 0 ? [`container '${c.name}' lacks ${missing.join(', ')}`] : [];
    }),
};
