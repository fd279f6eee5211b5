import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { Environment } from '../stacks/environment';
import { SynthesizedChart, synthesizeCharts } from '../stacks/synth';

export interface WorkloadsArgs {
  /** The environment whose cdk8s App is deployed. */
  readonly environment: Environment;
  /** The environment's synthesized charts, when the caller has them already. @default synthesizeCharts(environment) */
  readonly charts?: readonly SynthesizedChart[];
  /**
   * Provider of the target cluster.
   * @default - the ambient provider (current kubeconfig context)
   */
  readonly provider?: k8s.Provider;
}

/**
 * Deploys an environment's cdk8s App: the same objects `npm run synth` writes to dist/<env>/, built in memory from
 * the same Environment value. One ConfigGroup per chart; each depth of the chart graph waits for the one before,
 * so namespaces and PriorityClasses exist before the workloads that name them.
 */
export class Workloads extends pulumi.ComponentResource {
  /** ConfigGroups by chart name (`platform`, `api-gateway`, ...). */
  public readonly groups: Readonly<Record<string, k8s.yaml.v2.ConfigGroup>>;

  constructor(name: string, args: WorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('perfstack:k8s:Workloads', name, {}, opts);
    const groups: Record<string, k8s.yaml.v2.ConfigGroup> = {};
    const byDepth: k8s.yaml.v2.ConfigGroup[][] = [];
    for (const chart of args.charts ?? synthesizeCharts(args.environment)) {
      const group = new k8s.yaml.v2.ConfigGroup(
        `${name}-${chart.chart}`,
        { objs: chart.objects as pulumi.Input<pulumi.Input<Record<string, unknown>>[]> as never },
        { parent: this, provider: args.provider, dependsOn: chart.depth > 0 ? byDepth[chart.depth - 1] : [] },
      );
      (byDepth[chart.depth] ??= []).push(group);
      groups[chart.chart] = group;
    }
    this.groups = groups;
    this.registerOutputs({ charts: Object.keys(groups) });
  }
}
