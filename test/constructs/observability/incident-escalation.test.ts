import { NOT_ACKNOWLEDGED, escalationRules } from '../../../constructs/observability/incident-escalation';

describe('escalationRules', () => {
  it('makes no group when no team escalates', () => {
    expect(escalationRules([])).toEqual([]);
  });

  it("turns a team's page still firing after its delay into an escalation alert that keeps the page's service and slo", () => {
    const [group] = escalationRules([{ namespace: 'web', team: 'nlp', matchers: ['service=~"nlp-service"'], afterMinutes: 20 }]);
    expect(group.rules).toHaveLength(1);
    const [rule] = group.rules;
    expect(rule).toMatchObject({ alert: NOT_ACKNOWLEDGED, for: '20m', labels: { severity: 'page', escalation: 'true', team: 'nlp' } });
    expect(rule.expr).toBe(
      'max without (alertstate) (label_replace(ALERTS{alertstate="firing", severity="page", alertname!="IncidentNotAcknowledged", ' +
        'namespace="web", service=~"nlp-service"}, "escalated_alert", "$1", "alertname", "(.*)"))',
    );
    expect(Object.keys(rule.annotations!).sort()).toEqual(['description', 'runbook_url', 'summary']);
  });
});
