import { Problems } from '../../../constructs/core/errors';
import { Receiver, checkReceiver, integration, secretRefs } from '../../../constructs/observability/alert-receivers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ref = (name: string) => ({ name, key: 'k' });
const receivers: Record<Receiver['kind'], Receiver> = {
  webhook: { kind: 'webhook', url: 'http://bridge.monitoring.svc:8080/page' },
  pagerduty: { kind: 'pagerduty', routingKeySecret: ref('pd') },
  opsgenie: { kind: 'opsgenie', apiKeySecret: ref('og'), responders: [{ type: 'escalation', name: 'web-escalation' }] },
  servicenow: { kind: 'servicenow', url: 'https://acme.service-now.com/api/x', username: 'am', passwordSecret: ref('sn') },
  slack: { kind: 'slack', webhookUrlSecret: ref('slack'), channel: '#ops' },
  msteams: { kind: 'msteams', webhookUrlSecret: ref('teams') },
};

describe('receiver integrations', () => {
  it('renders each kind to its Alertmanager integration, credentials as files under the mounted Secret', () => {
    const blocks = Object.fromEntries(Object.entries(receivers).map(([k, r]) => [k, integration(r) as Json]));
    expect(Object.fromEntries(Object.entries(blocks).map(([k, b]) => [k, Object.keys(b)]))).toEqual({
      webhook: ['webhook_configs'],
      pagerduty: ['pagerduty_configs'],
      opsgenie: ['opsgenie_configs'],
      servicenow: ['webhook_configs'],
      slack: ['slack_configs'],
      msteams: ['msteamsv2_configs'],
    });
    expect(blocks.pagerduty.pagerduty_configs[0].routing_key_file).toBe('/etc/alertmanager/secrets/pd/k');
    expect(blocks.opsgenie.opsgenie_configs[0]).toMatchObject({
      api_key_file: '/etc/alertmanager/secrets/og/k',
      responders: [{ type: 'escalation', name: 'web-escalation' }],
    });
    expect(blocks.servicenow.webhook_configs[0].http_config.basic_auth).toEqual({
      username: 'am',
      password_file: '/etc/alertmanager/secrets/sn/k',
    });
    expect(blocks.slack.slack_configs[0]).toMatchObject({ api_url_file: '/etc/alertmanager/secrets/slack/k', channel: '#ops' });
    expect(blocks.msteams.msteamsv2_configs[0].webhook_url_file).toBe('/etc/alertmanager/secrets/teams/k');
  });

  it('puts the remediation outcome into every notification that has a text of its own', () => {
    for (const kind of ['pagerduty', 'opsgenie', 'slack', 'msteams'] as const)
      expect(JSON.stringify(integration(receivers[kind]))).toContain('.Annotations.remediation_outcome');
  });

  it('lists the Secret each credential is read from', () => {
    expect(Object.values(receivers).flatMap((r) => secretRefs(r).map((s) => `${s.input}:${s.ref!.name}`))).toEqual([
      'routingKeySecret:pd',
      'apiKeySecret:og',
      'passwordSecret:sn',
      'webhookUrlSecret:slack',
      'webhookUrlSecret:teams',
    ]);
  });

  it('accepts every kind with its references, and refuses a ServiceNow receiver without its user', () => {
    const p = new Problems('test');
    for (const [k, r] of Object.entries(receivers)) checkReceiver(p, `alerting.receivers.${k}`, r, false);
    checkReceiver(p, 'alerting.receivers.sn2', { ...(receivers.servicenow as Json), username: '' }, false);
    expect(() => p.throwIfAny()).toThrow(/^test: 'alerting.receivers.sn2.username' \(""\) must name the integration user$/);
  });
});
