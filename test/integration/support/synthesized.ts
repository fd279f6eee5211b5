import { Environment } from '../../../stacks/environment';
import { synthesizeCharts } from '../../../stacks/synth';

/** A synthesized object of an environment, found by kind and name: integration tests feed real programs with it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function synthesized(env: Environment, kind: string, name: string): any {
  for (const chart of synthesizeCharts(env)) {
    const found = chart.objects.find((o) => o.kind === kind && (o.metadata as { name: string }).name === name);
    if (found) return found;
  }
  throw new Error(`${env.name} has no ${kind} ${name}`);
}
