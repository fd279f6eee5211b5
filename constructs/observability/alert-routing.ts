import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { Problems } from '../core/errors';
import { REMEDIATION_ALERTS, REMEDIATION_TIMING } from './remediation-policy';
import { Receiver, checkReceiver, integration, secretRefs } from './alert-receivers';
import { NOT_ACKNOWLEDGED, escalationRules } from './incident-escalation';
import { RuleGroup, RuleGroups, Severity } from './rule-groups';

export type { Receiver };

/** Where one team's alerts go: receiver names, keys of {@link Alerting.receivers}. */
export interface TeamRouting {
  /** Receives the team's pages (`severity=page`), re-sent hourly until resolved or silenced. */
  readonly page: string;
  /** Receives the team's tickets (`severity=ticket`) and any other alert of its services, re-sent daily. */
  readonly ticket: string;
  /**
   * Also page `receiver` (the secondary on-call, the team lead) when a page of the team still fires `afterMinutes`
   * after it started and nobody has acknowledged it, i.e. silenced the incident (its `service` and `slo`) in
   * Alertmanager. For page receivers without acknowledgement of their own (Slack, Teams, a webhook): PagerDuty
   * escalates on its service's escalation policy, Opsgenie / JSM on its responders, and are refused here.
   * @default - Alertmanager does not escalate; the page is re-sent hourly until resolved or silenced
   */
  readonly escalation?: { readonly afterMinutes: number; readonly receiver: string };
}

/**
 * An environment's incident routing: named receivers, and per team where its pages and tickets go. A service's
 * alerts belong to the service's team (`ServiceSpec.team`); alerts without a service (platform, data tier, cluster)
 * and services that name no team belong to `defaultTeam`.
 */
export interface Alerting {
  readonly receivers: Readonly<Record<string, Receiver>>;
  readonly teams: Readonly<Record<string, TeamRouting>>;
  /** A key of `teams`. */
  readonly defaultTeam: string;
}

export interface AlertRoutingOptions {
  /** Namespace of the alerts. */
  readonly namespace: string;
  readonly alerting: Alerting;
  /** The environment's services and their teams. */
  readonly services: readonly { readonly name: string; readonly team?: string }[];
  /** Receivers must then be in-cluster Services: nothing may reach outside the cluster. */
  readonly airGapped: boolean;
  /** The remediation runner's webhook and the alerts its policy answers (see {@link remediationRoute}). @default - none */
  readonly remediation?: RemediationReceiver;
}

/** Alerts of one SLO and service arrive as one notification. */
export const GROUP_BY = ['service', 'slo'] as const;

/**
 * Inhibitions, as matcher strings: a ticket while a page fires for the same service and slo (but not while the
 * remediation runner's escalation does: inhibition mutes an alert for every receiver, and the runner must keep
 * seeing the ticket it escalated, re-sent and resolved, to keep its escalation firing and to end it); an anomaly alert
 * while an SLO burn alert (which already says more) fires for the same service and slo; a traffic drop while the
 * traffic has stopped altogether.
 */
export const INHIBIT_RULES: readonly {
  readonly source: readonly string[];
  readonly target: readonly string[];
  readonly equal: readonly string[];
}[] = [
  { source: ['severity="page"', `alertname!="${REMEDIATION_ALERTS.escalation}"`], target: ['severity="ticket"'], equal: GROUP_BY },
  { source: ['alertname="SloErrorBudgetBurn"'], target: ['anomaly="true"'], equal: ['namespace', ...GROUP_BY] },
  { source: ['alertname="AnomalyTrafficStopped"'], target: ['alertname="AnomalyTrafficDrop"'], equal: ['namespace', 'service'] },
];

/** How often an unresolved, unsilenced alert is sent again: a page hourly (the nag until acknowledged), a ticket daily. */
export const REPEAT: Record<Severity, string> = { page: '1h', ticket: '24h' };

/** The receiver without integrations, for kube-prometheus-stack's always-firing heartbeats. */
const NULL_RECEIVER = 'null';
const RECEIVER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkAlertRouting(problems: Problems, o: AlertRoutingOptions): void {
  const { receivers, teams, defaultTeam } = o.alerting;
  const receiverNames = Object.keys(receivers);
  const teamNames = Object.keys(teams);
  for (const [name, r] of Object.entries(receivers)) {
    problems.check(
      RECEIVER_NAME.test(name) && name !== NULL_RECEIVER,
      'alerting.receivers',
      name,
      `must be named with lowercase letters, digits and '-' (and not '${NULL_RECEIVER}')`,
    );
    checkReceiver(problems, `alerting.receivers.${name}`, r, o.airGapped);
  }
  problems.check(teamNames.length > 0, 'alerting.teams', teams, 'must route at least one team: { <team>: { page, ticket } }');
  const known = `must name one of alerting.receivers (${receiverNames.join(', ') || 'none defined'})`;
  for (const [team, t] of Object.entries(teams)) {
    for (const severity of ['page', 'ticket'] as const)
      problems.check(receiverNames.includes(t[severity]), `alerting.teams.${team}.${severity}`, t[severity], known);
    if (t.escalation === undefined) continue;
    const at = `alerting.teams.${team}.escalation`;
    problems.check(receiverNames.includes(t.escalation.receiver), `${at}.receiver`, t.escalation.receiver, known);
    problems.check(
      Number.isInteger(t.escalation.afterMinutes) && t.escalation.afterMinutes >= 1 && t.escalation.afterMinutes <= 1440,
      `${at}.afterMinutes`,
      t.escalation.afterMinutes,
      'must be a whole number of minutes from 1 to 1440',
    );
    const kind = receivers[t.page]?.kind;
    problems.check(
      kind !== 'pagerduty' && kind !== 'opsgenie',
      at,
      t.escalation,
      `${t.page} (${kind}) escalates on its own policy when nobody acknowledges, and Alertmanager cannot see that acknowledgement; remove 'escalation' and set the escalation policy there`,
    );
  }
  problems.check(
    teamNames.includes(defaultTeam),
    'alerting.defaultTeam',
    defaultTeam,
    `must be one of alerting.teams (${teamNames.join(', ')})`,
  );
  for (const s of o.services)
    if (s.team !== undefined)
      problems.check(
        teamNames.includes(s.team),
        `services.${s.name}.team`,
        s.team,
        `must be one of alerting.teams (${teamNames.join(', ')}); add the team there with its receivers`,
      );
}

/** The Secrets the receivers read, to mount into Alertmanager (`alertmanagerSpec.secrets`). */
export function alertingSecrets(alerting: Alerting): string[] {
  return [...new Set(Object.values(alerting.receivers).flatMap((r) => secretRefs(r).map((s) => s.ref!.name)))].sort();
}

/** Team -> its services, for every team that owns at least one service (the default team owns the rest). */
function servicesByTeam(o: AlertRoutingOptions): Map<string, string[]> {
  const byTeam = new Map<string, string[]>();
  for (const s of o.services) {
    const team = s.team ?? o.alerting.defaultTeam;
    if (team !== o.alerting.defaultTeam) byTeam.set(team, [...(byTeam.get(team) ?? []), s.name]);
  }
  return byTeam;
}

/** Matchers (Alertmanager and PromQL alike) for a team's alerts: its services, or for the default team all others. */
export function teamMatchers(o: AlertRoutingOptions, team: string): string[] {
  const byTeam = servicesByTeam(o);
  if (team !== o.alerting.defaultTeam) return [`service=~"${(byTeam.get(team) ?? []).join('|')}"`];
  const others = [...byTeam.values()].flat();
  return others.length > 0 ? [`service!~"${others.join('|')}"`] : [];
}

/** The escalation rules of the teams that escalate (none when no team does). */
export function alertRoutingRules(o: AlertRoutingOptions): RuleGroup[] {
  return escalationRules(
    Object.entries(o.alerting.teams)
      .filter(([, t]) => t.escalation !== undefined)
      .map(([team, t]) => ({ namespace: o.namespace, team, matchers: teamMatchers(o, team), afterMinutes: t.escalation!.afterMinutes })),
  );
}

const severityRoutes = (t: TeamRouting) =>
  (['page', 'ticket'] as const).map((s) => ({ receiver: t[s], matchers: [`severity="${s}"`], repeat_interval: REPEAT[s] }));

/**
 * The routing as alertmanager.yml: heartbeats to nowhere; then each team's services (by `service` label) to the
 * team's page and ticket receivers by severity; everything else to the default team. Credentials are `*_file` paths
 * of mounted Secrets. kube-prometheus-stack takes it as `alertmanager.config`; `amtool` and the test Alertmanagers
 * read the very same object.
 */
export function alertmanagerConfig(o: AlertRoutingOptions): Record<string, unknown> {
  const { receivers, teams, defaultTeam } = o.alerting;
  return {
    route: {
      receiver: teams[defaultTeam].ticket,
      group_by: [...GROUP_BY],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: REPEAT.ticket,
      routes: [
        { receiver: NULL_RECEIVER, matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
        ...(o.remediation ? [remediationRoute(o.remediation)] : []),
        ...Object.entries(teams)
          .filter(([, t]) => t.escalation !== undefined)
          .map(([team, t]) => ({
            receiver: t.escalation!.receiver,
            matchers: [`alertname="${NOT_ACKNOWLEDGED}"`, `team="${team}"`],
            repeat_interval: REPEAT.page,
          })),
        ...[...servicesByTeam(o)].map(([team, services]) => ({
          receiver: teams[team].ticket,
          matchers: [`service=~"${services.join('|')}"`],
          routes: severityRoutes(teams[team]),
        })),
        ...severityRoutes(teams[defaultTeam]),
      ],
    },
    receivers: [
      { name: NULL_RECEIVER },
      ...Object.entries(receivers).map(([name, r]) => ({ name, ...integration(r) })),
      ...(o.remediation ? [{ name: REMEDIATION_RECEIVER, webhook_configs: [{ url: o.remediation.webhookUrl, send_resolved: true }] }] : []),
    ],
    inhibit_rules: INHIBIT_RULES.map((r) => ({ source_matchers: [...r.source], target_matchers: [...r.target], equal: [...r.equal] })),
  };
}

/** {@link alertmanagerConfig} as a file. */
export function alertmanagerYaml(o: AlertRoutingOptions): string {
  return stringify(alertmanagerConfig(o), { lineWidth: 0 });
}

export interface AlertRoutingProps extends AlertRoutingOptions {
  /** Labels on the escalation PrometheusRule. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Checks an environment's routing at synth, under this construct's path, holds the resulting Alertmanager
 * configuration and the Secrets it reads, and makes the escalation rules of the teams that escalate. The
 * configuration goes to Alertmanager through the monitoring stack's values (`alertmanager.config`,
 * `alertmanager.alertmanagerSpec.secrets`), the one place that can mount Secrets into Alertmanager.
 */
export class AlertRouting extends Construct {
  public readonly config: Record<string, unknown>;
  public readonly secrets: readonly string[];
  /** Present when a team escalates unacknowledged pages. */
  public readonly escalation?: RuleGroups;

  constructor(scope: Construct, id: string, props: AlertRoutingProps) {
    super(scope, id);
    const p = Problems.of(this);
    checkAlertRouting(p, props);
    p.throwIfAny();
    this.config = alertmanagerConfig(props);
    this.secrets = alertingSecrets(props.alerting);
    const groups = alertRoutingRules(props);
    if (groups.length > 0)
      this.escalation = new RuleGroups(this, 'Escalation', {
        name: 'incident-escalation',
        namespace: props.namespace,
        groups,
        labels: props.labels,
      });
  }
}

// --- Remediation runner (constructs/observability/remediation-runner.ts) --------------------------------------------

/** The remediation runner as a receiver: its webhook, and the alert names its policy answers. */
export interface RemediationReceiver {
  readonly webhookUrl: string;
  readonly alerts: readonly string[];
}

export const REMEDIATION_RECEIVER = 'remediation';
export { REMEDIATION_TIMING };

/**
 * After the heartbeats, with `continue`: the alerts the policy answers go to the runner and then on to their team's
 * receivers as before, so a person is told either way and the runner's escalation follows the same route. Grouped per
 * alert and service, so the runner gets each alert of a service as it changes.
 */
export function remediationRoute(r: RemediationReceiver) {
  return {
    matchers: [`alertname=~"${[...r.alerts].sort().join('|')}"`],
    receiver: REMEDIATION_RECEIVER,
    group_by: ['alertname', 'service'],
    group_wait: REMEDIATION_TIMING.groupWait,
    group_interval: REMEDIATION_TIMING.groupInterval,
    repeat_interval: REMEDIATION_TIMING.repeatInterval,
    continue: true,
  };
}
