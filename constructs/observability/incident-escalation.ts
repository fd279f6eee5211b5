import { RuleGroup, runbook } from './rule-groups';

/** The alert that escalates a page nobody has acknowledged. */
export const NOT_ACKNOWLEDGED = 'IncidentNotAcknowledged';

export interface EscalationRuleOptions {
  /** Namespace of the alerts. */
  readonly namespace: string;
  readonly team: string;
  /** PromQL matchers that select the team's alerts, e.g. `service=~"nlp-service"`. */
  readonly matchers: readonly string[];
  readonly afterMinutes: number;
}

/**
 * One rule per escalating team: a page of the team still firing `afterMinutes` after it started becomes
 * `IncidentNotAcknowledged` (`severity=page`, `escalation="true"`), with the page's own `service`, `slo` and
 * `namespace` and the paging alert's name in `escalated_alert`. Routing sends it to the team's escalation receiver.
 * Acknowledging is silencing the incident in Alertmanager by its group labels (`service`, `slo`): the silence holds
 * back the repeats of the page and this alert alike, since both carry those labels.
 */
export function escalationRules(teams: readonly EscalationRuleOptions[]): RuleGroup[] {
  if (teams.length === 0) return [];
  return [
    {
      name: 'incident-escalation',
      rules: teams.map((t) => ({
        alert: NOT_ACKNOWLEDGED,
        expr: `max without (alertstate) (label_replace(ALERTS{${[
          'alertstate="firing"',
          'severity="page"',
          `alertname!="${NOT_ACKNOWLEDGED}"`,
          `namespace="${t.namespace}"`,
          ...t.matchers,
        ].join(', ')}}, "escalated_alert", "$1", "alertname", "(.*)"))`,
        for: `${t.afterMinutes}m`,
        labels: { severity: 'page', escalation: 'true', team: t.team },
        annotations: {
          summary: `{{ $labels.service }} {{ $labels.escalated_alert }} has paged ${t.team} for ${t.afterMinutes} minutes without acknowledgement`,
          description:
            'Nobody has silenced this incident in Alertmanager (silence its service and slo to acknowledge); ' +
            'the escalation receiver is paged now.',
          runbook_url: runbook('incident-not-acknowledged'),
        },
      })),
    },
  ];
}
