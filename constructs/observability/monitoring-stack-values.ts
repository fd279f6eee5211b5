import { promDurationProblem } from '../core/grammars';
import { grammar, strict } from '../core/schema';
import { CAPACITY_TYPE_KEY } from '../workload/capacity-class';
import { AlertRoutingOptions, alertingSecrets, alertmanagerConfig } from './alert-routing';
import { DASHBOARD_LABEL } from './dashboards';

/** How long and how much Prometheus keeps. */
export interface Retention {
  /** Prometheus duration, e.g. `15d`. */
  readonly time: string;
  /** Prometheus size, e.g. `50GB`; the oldest blocks go first when it is reached. */
  readonly size: string;
}

export interface MonitoringStackOptions {
  readonly environment: string;
  readonly retention: Retention;
  /** Registry every monitoring image is pulled from when air-gapped (`global.imageRegistry`). @default - upstream registries */
  readonly imageRegistry?: string;
  /** Namespace whose ConfigMaps carry the dashboards. */
  readonly dashboardsNamespace: string;
  /** Alertmanager's routing and receivers (its Secrets are created in the monitoring namespace by the site). */
  readonly alerting: AlertRoutingOptions;
}

/** What a {@link Retention} may hold: values Prometheus parses (`--storage.tsdb.retention.time` and `.size`). */
export const retentionSchema = strict({
  time: grammar(promDurationProblem),
  size: grammar((v) => (/^[1-9][0-9]*(B|KB|MB|GB|TB|PB|EB)$/.test(v) ? undefined : 'must be a Prometheus size such as "50GB"')),
});

/**
 * Helm values for kube-prometheus-stack, the usual install of prometheus-operator, Prometheus, Alertmanager and
 * Grafana: retention per environment, selectors that pick up perfstack's PrometheusRules and monitors (and
 * AlertmanagerConfigs a site adds), the Alertmanager routing with its receivers' Secrets mounted, Grafana's dashboard sidecar on the `grafana_dashboard` label, the node capacity-type label
 * exported by kube-state-metrics, and, air-gapped, every image from the site registry.
 *
 * @see https://github.com/prometheus-community/helm-charts/tree/main/charts/kube-prometheus-stack
 */
export function monitoringStackValues(o: MonitoringStackOptions): Record<string, unknown> {
  return {
    ...(o.imageRegistry ? { global: { imageRegistry: o.imageRegistry } } : {}),
    prometheus: {
      prometheusSpec: {
        retention: o.retention.time,
        retentionSize: o.retention.size,
        externalLabels: { environment: o.environment },
        // Select every PrometheusRule, ServiceMonitor and PodMonitor, not only the chart's own.
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        // k6 load tests stream their results with Prometheus remote write.
        enableRemoteWriteReceiver: true,
      },
    },
    alertmanager: {
      // The whole routing, with credentials as `*_file` paths of the Secrets mounted below: no secret value here.
      config: alertmanagerConfig(o.alerting),
      alertmanagerSpec: {
        secrets: alertingSecrets(o.alerting.alerting),
        alertmanagerConfigSelector: {},
        alertmanagerConfigNamespaceSelector: {},
        // perfstack's AlertmanagerConfig routes only alerts of its own namespace.
        alertmanagerConfigMatcherStrategy: { type: 'OnNamespace' },
      },
    },
    grafana: {
      sidecar: {
        dashboards: {
          enabled: true,
          label: DASHBOARD_LABEL.key,
          labelValue: DASHBOARD_LABEL.value,
          searchNamespace: o.dashboardsNamespace,
        },
      },
    },
    'kube-state-metrics': { metricLabelsAllowlist: [`nodes=[${CAPACITY_TYPE_KEY}]`] },
  };
}
