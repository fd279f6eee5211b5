/**
 * What the report takes from the environment: each service's objectives (its Slo, through the one SLO model) and
 * the monthly cost (planning/cost/price-environment.ts). Loaded only once the arguments are read, as it synthesizes the environment.
 */
import { ReportContext, ownHardwareCost } from '../constructs/observability/report-context';
import { sloModel } from '../constructs/observability/slo';
import { reportObjectives } from '../constructs/observability/weekly-report';
import { PLATFORM_BEHAVIOR } from '../planning/forecast/hpa-sim';
import { priceEnvironment } from '../planning/cost/price-environment';
import { Environment } from '../stacks/environment';
import { ENVIRONMENTS } from '../stacks/environments';
import { Objectives } from './findings';
import { Panel, costPanel } from './report-html';

export { ENVIRONMENTS };

export function objectivesOf(env: Environment, service: string): Objectives {
  const spec = env.services.find((s) => s.name === service)!;
  return reportObjectives(sloModel({ service, namespace: env.namespace, slo: spec.slo }));
}

/** The cost panel, or a sentence saying why there is no cost (an environment without a cloud side, a bad config). */
export function costOf(env: Environment, configFile: string): Panel {
  const priced = priceEnvironment(env, configFile, undefined);
  if (priced.priced) return costPanel(env.name, priced.priced.report);
  return priced.noCloud ? ownHardwareCost(env.name) : { title: 'Cost per month', sentence: `No cost: ${priced.problems[0]}` };
}

/** The environment as the report reads it: what the weekly job gets as JSON, here computed from the environment. */
export function reportContext(env: Environment, configFile: string): ReportContext {
  return {
    env: env.name,
    namespace: env.namespace,
    services: env.services.map((s) => ({ name: s.name, objectives: objectivesOf(env, s.name) })),
    cost: costOf(env, configFile),
    scaleDownWindowS: PLATFORM_BEHAVIOR.scaleDown.windowS,
  };
}
