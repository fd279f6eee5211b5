import { InputProblems } from '../cli/problems';
import { Environment } from '../stacks/environment';
import { operatorValues, resolveOperators } from '../stacks/operator-catalogue';
import { ChartSource } from './charts';

/** Operator charts without a pinned chart version: a bundle cannot carry them. One line each. */
export class UnpinnedChartsError extends InputProblems {}

/**
 * The operator charts an environment needs, in install order, from the operator catalogue (stacks/operator-catalogue.ts),
 * with the values perfstack installs them with (the site registry for every image when air-gapped), the images they
 * run as the site will pull them, and where each image comes from upstream.
 */
export function operatorCharts(env: Environment): { charts: ChartSource[]; images: string[]; upstream: Record<string, string> } {
  const ops = resolveOperators(env);
  const unpinned = ops.filter((op) => op.chartVersion === undefined);
  if (unpinned.length > 0)
    throw new UnpinnedChartsError(
      unpinned.map(
        (op) =>
          `operator '${op.name}' ${op.appVersion}: no chart version is pinned for it (${op.source}); pin one in stacks/operator-catalogue.ts or set env.operators to a line that has one`,
      ),
    );
  const upstream: Record<string, string> = {};
  const images: string[] = [];
  for (const op of ops)
    for (const img of op.images) {
      images.push(`${env.imageRegistry}/${img.repository}:${img.tag}`);
      upstream[img.repository] = img.registry;
    }
  return {
    charts: ops.map((op) => ({
      release: op.name,
      repository: op.repository,
      chart: op.chart,
      version: op.chartVersion!,
      namespace: op.namespace,
      values: operatorValues(op, env),
    })),
    images: [...new Set(images)].sort(),
    upstream,
  };
}
