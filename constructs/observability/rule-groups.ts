import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheusrules-monitoring.coreos.com';

/** One alerting or recording rule, in Prometheus' own rule-file shape. */
export interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  /** Prometheus duration, e.g. `5m`. */
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval, e.g. `30s`. @default - Prometheus' global interval */
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

/** Severities the Alertmanager routes on: `page` wakes someone, `ticket` waits for working hours. */
export type Severity = 'page' | 'ticket';

/** Runbook links live under one base so operators find them in one place. */
export const RUNBOOK_BASE = 'https://runbooks.perfstack.dev';

export function runbook(slug: string): string {
  return `${RUNBOOK_BASE}/${slug}`;
}

/**
 * Construct context key for the runbook site of a whole app (an air-gapped site serves its runbooks in-cluster).
 * `RuleGroups` rewrites `runbook_url` annotations from {@link RUNBOOK_BASE} to it.
 */
export const RUNBOOK_BASE_CONTEXT = 'perfstack:runbookBase';

function rebase(groups: readonly RuleGroup[], base: string): RuleGroup[] {
  if (base === RUNBOOK_BASE) return [...groups];
  return groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) =>
      r.annotations?.runbook_url?.startsWith(RUNBOOK_BASE)
        ? { ...r, annotations: { ...r.annotations, runbook_url: base + r.annotations.runbook_url.slice(RUNBOOK_BASE.length) } }
        : r,
    ),
  }));
}

export interface RuleGroupsProps {
  readonly name: string;
  readonly namespace: string;
  readonly groups: readonly RuleGroup[];
  /** Labels on the PrometheusRule (the Prometheus `ruleSelector` matches them). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A PrometheusRule carrying rule groups, for prometheus-operator to load. */
export class RuleGroups extends Construct {
  public readonly groups: readonly RuleGroup[];
  public readonly prometheusRule: PrometheusRule;

  constructor(scope: Construct, id: string, props: RuleGroupsProps) {
    super(scope, id);
    this.groups = rebase(props.groups, (this.node.tryGetContext(RUNBOOK_BASE_CONTEXT) as string | undefined) ?? RUNBOOK_BASE);
    this.prometheusRule = new PrometheusRule(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...(props.labels ?? {}) } },
      spec: {
        groups: this.groups.map((g) => ({
          name: g.name,
          interval: g.interval,
          rules: g.rules.map((r) => ({
            alert: r.alert,
            record: r.record,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            for: r.for,
            labels: r.labels ? { ...r.labels } : undefined,
            annotations: r.annotations ? { ...r.annotations } : undefined,
          })),
        })),
      },
    });
  }
}
