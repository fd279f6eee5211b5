import { parse } from 'yaml';
import { AlertRouting, AlertRoutingOptions, alertmanagerYaml } from '../../../constructs/observability/alert-routing';
import { schemaValidator } from '../../support/k8s-schema';
import { freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const options: AlertRoutingOptions = {
  namespace: 'web',
  airGapped: false,
  onCall: { kind: 'pagerduty', routingKeySecret: { name: 'pagerduty', key: 'routing-key' } },
  ticket: { kind: 'webhook', url: 'https://tickets.example.com/hook' },
};

describe('AlertRouting', () => {
  const chart = freshChart();
  new AlertRouting(chart, 'routing', options);
  const [cr] = objectsOf(chart) as Json[];

  it('routes pages to on-call and tickets to the ticket receiver, grouped by service and slo', () => {
    expect(cr.spec.route).toMatchObject({ receiver: 'ticket', groupBy: ['service', 'slo'] });
    expect(cr.spec.route.routes.map((r: Json) => [r.matchers[0].value, r.receiver, r.repeatInterval])).toEqual([
      ['page', 'on-call', '1h'],
      ['ticket', 'ticket', '24h'],
    ]);
  });

  it('silences a ticket while a page fires for the same service and slo, and an anomaly while an SLO burn does', () => {
    expect(cr.spec.inhibitRules).toEqual([
      {
        sourceMatch: [{ name: 'severity', value: 'page', matchType: '=' }],
        targetMatch: [{ name: 'severity', value: 'ticket', matchType: '=' }],
        equal: ['service', 'slo'],
      },
      {
        sourceMatch: [{ name: 'alertname', value: 'SloErrorBudgetBurn', matchType: '=' }],
        targetMatch: [{ name: 'anomaly', value: 'true', matchType: '=' }],
        equal: ['namespace', 'service', 'slo'],
      },
      {
        sourceMatch: [{ name: 'alertname', value: 'AnomalyTrafficStopped', matchType: '=' }],
        targetMatch: [{ name: 'alertname', value: 'AnomalyTrafficDrop', matchType: '=' }],
        equal: ['namespace', 'service'],
      },
    ]);
  });

  it('reads the PagerDuty key from a Secret, never inline', () => {
    expect(cr.spec.receivers[0].pagerdutyConfigs[0].routingKey).toEqual({ name: 'pagerduty', key: 'routing-key' });
  });

  it('renders the same routing as a plain alertmanager.yml', () => {
    const am = parse(alertmanagerYaml(options));
    expect(am.route.routes.map((r: Json) => [r.matchers[0], r.receiver])).toEqual([
      ['severity="page"', 'on-call'],
      ['severity="ticket"', 'ticket'],
    ]);
    expect(am.receivers.map((r: Json) => r.name)).toEqual(cr.spec.receivers.map((r: Json) => r.name));
    expect(am.inhibit_rules.map((r: Json) => r.equal)).toEqual(cr.spec.inhibitRules.map((r: Json) => r.equal));
  });

  it('is schema-valid', () => {
    expect(schemaValidator().validate(cr)).toEqual([]);
  });

  it('keeps air-gapped alerts inside the cluster', () => {
    expect(
      () =>
        new AlertRouting(freshChart(), 'routing', {
          ...options,
          airGapped: true,
          ticket: { kind: 'webhook', url: 'https://tickets.example.com/hook' },
        }),
    ).toThrow(
      [
        "test/routing: 'alerting.onCall.kind' (\"pagerduty\") cannot reach PagerDuty from an air-gapped environment; use a 'webhook' to an in-cluster bridge",
        'test/routing: \'alerting.ticket.url\' ("https://tickets.example.com/hook") must be an in-cluster Service (<name>.<namespace>.svc) in an air-gapped environment',
      ].join('\n'),
    );
  });
});
