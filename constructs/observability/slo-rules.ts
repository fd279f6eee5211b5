import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { RuleGroup, RuleGroups, Rule, Severity, runbook } from './rule-groups';
import { Slo, checkSlo } from './slo';

/**
 * SLO alerting as a pipeline of pure stages (after sloth): spec -> model -> validation -> rule groups -> writer.
 * Each stage is exported and tested on its own; `SloRules` is the writer.
 *
 * @see https://sre.google/workbook/alerting-on-slos/#6-multiwindow-multi-burn-rate-alerts
 */

/** Stage 1, the spec: which service, where, and its objectives as the Environment states them. */
export interface SloSpec {
  readonly service: string;
  readonly namespace: string;
  readonly slo: Slo;
}

/** One objective in numbers: its good-event target and the error-ratio query over any window. */
export interface Objective {
  /** `availability` or `latency`, the `slo` label. */
  readonly name: 'availability' | 'latency';
  /** Target share of good events, e.g. 0.999. */
  readonly target: number;
  /** 1 - target: the share of bad events the budget allows. */
  readonly budget: number;
  /** What the objective means, for humans. */
  readonly description: string;
  /** PromQL for the share of bad events over `window`. */
  errorRatio(window: string): string;
}

/** Stage 2, the model every later stage reads. */
export interface SloModel {
  readonly service: string;
  readonly namespace: string;
  /** Window of the objective, e.g. 30 days. */
  readonly period: Duration;
  readonly requests: string;
  readonly objectives: readonly Objective[];
}

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

/** Every window a recording rule is needed for. */
export const SLI_WINDOWS = [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.short, w.long]))];

/** The recorded series of an objective's error ratio over a window. */
export function sliRecord(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

/** Stage 2: spec -> model. */
export function sloModel(spec: SloSpec): SloModel {
  const m = spec.slo.metrics ?? {};
  const requests = m.requests ?? 'http_requests_total';
  const errorSelector = m.errorSelector ?? 'code=~"5.."';
  const histogram = m.latencyHistogram ?? 'http_request_duration_seconds';
  const sel = `namespace="${spec.namespace}",service="${spec.service}"`;
  const availability = spec.slo.availabilityPercent / 100;
  const percentile = (spec.slo.latencyPercentile ?? 95) / 100;
  const le = number(spec.slo.latencyThreshold.toMilliseconds() / 1000);
  return {
    service: spec.service,
    namespace: spec.namespace,
    period: spec.slo.window ?? Duration.days(30),
    requests,
    objectives: [
      {
        name: 'availability',
        target: number(availability),
        budget: number(1 - availability),
        description: `${spec.slo.availabilityPercent}% of requests succeed`,
        errorRatio: (w) => `sum(rate(${requests}{${sel},${errorSelector}}[${w}])) / sum(rate(${requests}{${sel}}[${w}]))`,
      },
      {
        name: 'latency',
        target: number(percentile),
        budget: number(1 - percentile),
        description: `${percentile * 100}% of requests are faster than ${spec.slo.latencyThreshold.toMilliseconds()} ms`,
        // The histogram needs a bucket at the threshold (le="${le}"), or this ratio is empty.
        errorRatio: (w) => `1 - (sum(rate(${histogram}_bucket{${sel},le="${le}"}[${w}])) / sum(rate(${histogram}_count{${sel}}[${w}])))`,
      },
    ],
  };
}

/** Stage 3: the model must describe objectives a budget can be computed for. */
export function validateSloSpec(spec: SloSpec, problems: Problems): void {
  checkSlo(problems, 'slo', spec.slo);
  const days = (spec.slo.window ?? Duration.days(30)).toSeconds() / 86400;
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
      // A burn at exactly the factor counts; the tolerance absorbs float error in the ratio of two rates
      // (1 - 700/1000 is not exactly 0.3).
      const threshold = number(b.factor * o.budget * (1 - 1e-9));
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

/** A number without float noise (14.4 * 0.001 -> 0.0144). */
function number(n: number): number {
  return Number(n.toPrecision(10));
}

function pct(ratio: number): string {
  return `${number(ratio * 100)}%`;
}
