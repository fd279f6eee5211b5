/**
 * The YAML field names each receiver integration accepts in Alertmanager v0.33.1, the release kube-prometheus-stack
 * 88.0.0 (the catalogue's pin) runs: the `yaml:"..."` tags of prometheus/alertmanager at tag v0.33.1 (commit
 * 2c8da51e03f3dbbed24f9711ca2d76aab4eef9c5), config/notifiers.go (PagerdutyConfig, OpsGenieConfig,
 * OpsGenieConfigResponder, SlackConfig, MSTeamsV2Config), notify/webhook/config.go (WebhookConfig) and
 * config/common/notifierconfig.go (send_resolved). The Debian amtool here (0.25) cannot check what 0.25 lacks
 * (`msteamsv2_configs`); these lists are what the suites check those blocks against instead.
 */
const SEND_RESOLVED = ['send_resolved'];

export const ALERTMANAGER_0_33_FIELDS: Readonly<Record<string, readonly string[]>> = {
  pagerduty_configs: [
    ...SEND_RESOLVED,
    ...'http_config service_key service_key_file routing_key routing_key_file url client client_url description details images links source severity class component group timeout'.split(
      ' ',
    ),
  ],
  opsgenie_configs: [
    ...SEND_RESOLVED,
    ...'http_config api_key api_key_file api_url message description source details entity responders actions tags note priority update_alerts'.split(
      ' ',
    ),
  ],
  'opsgenie_configs.responders': ['id', 'name', 'username', 'type'],
  slack_configs: [
    ...SEND_RESOLVED,
    ...'http_config api_url api_url_file app_token app_token_file app_url channel username color title title_link pretext text message_text fields short_fields footer fallback callback_id icon_emoji icon_url image_url thumb_url link_names mrkdwn_in actions update_message timeout'.split(
      ' ',
    ),
  ],
  msteamsv2_configs: [...SEND_RESOLVED, 'http_config', 'webhook_url', 'webhook_url_file', 'title', 'text'],
  webhook_configs: [...SEND_RESOLVED, 'http_config', 'url', 'url_file', 'max_alerts', 'timeout', 'payload'],
};

/** Integrations Alertmanager 0.25 (Debian bookworm's amtool and alertmanager) does not know. */
export const NEWER_THAN_0_25 = ['msteamsv2_configs'] as const;
