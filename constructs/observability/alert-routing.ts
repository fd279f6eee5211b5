import { Construct } from 'constructs';
import { stringify } from 'yaml';
import {
  AlertmanagerConfig,
  AlertmanagerConfigSpecInhibitRulesSourceMatchMatchType as SourceMatchType,
  AlertmanagerConfigSpecInhibitRulesTargetMatchMatchType as TargetMatchType,
  AlertmanagerConfigSpecReceivers,
  AlertmanagerConfigSpecRouteMatchersMatchType as MatchType,
} from '../../imports/alertmanagerconfigs-monitoring.coreos.com';
import { Problems } from '../core/errors';
import { Severity } from './rule-groups';

/** Where one class of alerts goes: an HTTP webhook, or PagerDuty with its routing key read from a Secret. */
export type Receiver = WebhookReceiver | PagerDutyReceiver;

export interface WebhookReceiver {
  readonly kind: 'webhook';
  readonly url: string;
}

export interface PagerDutyReceiver {
  readonly kind: 'pagerduty';
  /** Secret (in the Alertmanager's namespace) holding the Events API v2 routing key. */
  readonly routingKeySecret: { readonly name: string; readonly key: string };
}

export interface AlertRoutingOptions {
  /** Namespace of the alerts (and of the AlertmanagerConfig, which only routes alerts of its namespace). */
  readonly namespace: string;
  /** Receives `severity=page`. */
  readonly onCall: Receiver;
  /** Receives `severity=ticket`. */
  readonly ticket: Receiver;
  /** Receivers must then be in-cluster Services: nothing may reach outside the cluster. */
  readonly airGapped: boolean;
  /** The remediation runner's webhook and the alerts its policy answers (see {@link remediationRoute}). @default - none */
  readonly remediation?: RemediationReceiver;
}

/** Alerts of one SLO and service arrive as one notification. */
export const GROUP_BY = ['service', 'slo'] as const;

/**
 * Inhibitions, as matcher strings: a ticket while a page fires for the same service and slo; an anomaly alert
 * while an SLO burn alert (which already says more) fires for the same service and slo; a traffic drop while the
 * traffic has stopped altogether.
 */
export const INHIBIT_RULES: readonly {
  readonly source: readonly string[];
  readonly target: readonly string[];
  readonly equal: readonly string[];
}[] = [
  { source: ['severity="page"'], target: ['severity="ticket"'], equal: GROUP_BY },
  { source: ['alertname="SloErrorBudgetBurn"'], target: ['anomaly="true"'], equal: ['namespace', ...GROUP_BY] },
  { source: ['alertname="AnomalyTrafficStopped"'], target: ['alertname="AnomalyTrafficDrop"'], equal: ['namespace', 'service'] },
];

/** `name="value"` -> its parts. */
function matcher(m: string): { name: string; value: string } {
  const [, name, value] = /^([a-z_]+)="(.*)"$/.exec(m)!;
  return { name, value };
}

const RECEIVER_NAMES: Record<Severity, string> = { page: 'on-call', ticket: 'ticket' };
/** How often an unresolved alert is re-sent: a page hourly, a ticket daily. */
const REPEAT: Record<Severity, string> = { page: '1h', ticket: '24h' };

export function checkAlertRouting(problems: Problems, o: AlertRoutingOptions): void {
  for (const [input, r] of [
    ['alerting.onCall', o.onCall],
    ['alerting.ticket', o.ticket],
  ] as const) {
    if (r.kind === 'webhook') {
      const host = hostOf(r.url);
      if (host === undefined) {
        problems.add(`${input}.url`, r.url, 'must be an http(s) URL');
        continue;
      }
      problems.check(
        !o.airGapped || /\.svc(\.cluster\.local)?$/.test(host),
        `${input}.url`,
        r.url,
        'must be an in-cluster Service (<name>.<namespace>.svc) in an air-gapped environment',
      );
    } else {
      problems.check(
        !o.airGapped,
        `${input}.kind`,
        r.kind,
        "cannot reach PagerDuty from an air-gapped environment; use a 'webhook' to an in-cluster bridge",
      );
    }
  }
}

/**
 * The routing as a plain alertmanager.yml: page to on-call, ticket to the ticket receiver, grouped by service and
 * slo, a ticket silenced while a page for the same service and slo fires. This is what `amtool check-config` and
 * `amtool config routes test` read in the tests, and what a site without prometheus-operator can run as is.
 */
export function alertmanagerYaml(o: AlertRoutingOptions): string {
  const receiver = (severity: Severity, r: Receiver) => ({
    name: RECEIVER_NAMES[severity],
    ...(r.kind === 'webhook'
      ? { webhook_configs: [{ url: r.url, send_resolved: true }] }
      : {
          pagerduty_configs: [
            { routing_key_file: `/etc/alertmanager/secrets/${r.routingKeySecret.name}/${r.routingKeySecret.key}`, send_resolved: true },
          ],
        }),
  });
  return stringify(
    {
      route: {
        receiver: RECEIVER_NAMES.ticket,
        group_by: [...GROUP_BY],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: REPEAT.ticket,
        routes: [
          ...(o.remediation ? [remediationRouteYaml(o.remediation)] : []),
          ...(['page', 'ticket'] as const).map((s) => ({
            matchers: [`severity="${s}"`],
            receiver: RECEIVER_NAMES[s],
            repeat_interval: REPEAT[s],
          })),
        ],
      },
      receivers: [
        receiver('page', o.onCall),
        receiver('ticket', o.ticket),
        ...(o.remediation
          ? [{ name: REMEDIATION_RECEIVER, webhook_configs: [{ url: o.remediation.webhookUrl, send_resolved: true }] }]
          : []),
      ],
      inhibit_rules: INHIBIT_RULES.map((r) => ({ source_matchers: [...r.source], target_matchers: [...r.target], equal: [...r.equal] })),
    },
    { lineWidth: 0 },
  );
}

/**
 * The same routing as an AlertmanagerConfig for prometheus-operator (which adds a `namespace` matcher: it routes the
 * alerts of its own namespace, so every perfstack alert carries that label).
 *
 * @see https://prometheus-operator.dev/docs/developer/alerting/
 */
export class AlertRouting extends Construct {
  public readonly resource: AlertmanagerConfig;

  constructor(scope: Construct, id: string, props: AlertRoutingOptions & { readonly labels?: Readonly<Record<string, string>> }) {
    super(scope, id);
    const p = Problems.of(this);
    checkAlertRouting(p, props);
    p.throwIfAny();
    const eq = (name: string, value: string) => ({ name, value, matchType: MatchType.VALUE_EQUALS });
    const receiver = (severity: Severity, r: Receiver): AlertmanagerConfigSpecReceivers => ({
      name: RECEIVER_NAMES[severity],
      ...(r.kind === 'webhook'
        ? { webhookConfigs: [{ url: r.url, sendResolved: true }] }
        : { pagerdutyConfigs: [{ routingKey: { name: r.routingKeySecret.name, key: r.routingKeySecret.key }, sendResolved: true }] }),
    });
    this.resource = new AlertmanagerConfig(this, 'Resource', {
      metadata: { name: 'perfstack-routing', namespace: props.namespace, labels: { ...(props.labels ?? {}) } },
      spec: {
        route: {
          receiver: RECEIVER_NAMES.ticket,
          groupBy: [...GROUP_BY],
          groupWait: '30s',
          groupInterval: '5m',
          repeatInterval: REPEAT.ticket,
          routes: [
            ...(props.remediation ? [remediationRoute(props.remediation)] : []),
            ...(['page', 'ticket'] as const).map((s) => ({
              matchers: [eq('severity', s)],
              receiver: RECEIVER_NAMES[s],
              repeatInterval: REPEAT[s],
            })),
          ],
        },
        receivers: [
          receiver('page', props.onCall),
          receiver('ticket', props.ticket),
          ...(props.remediation
            ? [{ name: REMEDIATION_RECEIVER, webhookConfigs: [{ url: props.remediation.webhookUrl, sendResolved: true }] }]
            : []),
        ],
        inhibitRules: INHIBIT_RULES.map((r) => ({
          sourceMatch: r.source.map((m) => ({ ...matcher(m), matchType: SourceMatchType.VALUE_EQUALS })),
          targetMatch: r.target.map((m) => ({ ...matcher(m), matchType: TargetMatchType.VALUE_EQUALS })),
          equal: [...r.equal],
        })),
      },
    });
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

// --- Remediation runner (constructs/observability/remediation-runner.ts) --------------------------------------------

/** The remediation runner as a receiver: its webhook, and the alert names its policy answers. */
export interface RemediationReceiver {
  readonly webhookUrl: string;
  readonly alerts: readonly string[];
}

export const REMEDIATION_RECEIVER = 'remediation';

/**
 * Timing of the runner's route. The runner escalates when an alert it acted on still fires `escalateAfterMinutes`
 * later, which it can only see when Alertmanager sends the alert again: so the group is re-sent every 5 minutes
 * (below the policy's default of 10) instead of hourly or daily, and a new alert reaches it within 10 s.
 */
export const REMEDIATION_TIMING = { groupWait: '10s', groupInterval: '1m', repeatInterval: '5m' } as const;

const alertsRegex = (alerts: readonly string[]) => [...alerts].sort().join('|');

/**
 * First of the routes, with `continue`: the alerts the policy answers go to the runner and then on to on-call or the
 * ticket receiver as before, so a person is told either way and the runner's escalation follows the same route.
 * Grouped per alert and service, so the runner gets each alert of a service as it changes.
 */
export function remediationRoute(r: RemediationReceiver) {
  return {
    matchers: [{ name: 'alertname', value: alertsRegex(r.alerts), matchType: MatchType.VALUE_EQUAL_TILDE }],
    receiver: REMEDIATION_RECEIVER,
    groupBy: ['alertname', 'service'],
    ...REMEDIATION_TIMING,
    continue: true,
  };
}

function remediationRouteYaml(r: RemediationReceiver) {
  return {
    matchers: [`alertname=~"${alertsRegex(r.alerts)}"`],
    receiver: REMEDIATION_RECEIVER,
    group_by: ['alertname', 'service'],
    group_wait: REMEDIATION_TIMING.groupWait,
    group_interval: REMEDIATION_TIMING.groupInterval,
    repeat_interval: REMEDIATION_TIMING.repeatInterval,
    continue: true,
  };
}
