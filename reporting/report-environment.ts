/**
 * What the report takes from the environment: each service's objectives (its Slo, through the one SLO model) and
 * the monthly cost (planning/cost/price-environment.ts). Loaded only once the arguments are read, as it synthesizes the environment.
 */
import { sloModel } from '../constructs/observability/slo';
import { priceEnvironment } from '../planning/cost/price-environment';
import { Environment } from '../stacks/environment';
import { ENVIRONMENTS } from '../stacks/environments';
import { Objectives } from './findings';
import { Panel, costPanel } from './report-html';

export { ENVIRONMENTS };

export function objectivesOf(env: Environment, service: string): Objectives {
  const spec = env.services.find((s) => s.name === service)!;
  const m = sloModel({ service, namespace: env.namespace, slo: spec.slo });
  return {
    availability: m.availability.target,
    latencyQuantile: m.latency.target,
    latencyThresholdS: m.slo.latencyThreshold.toMilliseconds() / 1000,
  };
}

/** The cost panel, or a sentence saying why there is no cost (an environment without a cloud side, a bad config). */
export function costOf(env: Environment, configFile: string): Panel {
  const priced = priceEnvironment(env, configFile, undefined);
  if (priced.priced) return costPanel(env.name, priced.priced.report);
  return {
    title: 'Cost per month',
    sentence: priced.noCloud ? `${env.name} runs on its own hardware: there is no cloud bill to price.` : `No cost: ${priced.problems[0]}`,
  };
}
