import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { SECRETS_DIR } from '../../constructs/observability/alert-receivers';
import { AlertRoutingOptions, alertmanagerYaml } from '../../constructs/observability/alert-routing';
import { cacheAnomalyRuleGroups, databaseAnomalyRuleGroups } from '../../constructs/observability/data-tier-anomaly-rules';
import { ENVIRONMENTS } from '../../stacks/environments';
import { monitoringStackValuesOf, renderEnvironment } from '../../stacks/synth';
import { ALERTMANAGER_0_33_FIELDS, NEWER_THAN_0_25 } from './support/alertmanager-fields';
import { RunningAlertmanager, startAlertmanager } from './support/alertmanager';
import { describeWithPrograms } from './support/programs';
import { notification } from '../../remediation/notifications';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The configuration synth writes for `env` (kube-prometheus-stack's `alertmanager.config`). */
const generated = (env: string): Json => (monitoringStackValuesOf(ENVIRONMENTS[env]).alertmanager as Json).config;

/** Receiver integration blocks of a configuration, as [receiver, integration, block]. */
const blocks = (config: Json): [string, string, Json][] =>
  config.receivers.flatMap((r: Json) =>
    Object.entries(r)
      .filter(([k]) => k.endsWith('_configs'))
      .flatMap(([k, list]) => (list as Json[]).map((b): [string, string, Json] => [r.name, k, b])),
  );

describe('receiver integrations of every environment, against Alertmanager v0.33.1 (the pinned release) field names', () => {
  it.each(Object.keys(ENVIRONMENTS))('%s: every field of every integration exists in v0.33.1', (env) => {
    const unknown = blocks(generated(env)).flatMap(([name, kind, block]) => [
      ...Object.keys(block)
        .filter((f) => !ALERTMANAGER_0_33_FIELDS[kind]?.includes(f))
        .map((f) => `${name}.${kind}.${f}`),
      ...((block.responders ?? []) as Json[]).flatMap((r) =>
        Object.keys(r)
          .filter((f) => !ALERTMANAGER_0_33_FIELDS['opsgenie_configs.responders'].includes(f))
          .map((f) => `${name}.${kind}.responders.${f}`),
      ),
    ]);
    expect(unknown).toEqual([]);
  });
});

describeWithPrograms('Alertmanager routing of every environment, on real amtool', ['amtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-am-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /**
   * The generated configuration, less the integrations amtool 0.25 does not know (checked against v0.33.1's field
   * names above instead): routing, inhibition, templates and every other integration are amtool's to judge.
   */
  const configFor = (env: string) => {
    const config = generated(env);
    const stripped = config.receivers.map((r: Json) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => !(NEWER_THAN_0_25 as readonly string[]).includes(k))),
    );
    const removed = blocks(config).filter(([, kind]) => (NEWER_THAN_0_25 as readonly string[]).includes(kind));
    if (removed.length > 0)
      console.warn(
        `${env}: amtool 0.25 does not know ${removed.map(([n, k]) => `${n}.${k}`).join(', ')}; checked against v0.33.1 field names only`,
      );
    const file = path.join(dir, `${env}.yml`);
    fs.writeFileSync(file, stringify({ ...config, receivers: stripped }, { lineWidth: 0 }));
    return file;
  };
  const route = (file: string, ...labels: string[]) =>
    spawnSync(bin.amtool, ['config', 'routes', 'test', `--config.file=${file}`, ...labels], { encoding: 'utf8' }).stdout.trim();

  it.each(Object.keys(ENVIRONMENTS))('%s: amtool check-config accepts it', (env) => {
    const r = spawnSync(bin.amtool, ['check-config', configFor(env)], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  it.each(Object.keys(ENVIRONMENTS))(
    "%s: each service's pages and tickets reach its team's receivers, the rest the default team's",
    (env) => {
      const e = ENVIRONMENTS[env];
      const file = configFor(env);
      for (const s of e.services) {
        const team = e.alerting.teams[s.team ?? e.alerting.defaultTeam];
        expect(route(file, 'severity=page', `service=${s.name}`, 'slo=availability', 'namespace=web')).toBe(team.page);
        expect(route(file, 'severity=ticket', `service=${s.name}`, 'slo=latency', 'namespace=web')).toBe(team.ticket);
      }
      const platform = e.alerting.teams[e.alerting.defaultTeam];
      expect(route(file, 'severity=page', 'alertname=PostgresPrimaryDown', 'component=platform')).toBe(platform.page);
      expect(route(file, 'alertname=Unlabelled')).toBe(platform.ticket);
      expect(route(file, 'alertname=Watchdog', 'severity=none')).toBe('null');
      const escalations = Object.entries(e.alerting.teams).filter(([, t]) => t.escalation);
      const escalationArgs = [
        'alertname=IncidentNotAcknowledged',
        'severity=page',
        'escalation=true',
        'service=api-gateway',
        'slo=availability',
      ];
      expect(escalations.map(([team]) => route(file, ...escalationArgs, `team=${team}`))).toEqual(
        escalations.map(([, t]) => t.escalation!.receiver),
      );
    },
  );

  it('prod: pages of nlp-service go to its team on Jira Service Management, other pages to PagerDuty, tickets to ServiceNow', () => {
    const file = configFor('prod');
    expect(route(file, 'severity=page', 'service=nlp-service', 'slo=availability')).toBe('nlp-jsm');
    expect(route(file, 'severity=page', 'service=api-gateway', 'slo=availability')).toBe('pagerduty');
    expect(route(file, 'severity=page', 'alertname=RemediationEscalation', 'service=nlp-service', 'remediated_alert=AnomalyLatency')).toBe(
      'nlp-jsm',
    );
    expect(route(file, 'severity=ticket', 'service=nlp-service', 'slo=latency')).toBe('servicenow');
  });

  it.each(Object.keys(ENVIRONMENTS))("%s: the alerts its remediation policy answers reach the runner, then the team's receiver", (env) => {
    const e = ENVIRONMENTS[env];
    const file = configFor(env);
    const { page, ticket } = e.alerting.teams[e.alerting.defaultTeam];
    const labels = ['service=api-gateway', 'namespace=web'];
    expect(route(file, 'alertname=LatencyP99High', 'severity=page', ...labels)).toBe(`remediation,${page}`);
    expect(route(file, 'alertname=SloErrorBudgetBurn', 'severity=ticket', 'slo=availability', ...labels)).toBe(`remediation,${ticket}`);
    // Its own escalation, and alerts outside the policy, never reach the runner.
    expect(route(file, 'alertname=RemediationEscalation', 'severity=page', ...labels)).toBe(page);
    expect(route(file, 'alertname=PodCrashLooping', 'severity=page', ...labels)).toBe(page);
  });

  it.each(Object.keys(ENVIRONMENTS))(
    "%s: the data tier's anomaly tickets, with the labels their rules set, reach the default team",
    (env) => {
      const e = ENVIRONMENTS[env];
      const file = configFor(env);
      const alerts = [cacheAnomalyRuleGroups('redis', e.namespace), databaseAnomalyRuleGroups('postgres', e.namespace, 'app')].map(
        (groups) => groups[groups.length - 1].rules[0],
      );
      for (const a of alerts)
        expect(
          route(file, `alertname=${a.alert}`, `namespace=${e.namespace}`, ...Object.entries(a.labels!).map(([k, v]) => `${k}=${v}`)),
        ).toBe(e.alerting.teams[e.alerting.defaultTeam].ticket);
    },
  );
});

/** An alert as posted to Alertmanager's v2 API. */
interface PostedAlert {
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** A loopback HTTP server standing in for PagerDuty and Slack: it keeps every JSON body by path. */
async function startReceiver(): Promise<{ url: string; bodies: Map<string, Json[]>; close: () => Promise<void> }> {
  const bodies = new Map<string, Json[]>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.set(req.url ?? '', [...(bodies.get(req.url ?? '') ?? []), JSON.parse(body)]);
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describeWithPrograms('Alertmanager delivery and inhibition, on a real Alertmanager', ['prometheus-alertmanager'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-am-deliver-'));
  let alertmanager: RunningAlertmanager | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let url = '';
  // Secret values that only ever exist in the mounted files.
  const ROUTING_KEY = 'pd-routing-key-only-in-the-secret-file';

  beforeAll(async () => {
    receiver = await startReceiver();
    // Two teams, as prod routes them: platform pages to PagerDuty (its Events API URL overridden to the loopback
    // receiver), nlp pages to Slack (whose webhook URL is the secret file's content).
    const o: AlertRoutingOptions = {
      namespace: 'web',
      airGapped: false,
      services: [{ name: 'api-gateway' }, { name: 'nlp-service', team: 'nlp' }],
      alerting: {
        receivers: {
          pagerduty: { kind: 'pagerduty', routingKeySecret: { name: 'pagerduty', key: 'routing-key' }, url: `${receiver.url}/pagerduty` },
          slack: { kind: 'slack', webhookUrlSecret: { name: 'slack', key: 'url' } },
          tickets: { kind: 'webhook', url: `${receiver.url}/tickets` },
          leads: { kind: 'webhook', url: `${receiver.url}/leads` },
        },
        teams: {
          platform: { page: 'pagerduty', ticket: 'tickets' },
          nlp: { page: 'slack', ticket: 'tickets', escalation: { afterMinutes: 15, receiver: 'leads' } },
        },
        defaultTeam: 'platform',
      },
    };
    const secrets = path.join(dir, 'secrets');
    fs.mkdirSync(path.join(secrets, 'pagerduty'), { recursive: true });
    fs.mkdirSync(path.join(secrets, 'slack'), { recursive: true });
    fs.writeFileSync(path.join(secrets, 'pagerduty', 'routing-key'), ROUTING_KEY);
    fs.writeFileSync(path.join(secrets, 'slack', 'url'), `${receiver.url}/slack`);
    // The generated file with the Secrets' mount point moved to the test's folder, and notifications sent after 1 s
    // instead of 30 s: nothing else changed.
    const yaml = alertmanagerYaml(o).replaceAll(SECRETS_DIR, secrets).replace('group_wait: 30s', 'group_wait: 1s');
    if (!yaml.includes('group_wait: 1s')) throw new Error('the generated group_wait changed; update this suite');
    fs.writeFileSync(path.join(dir, 'am.yml'), yaml);
    alertmanager = await startAlertmanager(bin['prometheus-alertmanager'], path.join(dir, 'am.yml'), path.join(dir, 'data'));
    url = alertmanager.url;
  }, 60000);

  afterAll(async () => {
    await alertmanager?.stop();
    await receiver?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function post(alerts: PostedAlert[]): Promise<void> {
    const body = alerts.map((a) => ({ ...a, labels: { namespace: 'web', ...a.labels } }));
    const res = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  }

  async function delivered(p: string, count = 1): Promise<Json[]> {
    const deadline = Date.now() + 20000;
    while ((receiver!.bodies.get(p) ?? []).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return receiver!.bodies.get(p) ?? [];
  }

  /** An alert of `service` and `slo`, and the runner's escalation of it with `outcome`, as the runner posts it. */
  const withEscalation = (service: string, slo: string, alertname: string, summary: string, outcome: string): PostedAlert[] => [
    { labels: { alertname, severity: 'page', service, slo }, annotations: { summary } },
    {
      labels: { alertname: 'RemediationEscalation', severity: 'page', service, slo, remediated_alert: alertname },
      annotations: { summary: 'needs a person', remediation_outcome: outcome },
    },
  ];

  it("delivers a platform page to PagerDuty, with the runner's escalation outcome in the incident's details", async () => {
    await post(
      withEscalation(
        'api-gateway',
        'availability',
        'SloErrorBudgetBurn',
        'burning',
        'acted restart: still firing 10 minutes after the action',
      ),
    );
    const [event] = await delivered('/pagerduty');
    expect(event.routing_key).toBe(ROUTING_KEY);
    expect(event.event_action).toBe('trigger');
    expect(event.payload.severity).toBe('critical');
    expect(event.payload.summary).toBe('[FIRING] api-gateway availability (page): SloErrorBudgetBurn, RemediationEscalation');
    expect(event.payload.custom_details.remediation).toBe(
      'Remediation of SloErrorBudgetBurn: acted restart: still firing 10 minutes after the action\n',
    );
    expect(event.payload.custom_details.firing).toBe('2');
  });

  it("delivers a page of nlp-service to its team's Slack webhook, the remediation outcome in the message", async () => {
    await post(withEscalation('nlp-service', 'latency', 'AnomalyLatency', 'slow', 'escalated: hourly limit of 2 restarts reached'));
    const [message] = await delivered('/slack');
    expect(message.attachments[0].title).toBe('[FIRING] nlp-service latency (page): AnomalyLatency, RemediationEscalation');
    expect(message.attachments[0].text).toContain('AnomalyLatency: slow');
    expect(message.attachments[0].text).toContain('Remediation of AnomalyLatency: escalated: hourly limit of 2 restarts reached');
    expect(receiver!.bodies.get('/pagerduty')).toHaveLength(1);
  });

  it("adds the runner's outcome to the notification of the ticket it answered, on the ticket's route and no page", async () => {
    const answered = { alertname: 'AnomalyTrafficSpike', severity: 'ticket', service: 'api-gateway', slo: 'traffic', namespace: 'web' };
    const outcome = notification(
      'outcome',
      { status: 'firing', labels: answered, startsAt: '', fingerprint: 'f' },
      {
        time: '',
        service: 'api-gateway',
        alert: 'AnomalyTrafficSpike',
        labels: answered,
        verdict: 'act',
        action: 'scale',
        dryRun: false,
        outcome: 'floor raised to 6 for 30 min',
        reason: 'AnomalyTrafficSpike on api-gateway',
      },
    );
    await post([{ labels: answered, annotations: { summary: 'spike' } }, outcome]);
    const [ticket] = await delivered('/tickets');
    expect(ticket.groupLabels).toEqual({ service: 'api-gateway', slo: 'traffic' });
    expect(ticket.alerts.map((a: Json) => [a.labels.alertname, a.annotations.remediation_outcome])).toEqual([
      ['AnomalyTrafficSpike', undefined],
      ['RemediationOutcome', 'act scale: floor raised to 6 for 30 min'],
    ]);
    expect(receiver!.bodies.get('/pagerduty') ?? []).toHaveLength(1);
  });

  it("pages the nlp team's escalation receiver for an unacknowledged incident, and not for one acknowledged by a silence", async () => {
    const silence = {
      matchers: [
        { name: 'service', value: 'nlp-service', isRegex: false, isEqual: true },
        { name: 'slo', value: 'traffic', isRegex: false, isEqual: true },
      ],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
      createdBy: 'on-call',
      comment: 'ack: looking into it',
    };
    const silenced = await fetch(`${url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(silence),
    });
    expect(silenced.status).toBe(200);
    const escalation = (slo: string, escalated: string) => ({
      labels: {
        alertname: 'IncidentNotAcknowledged',
        severity: 'page',
        escalation: 'true',
        team: 'nlp',
        service: 'nlp-service',
        slo,
        escalated_alert: escalated,
      },
      annotations: { summary: `nlp-service ${escalated} has paged nlp for 15 minutes without acknowledgement` },
    });
    await post([escalation('availability', 'SloErrorBudgetBurn'), escalation('traffic', 'AnomalyTrafficStopped')]);
    const [first] = await delivered('/leads');
    expect(first.alerts.map((a: Json) => a.labels.escalated_alert)).toEqual(['SloErrorBudgetBurn']);
    // Both groups were due after the same 1 s group_wait; give the silenced one as long again to show up.
    await new Promise((r) => setTimeout(r, 3000));
    expect((receiver!.bodies.get('/leads') ?? []).flatMap((b) => b.alerts.map((a: Json) => a.labels.slo))).toEqual(['availability']);
  });

  /** Posts `alerts` and returns, per alertname, whether Alertmanager holds it inhibited. */
  async function inhibited(alerts: Record<string, string>[], service = 'audit-service'): Promise<Record<string, boolean>> {
    await post(alerts.map((labels) => ({ labels: { service, ...labels } })));
    // Inhibition is evaluated when the alerts are read; the source must be in the store first.
    await new Promise((r) => setTimeout(r, 200));
    const held = (await (await fetch(`${url}/api/v2/alerts?filter=${encodeURIComponent(`service="${service}"`)}`)).json()) as {
      labels: Record<string, string>;
      status: { inhibitedBy: string[] };
    }[];
    return Object.fromEntries(held.map((a) => [`${a.labels.alertname}/${a.labels.slo ?? ''}`, a.status.inhibitedBy.length > 0]));
  }

  it('holds back an anomaly alert that an SLO burn of the same service and slo already reports, and only that', async () => {
    const state = await inhibited([
      { alertname: 'SloErrorBudgetBurn', severity: 'ticket', slo: 'availability' },
      { alertname: 'AnomalyErrorRatio', severity: 'ticket', slo: 'availability', anomaly: 'true' },
      { alertname: 'AnomalyLatency', severity: 'ticket', slo: 'latency', anomaly: 'true' },
      { alertname: 'AnomalyTrafficStopped', severity: 'page', slo: 'traffic', anomaly: 'true' },
      { alertname: 'AnomalyTrafficDrop', severity: 'ticket', slo: 'traffic', anomaly: 'true' },
    ]);
    expect(state).toEqual({
      'SloErrorBudgetBurn/availability': false,
      'AnomalyErrorRatio/availability': true,
      'AnomalyLatency/latency': false,
      'AnomalyTrafficStopped/traffic': false,
      'AnomalyTrafficDrop/traffic': true,
    });
  });

  it("never holds back the ticket the runner escalated, nor its outcome: inhibition mutes for every receiver, the runner's too", async () => {
    // Held back, the ticket would reach the runner no more: neither its re-sends (which keep the escalation firing)
    // nor its resolution (which ends the escalation, counts the outcome and clears the runner's state).
    const answered = { alertname: 'AnomalyLatency', severity: 'ticket', slo: 'latency', anomaly: 'true' };
    const state = await inhibited(
      [
        answered,
        { alertname: 'RemediationOutcome', severity: 'ticket', slo: 'latency', remediated_alert: 'AnomalyLatency' },
        { alertname: 'RemediationEscalation', severity: 'page', slo: 'latency', remediated_alert: 'AnomalyLatency' },
        // Any other page still holds back the tickets of its service and slo.
        { alertname: 'SloErrorBudgetBurn', severity: 'ticket', slo: 'availability' },
        { alertname: 'SloErrorBudgetBurnFast', severity: 'page', slo: 'availability' },
      ],
      'web',
    );
    expect(state).toEqual({
      'AnomalyLatency/latency': false,
      'RemediationOutcome/latency': false,
      'RemediationEscalation/latency': false,
      'SloErrorBudgetBurn/availability': true,
      'SloErrorBudgetBurnFast/availability': false,
    });
  });
});

describe('no secret value in any synthesized file', () => {
  it.each(Object.keys(ENVIRONMENTS))('%s: every receiver credential is a *_file path under the mounted Secrets, never a value', (env) => {
    const values = monitoringStackValuesOf(ENVIRONMENTS[env]).alertmanager as Json;
    const files = JSON.stringify(values.config).match(/"[a-z_]+_file":"[^"]*"/g) ?? [];
    for (const f of files) expect(f).toMatch(new RegExp(`_file":"${SECRETS_DIR}/[a-z0-9.-]+/[-._a-zA-Z0-9]+"$`));
    expect(values.alertmanagerSpec.secrets).toEqual([...new Set(files.map((f) => f.split('/')[4]))].sort());
    // Every file synth writes for the environment (what dist/<env>/ holds): no credential field with a value.
    const credential = /^\s*-?\s*(routing_key|service_key|api_key|webhook_url|app_token|bot_token|token|password|credentials|stringData):/m;
    const written = renderEnvironment(ENVIRONMENTS[env]).filter((f) => credential.test(f.content));
    expect(written.map((f) => `${f.path}: ${credential.exec(f.content)![0].trim()}`)).toEqual([]);
  });
});
