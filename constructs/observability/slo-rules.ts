import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { RuleGroup, RuleGroups, Rule, Severity, runbook } from './rule-groups';
import { Objective, SloModel, SloSpec, resolveSlo, roundNumber as number, sliRecord, sloModel } from './slo';
import { checkSlo } from './slo-schema';

/**
 * SLO alerting as a pipeline of pure stages (after sloth): spec -> model (`sloModel` in ./slo.ts, shared with the
 * dashboards and the load tests) -> validation -> rule groups -> writer. Each stage is exported and tested on its
 * own; `SloRules` is the writer.
 *
 * @see https://sre.google/workbook/alerting-on-slos/#6-multiwindow-multi-burn-rate-alerts
 */

/** The SRE workbook's multiwindow, multi-burn-rate alerts for a 30-day budget. */
export const BURN_RATE_WINDOWS: readonly {
  readonly severity: Severity;
  readonly factor: number;
  readonly long: string;
  readonly short: string;
}[] = [
  { severity: 'page', factor: 14.4, long: '1h', short: '5m' },
  { severity: 'page', factor: 6, long: '6h', short: '30m' },
  { severity: 'ticket', factor: 3, long: '1d', short: '2h' },
  { severity: 'ticket', factor: 1, long: '3d', short: '6h' },
];

/** Relative slack under each burn-rate threshold, so a burn at exactly the factor fires despite float rounding. */
export const BURN_RATE_TOLERANCE = '1e-9';

/** Every window a recording rule is needed for. */
export const SLI_WINDOWS = [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.short, w.long]))];

/** Stage 3: the model must describe objectives a budget can be computed for. */
export function validateSloSpec(spec: SloSpec, problems: Problems): void {
  checkSlo(problems, 'slo', spec.slo);
  const days = resolveSlo(spec.slo).window.toSeconds() / 86400;
  problems.check(
    days === 30,
    'slo.window',
    `${days}d`,
    'must be 30 days: the burn-rate factors (14.4, 6, 3, 1) are calibrated for a 30-day budget',
  );
}

/** Stage 4: the recording rules and alerts of one service's objectives. */
export function sloRuleGroups(model: SloModel): RuleGroup[] {
  const labels = (o: Objective) => ({ service: model.service, namespace: model.namespace, slo: o.name });
  const match = (o: Objective) => `{service="${model.service}",namespace="${model.namespace}",slo="${o.name}"}`;
  const periodDays = model.period.toSeconds() / 86400;
  const recording: Rule[] = model.objectives.flatMap((o) =>
    SLI_WINDOWS.map((w) => ({ record: sliRecord(w), expr: o.errorRatio(w), labels: labels(o) })),
  );
  const alerts: Rule[] = model.objectives.flatMap((o) =>
    BURN_RATE_WINDOWS.map((b) => {
      // Readable as the workbook writes it (burn factor * budget). A burn at exactly the factor counts: the
      // relative tolerance absorbs float error in the ratio of two rates (1 - 700/1000 is not exactly 0.3).
      const threshold = `(${b.factor} * ${o.budget} * (1 - ${BURN_RATE_TOLERANCE}))`;
      const exhausted = periodDays / b.factor;
      return {
        alert: 'SloErrorBudgetBurn',
        expr: `${sliRecord(b.long)}${match(o)} >= ${threshold} and ${sliRecord(b.short)}${match(o)} >= ${threshold}`,
        labels: { severity: b.severity, ...labels(o), burn_rate: `${b.factor}x`, window: `${b.long}/${b.short}` },
        annotations: {
          summary: `${model.service}: ${o.name} error budget burning at ${b.factor}x or more`,
          description:
            `The ${o.name} objective (${o.description}) allows ${pct(o.budget)} bad requests over ${periodDays} days. ` +
            `Over the last ${b.long} and ${b.short} the bad share is {{ $value | humanizePercentage }}, ${b.factor} times the budget: ` +
            `at this rate the whole ${periodDays}-day budget is gone in ${exhausted >= 1 ? `${number(exhausted)} days` : `${number(exhausted * 24)} hours`}.`,
          runbook_url: runbook(`slo-${o.name}`),
        },
      };
    }),
  );
  const absent: Rule = {
    alert: 'SloMetricsAbsent',
    expr: `absent(${model.requests}{namespace="${model.namespace}",service="${model.service}"})`,
    for: '10m',
    labels: { severity: 'ticket', service: model.service, namespace: model.namespace, slo: 'all' },
    annotations: {
      summary: `${model.service}: no ${model.requests} series for 10 minutes`,
      description: 'Without the request metrics the SLO alerts cannot fire: check the ServiceMonitor and the metrics endpoint.',
      runbook_url: runbook('slo-metrics-absent'),
    },
  };
  return [
    { name: `slo-${model.service}-recordings`, interval: '30s', rules: recording },
    { name: `slo-${model.service}-alerts`, rules: [...alerts, absent] },
  ];
}

export interface SloRulesProps extends SloSpec {
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Stage 5, the writer: the rule groups of one service as a PrometheusRule. */
export class SloRules extends Construct {
  public readonly model: SloModel;
  public readonly groups: readonly RuleGroup[];
  public readonly rules: RuleGroups;

  constructor(scope: Construct, id: string, props: SloRulesProps) {
    super(scope, id);
    const problems = Problems.of(this);
    validateSloSpec(props, problems);
    problems.throwIfAny();
    this.model = sloModel(props);
    this.groups = sloRuleGroups(this.model);
    this.rules = new RuleGroups(this, 'Rules', {
      name: `${props.service}-slo`,
      namespace: props.namespace,
      groups: this.groups,
      labels: props.labels,
    });
  }
}

function pct(ratio: number): string {
  return `${number(ratio * 100)}%`;
}
