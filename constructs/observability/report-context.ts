/**
 * What the weekly report job (reporting/weekly-report-cli.ts) knows of its environment, fixed at synth and mounted as
 * JSON: the in-cluster program reads this instead of the environments, so its bundle carries neither cdk8s nor the
 * stacks. Plain data on purpose: no import here may bring cdk8s (test/reporting/weekly-report-cli.test.ts bundles it).
 */

/** A service's objectives as the report judges them. */
export interface ReportObjectives {
  /** Share of requests that must succeed, e.g. 0.999. */
  readonly availability: number;
  /** Latency percentile as a fraction, e.g. 0.95. */
  readonly latencyQuantile: number;
  /** Latency threshold, seconds. */
  readonly latencyThresholdS: number;
}

export interface ReportContext {
  /** The environment's name, e.g. `airgap`. */
  readonly env: string;
  /** Namespace of the services. */
  readonly namespace: string;
  readonly services: readonly { readonly name: string; readonly objectives: ReportObjectives }[];
  /** The cost panel as priced at synth: its title, sentence and (for a priced environment) chart. */
  readonly cost: { readonly title: string; readonly sentence: string; readonly svg?: string };
  /** The HPAs' scale-down stabilization window, seconds: the audit names it where it held a change back. */
  readonly scaleDownWindowS: number;
}

/** The cost panel of an environment without a cloud bill (an air-gapped or on-premises site). */
export function ownHardwareCost(env: string): ReportContext['cost'] {
  return { title: 'Cost per month', sentence: `${env} runs on its own hardware: there is no cloud bill to price.` };
}
