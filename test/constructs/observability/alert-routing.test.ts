import { parse } from 'yaml';
import { Receiver } from '../../../constructs/observability/alert-receivers';
import { AlertRouting, AlertRoutingOptions, alertmanagerYaml } from '../../../constructs/observability/alert-routing';
import { freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const pagerduty: Receiver = { kind: 'pagerduty', routingKeySecret: { name: 'pagerduty', key: 'routing-key' } };
const options: AlertRoutingOptions = {
  namespace: 'web',
  airGapped: false,
  services: [{ name: 'api-gateway' }, { name: 'nlp-service', team: 'nlp' }, { name: 'web', team: 'platform' }],
  alerting: {
    receivers: {
      pagerduty,
      slack: { kind: 'slack', webhookUrlSecret: { name: 'slack-webhook', key: 'url' } },
      tickets: { kind: 'webhook', url: 'https://tickets.example.com/hook' },
    },
    teams: { platform: { page: 'pagerduty', ticket: 'tickets' }, nlp: { page: 'slack', ticket: 'tickets' } },
    defaultTeam: 'platform',
  },
};

const routing = (o: Partial<Omit<AlertRoutingOptions, 'alerting'>> & { alerting?: Partial<AlertRoutingOptions['alerting']> } = {}) =>
  new AlertRouting(freshChart(), 'routing', { ...options, ...o, alerting: { ...options.alerting, ...o.alerting } });

describe('AlertRouting', () => {
  const r = routing();
  const config = r.config as Json;

  it("routes a team's services by severity to its receivers, and the rest to the default team", () => {
    expect(config.route).toMatchObject({ receiver: 'tickets', group_by: ['service', 'slo'], repeat_interval: '24h' });
    expect(config.route.routes).toEqual([
      { receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
      {
        receiver: 'tickets',
        matchers: ['service=~"nlp-service"'],
        routes: [
          { receiver: 'slack', matchers: ['severity="page"'], repeat_interval: '1h' },
          { receiver: 'tickets', matchers: ['severity="ticket"'], repeat_interval: '24h' },
        ],
      },
      { receiver: 'pagerduty', matchers: ['severity="page"'], repeat_interval: '1h' },
      { receiver: 'tickets', matchers: ['severity="ticket"'], repeat_interval: '24h' },
    ]);
  });

  it('reads every credential from a mounted Secret file and lists the Secrets to mount', () => {
    const byName = Object.fromEntries(config.receivers.map((x: Json) => [x.name, x]));
    expect(byName.pagerduty.pagerduty_configs[0].routing_key_file).toBe('/etc/alertmanager/secrets/pagerduty/routing-key');
    expect(byName.slack.slack_configs[0].api_url_file).toBe('/etc/alertmanager/secrets/slack-webhook/url');
    expect(r.secrets).toEqual(['pagerduty', 'slack-webhook']);
    expect(JSON.stringify(config)).not.toMatch(/"(routing_key|api_url|api_key|webhook_url)"/);
  });

  it("silences a ticket while a page other than the runner's escalation fires for the same service and slo, and an anomaly while an SLO burn does", () => {
    expect(config.inhibit_rules.map((x: Json) => [x.source_matchers, x.target_matchers, x.equal])).toEqual([
      [['severity="page"', 'alertname!="RemediationEscalation"'], ['severity="ticket"'], ['service', 'slo']],
      [['alertname="SloErrorBudgetBurn"'], ['anomaly="true"'], ['namespace', 'service', 'slo']],
      [['alertname="AnomalyTrafficStopped"'], ['alertname="AnomalyTrafficDrop"'], ['namespace', 'service']],
    ]);
  });

  it('renders the same configuration as alertmanager.yml, and makes no Kubernetes object of its own', () => {
    expect(parse(alertmanagerYaml(options))).toEqual(config);
    const chart = freshChart();
    new AlertRouting(chart, 'routing', options);
    expect(objectsOf(chart)).toEqual([]);
  });

  it('rejects each mistake with one line naming the construct path, the input, the value and the fix', () => {
    const cases: [() => unknown, string][] = [
      [
        () =>
          routing({ alerting: { receivers: { ...options.alerting.receivers, pagerduty: { kind: 'pagerduty' } as unknown as Receiver } } }),
        "test/routing: 'alerting.receivers.pagerduty.routingKeySecret' (missing) must reference the Secret key holding the pagerduty credential: { name: '<secret>', key: '<key>' }",
      ],
      [
        () => routing({ alerting: { teams: { ...options.alerting.teams, nlp: { page: 'opsgenie', ticket: 'tickets' } } } }),
        'test/routing: \'alerting.teams.nlp.page\' ("opsgenie") must name one of alerting.receivers (pagerduty, slack, tickets)',
      ],
      [
        () => routing({ services: [{ name: 'nlp-service', team: 'ml' }] }),
        'test/routing: \'services.nlp-service.team\' ("ml") must be one of alerting.teams (platform, nlp); add the team there with its receivers',
      ],
      [
        () => routing({ alerting: { defaultTeam: 'sre' } }),
        'test/routing: \'alerting.defaultTeam\' ("sre") must be one of alerting.teams (platform, nlp)',
      ],
      [
        () =>
          routing({
            alerting: {
              receivers: { ...options.alerting.receivers, slack: { kind: 'slack', webhookUrlSecret: { name: 'Slack_Hook', key: 'url' } } },
            },
          }),
        'test/routing: \'alerting.receivers.slack.webhookUrlSecret.name\' ("Slack_Hook") must be a Secret name (lowercase letters, digits, `-`, `.`)',
      ],
      [
        () =>
          routing({
            alerting: {
              teams: {
                ...options.alerting.teams,
                platform: { page: 'pagerduty', ticket: 'tickets', escalation: { afterMinutes: 15, receiver: 'slack' } },
              },
            },
          }),
        'test/routing: \'alerting.teams.platform.escalation\' ({"afterMinutes":15,"receiver":"slack"}) pagerduty (pagerduty) escalates on its own policy when nobody acknowledges, and Alertmanager cannot see that acknowledgement; remove \'escalation\' and set the escalation policy there',
      ],
      [
        () =>
          routing({
            alerting: {
              teams: {
                ...options.alerting.teams,
                nlp: { page: 'slack', ticket: 'tickets', escalation: { afterMinutes: 15, receiver: 'leads' } },
              },
            },
          }),
        'test/routing: \'alerting.teams.nlp.escalation.receiver\' ("leads") must name one of alerting.receivers (pagerduty, slack, tickets)',
      ],
    ];
    for (const [make, message] of cases) expect(() => make()).toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it("escalates a team's unacknowledged pages through a rule and a route of their own", () => {
    const r2 = routing({
      alerting: {
        teams: {
          ...options.alerting.teams,
          nlp: { page: 'slack', ticket: 'tickets', escalation: { afterMinutes: 20, receiver: 'pagerduty' } },
        },
      },
    });
    expect((r2.config as Json).route.routes[1]).toEqual({
      receiver: 'pagerduty',
      matchers: ['alertname="IncidentNotAcknowledged"', 'team="nlp"'],
      repeat_interval: '1h',
    });
    expect(r2.escalation!.groups[0].rules.map((x) => [x.labels!.team, x.for])).toEqual([['nlp', '20m']]);
    expect(r2.escalation!.groups[0].rules[0].expr).toContain('service=~"nlp-service"');
    expect(r.escalation).toBeUndefined();
  });

  it('keeps air-gapped alerts inside the cluster', () => {
    expect(() => routing({ airGapped: true })).toThrow(
      [
        "test/routing: 'alerting.receivers.pagerduty.kind' (\"pagerduty\") cannot reach pagerduty from an air-gapped environment; use a 'webhook' to an in-cluster bridge",
        "test/routing: 'alerting.receivers.slack.kind' (\"slack\") cannot reach slack from an air-gapped environment; use a 'webhook' to an in-cluster bridge",
        'test/routing: \'alerting.receivers.tickets.url\' ("https://tickets.example.com/hook") must be an in-cluster Service (<name>.<namespace>.svc) in an air-gapped environment',
      ].join('\n'),
    );
  });
});
