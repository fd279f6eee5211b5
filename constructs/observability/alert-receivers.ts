import { Problems } from '../core/errors';
import { urlProblem } from '../core/grammars';

/**
 * Where one class of alerts goes. Every credential (routing key, API key, webhook URL with its token, password) is a
 * reference to a Secret key, never a value: the Secret lives in the Alertmanager's namespace, is mounted through
 * kube-prometheus-stack's `alertmanager.alertmanagerSpec.secrets` at `/etc/alertmanager/secrets/<name>/<key>`, and
 * the generated configuration names that file (`routing_key_file`, `api_key_file`, `api_url_file`, ...).
 *
 * @see https://prometheus.io/docs/alerting/latest/configuration/#receiver-integration-settings
 */
export type Receiver = WebhookReceiver | PagerDutyReceiver | OpsgenieReceiver | ServiceNowReceiver | SlackReceiver | TeamsReceiver;

/** A key of a Secret in the Alertmanager's namespace. */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

/** Alertmanager's own webhook JSON to a URL without credentials: an in-cluster bridge, or the remediation runner. */
export interface WebhookReceiver {
  readonly kind: 'webhook';
  readonly url: string;
}

/**
 * PagerDuty Events API v2. Escalation when nobody acknowledges is PagerDuty's: the escalation policy of the service
 * that owns the routing key.
 */
export interface PagerDutyReceiver {
  readonly kind: 'pagerduty';
  /** The service integration's routing (integration) key. */
  readonly routingKeySecret: SecretKeyRef;
  /** Events API endpoint (a regional one, or a proxy). @default - Alertmanager's default, https://events.pagerduty.com/v2/enqueue */
  readonly url?: string;
}

/** Who an Opsgenie / JSM alert is assigned to; `escalation` hands it to an escalation policy (acknowledge or it moves on). */
export interface OpsgenieResponder {
  readonly type: 'team' | 'user' | 'escalation' | 'schedule';
  readonly name: string;
}

/**
 * Opsgenie, or Jira Service Management operations through its Opsgenie-compatible alert API (`apiUrl`
 * `https://api.atlassian.com/jsm/ops/integration/`).
 */
export interface OpsgenieReceiver {
  readonly kind: 'opsgenie';
  /** The API integration's key. */
  readonly apiKeySecret: SecretKeyRef;
  /** @default - Alertmanager's default, https://api.opsgenie.com/ */
  readonly apiUrl?: string;
  /** @default - none: the integration's own team and its escalation */
  readonly responders?: readonly OpsgenieResponder[];
}

/**
 * ServiceNow through a webhook: Alertmanager's webhook JSON to the instance's inbound endpoint (Event Management's
 * Prometheus connector, or a scripted REST API), with basic authentication.
 */
export interface ServiceNowReceiver {
  readonly kind: 'servicenow';
  /** The inbound endpoint, e.g. `https://acme.service-now.com/api/sn_em_connector/em/inbound_event?source=prometheus`. */
  readonly url: string;
  /** The integration user (not a secret; its password is). */
  readonly username: string;
  readonly passwordSecret: SecretKeyRef;
}

/** Slack incoming webhook: the webhook URL is the credential. */
export interface SlackReceiver {
  readonly kind: 'slack';
  readonly webhookUrlSecret: SecretKeyRef;
  /** @default - the webhook's own channel */
  readonly channel?: string;
}

/**
 * Microsoft Teams through a Power Automate workflow webhook (`msteamsv2_configs`, Alertmanager 0.28 and later; the
 * Office 365 connectors of `msteams_configs` are retired by Microsoft). The webhook URL is the credential.
 */
export interface TeamsReceiver {
  readonly kind: 'msteams';
  readonly webhookUrlSecret: SecretKeyRef;
}

/** Where kube-prometheus-stack mounts each Secret of `alertmanagerSpec.secrets`. */
export const SECRETS_DIR = '/etc/alertmanager/secrets';

export function secretFile(ref: SecretKeyRef): string {
  return `${SECRETS_DIR}/${ref.name}/${ref.key}`;
}

/** The Secret references of a receiver, with the input that holds each. */
export function secretRefs(r: Receiver): { readonly input: string; readonly ref: SecretKeyRef | undefined }[] {
  switch (r.kind) {
    case 'webhook':
      return [];
    case 'pagerduty':
      return [{ input: 'routingKeySecret', ref: r.routingKeySecret }];
    case 'opsgenie':
      return [{ input: 'apiKeySecret', ref: r.apiKeySecret }];
    case 'servicenow':
      return [{ input: 'passwordSecret', ref: r.passwordSecret }];
    case 'slack':
    case 'msteams':
      return [{ input: 'webhookUrlSecret', ref: r.webhookUrlSecret }];
  }
}

/** The URL a receiver sends to when it is not a secret (air-gapped sites must keep these in the cluster). */
export function plainUrls(r: Receiver): { readonly input: string; readonly url: string }[] {
  const urls: [string, string | undefined][] =
    r.kind === 'webhook' || r.kind === 'servicenow'
      ? [['url', r.url]]
      : r.kind === 'pagerduty'
        ? [['url', r.url]]
        : r.kind === 'opsgenie'
          ? [['apiUrl', r.apiUrl]]
          : [];
  return urls.filter((u): u is [string, string] => u[1] !== undefined).map(([input, url]) => ({ input, url }));
}

const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** Problems of one receiver, reported under `input` (e.g. `alerting.receivers.pagerduty`). */
export function checkReceiver(problems: Problems, input: string, r: Receiver, airGapped: boolean): void {
  for (const { input: field, ref } of secretRefs(r)) {
    const at = `${input}.${field}`;
    if (ref === undefined || typeof ref !== 'object') {
      problems.add(at, ref, `must reference the Secret key holding the ${r.kind} credential: { name: '<secret>', key: '<key>' }`);
      continue;
    }
    problems.check(SECRET_NAME.test(ref.name ?? ''), `${at}.name`, ref.name, 'must be a Secret name (lowercase letters, digits, `-`, `.`)');
    problems.check(SECRET_KEY.test(ref.key ?? ''), `${at}.key`, ref.key, 'must be a Secret key (letters, digits, `-`, `_`, `.`)');
  }
  for (const { input: field, url } of plainUrls(r)) {
    const problem = urlProblem(url);
    if (problem) {
      problems.add(`${input}.${field}`, url, problem);
      continue;
    }
    problems.check(
      !airGapped || /\.svc(\.cluster\.local)?$/.test(new URL(url).hostname),
      `${input}.${field}`,
      url,
      'must be an in-cluster Service (<name>.<namespace>.svc) in an air-gapped environment',
    );
  }
  if (
    airGapped &&
    (r.kind === 'pagerduty' || r.kind === 'opsgenie' || r.kind === 'slack' || r.kind === 'msteams') &&
    plainUrls(r).length === 0
  )
    problems.add(`${input}.kind`, r.kind, `cannot reach ${r.kind} from an air-gapped environment; use a 'webhook' to an in-cluster bridge`);
  if (r.kind === 'servicenow') problems.check((r.username ?? '') !== '', `${input}.username`, r.username, 'must name the integration user');
  if (r.kind === 'opsgenie')
    (r.responders ?? []).forEach((x, i) =>
      problems.check((x.name ?? '') !== '', `${input}.responders[${i}].name`, x.name, `must name the ${x.type} to notify`),
    );
}

/** Texts every notification carries: what fires, and what the remediation runner did about it. */
export const TEMPLATES = {
  title:
    '[{{ .Status | toUpper }}] {{ .CommonLabels.service }} {{ .CommonLabels.slo }} ({{ .CommonLabels.severity }}): ' +
    '{{ range $i, $a := .Alerts }}{{ if $i }}, {{ end }}{{ $a.Labels.alertname }}{{ end }}',
  alerts:
    '{{ range .Alerts }}{{ .Labels.alertname }}: {{ .Annotations.summary }} {{ .Annotations.description }}' +
    '{{ if .Annotations.runbook_url }} Runbook: {{ .Annotations.runbook_url }}{{ end }}\n{{ end }}',
  // The runner's RemediationOutcome and RemediationEscalation carry `remediation_outcome` and group with the alert they answer.
  remediation:
    '{{ range .Alerts }}{{ if .Annotations.remediation_outcome }}Remediation of {{ .Labels.remediated_alert }}: ' +
    '{{ .Annotations.remediation_outcome }}\n{{ end }}{{ end }}',
} as const;

const TEXT = `${TEMPLATES.alerts}${TEMPLATES.remediation}`;

const IS_PAGE = '{{ if eq .CommonLabels.severity "page" }}';

/** The receiver's integration block of alertmanager.yml; a page opens a high-priority incident where there are priorities. */
export function integration(r: Receiver): Record<string, unknown[]> {
  switch (r.kind) {
    case 'webhook':
      return { webhook_configs: [{ url: r.url, send_resolved: true }] };
    case 'pagerduty':
      return {
        pagerduty_configs: [
          {
            routing_key_file: secretFile(r.routingKeySecret),
            ...(r.url ? { url: r.url } : {}),
            severity: `${IS_PAGE}critical{{ else }}warning{{ end }}`,
            description: TEMPLATES.title,
            details: { alerts: TEMPLATES.alerts, remediation: TEMPLATES.remediation, firing: '{{ .Alerts.Firing | len }}' },
            send_resolved: true,
          },
        ],
      };
    case 'opsgenie':
      return {
        opsgenie_configs: [
          {
            api_key_file: secretFile(r.apiKeySecret),
            ...(r.apiUrl ? { api_url: r.apiUrl } : {}),
            message: TEMPLATES.title,
            description: TEXT,
            details: { remediation: TEMPLATES.remediation },
            priority: `${IS_PAGE}P1{{ else }}P3{{ end }}`,
            ...(r.responders?.length ? { responders: r.responders.map((x) => ({ type: x.type, name: x.name })) } : {}),
            send_resolved: true,
          },
        ],
      };
    case 'servicenow':
      return {
        webhook_configs: [
          {
            url: r.url,
            http_config: { basic_auth: { username: r.username, password_file: secretFile(r.passwordSecret) } },
            send_resolved: true,
          },
        ],
      };
    case 'slack':
      return {
        slack_configs: [
          {
            api_url_file: secretFile(r.webhookUrlSecret),
            ...(r.channel ? { channel: r.channel } : {}),
            title: TEMPLATES.title,
            text: TEXT,
            send_resolved: true,
          },
        ],
      };
    case 'msteams':
      return {
        msteamsv2_configs: [{ webhook_url_file: secretFile(r.webhookUrlSecret), title: TEMPLATES.title, text: TEXT, send_resolved: true }],
      };
  }
}
