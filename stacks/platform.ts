import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { appLabels, costLabels } from '../constructs/core/labels';
import { PrometheusAdapterConfig } from '../constructs/observability/prometheus-adapter-config';
import { NamespaceBaseline } from '../constructs/platform/namespace-baseline';
import { PriorityClasses } from '../constructs/platform/priority-classes';
import { ScalableService } from '../constructs/workload/scalable-service';
import { Environment, imageOf, validateEnvironment } from './environment';

/** The application name in `app.kubernetes.io/part-of`. */
export const PART_OF = 'web-platform';

/** What {@link buildPlatform} made, with handles on every construct so callers can tune them. */
export interface Platform {
  readonly env: Environment;
  readonly app: App;
  /** Cluster-wide and namespace foundations; every other chart depends on it. */
  readonly foundation: Chart;
  readonly namespace: NamespaceBaseline;
  readonly priorityClasses: PriorityClasses;
  /** Present when a plain HPA scales on a custom metric. */
  readonly prometheusAdapter?: PrometheusAdapterConfig;
  /** One chart per service, keyed by service name. */
  readonly serviceCharts: Readonly<Record<string, Chart>>;
  readonly services: Readonly<Record<string, ScalableService>>;
}

/**
 * Composes every construct an environment needs into `app` (a new App by default), under a scope named after the
 * environment, so construct paths read `prod/api-gateway/...`. The same function feeds `npm run synth` and the
 * Pulumi program, so both deploy identical objects.
 */
export function buildPlatform(env: Environment, app: App = new App()): Platform {
  validateEnvironment(env);
  const root = new Construct(app, env.name);
  const cost = costLabels(env.name, env.costAllocation);
  const platformLabels = {
    ...appLabels({ name: 'platform', instance: `platform-${env.name}`, component: 'platform', partOf: PART_OF }),
    ...cost,
  };

  const foundation = new Chart(root, 'platform', { labels: cost });
  const namespace = new NamespaceBaseline(foundation, 'Namespace', {
    name: env.namespace,
    labels: platformLabels,
    awsLoadBalancerReadinessGates: env.cloud.kind === 'aws',
  });
  const priorityClasses = new PriorityClasses(foundation, 'PriorityClasses', { labels: platformLabels });

  const serviceCharts: Record<string, Chart> = {};
  const services: Record<string, ScalableService> = {};
  for (const spec of env.services) {
    const chart = new Chart(root, spec.name, { labels: cost });
    chart.addDependency(foundation);
    services[spec.name] = new ScalableService(chart, 'Service', {
      name: spec.name,
      namespace: env.namespace,
      instance: `${spec.name}-${env.name}`,
      partOf: PART_OF,
      component: spec.component,
      image: imageOf(env, spec),
      resources: spec.resources,
      replicas: spec.replicas,
      zones: env.zones.length,
      metrics: spec.metrics,
      behavior: spec.behavior,
      businessHours: spec.businessHours,
      verticalScaling: spec.verticalScaling,
      capacity: spec.capacity,
      probes: spec.probes,
      env: spec.env,
      labels: cost,
      allowFrom: spec.exposure === 'public' ? [{ podSelector: {} }, ...env.ingressFrom] : [{ podSelector: {} }],
      monitoringNamespace: env.monitoring.namespace,
      prometheusUrl: env.monitoring.prometheusUrl,
    });
    serviceCharts[spec.name] = chart;
  }

  const adapterMetrics = Object.values(services).flatMap((s) => s.adapterMetrics);
  const prometheusAdapter =
    adapterMetrics.length > 0
      ? new PrometheusAdapterConfig(foundation, 'PrometheusAdapter', {
          namespace: env.monitoring.namespace,
          metrics: adapterMetrics,
          labels: platformLabels,
        })
      : undefined;

  return { env, app, foundation, namespace, priorityClasses, prometheusAdapter, serviceCharts, services };
}
