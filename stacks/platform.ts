import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { appLabels, costLabels, labelValue } from '../constructs/core/labels';
import { POSTGRES_CLIENT_LABEL, PostgresCluster, backupMethodFor } from '../constructs/data/postgres-cluster';
import { REDIS_CLIENT_LABEL, RedisCluster } from '../constructs/data/redis-cluster';
import { KeyValueEngine } from '../constructs/data/redis-engine';
import { AlertRouting } from '../constructs/observability/alert-routing';
import { AnomalyRules } from '../constructs/observability/anomaly-rules';
import { DataTierAnomalyRules } from '../constructs/observability/data-tier-anomaly-rules';
import { Dashboards, platformDashboard, serviceDashboard } from '../constructs/observability/dashboards';
import { EventsExporterAccess } from '../constructs/observability/events-exporter';
import { PlatformAlerts } from '../constructs/observability/platform-alerts';
import { METRICS_EXPORT_UID, MetricsExport } from '../constructs/observability/metrics-export';
import { ownHardwareCost } from '../constructs/observability/report-context';
import { WeeklyReport, reportObjectives } from '../constructs/observability/weekly-report';
import { DEFAULT_SCALE_DOWN } from '../constructs/workload/scaling-behavior';
import { RemediationRunner } from '../constructs/observability/remediation-runner';
import { PerformanceRecords } from '../constructs/observability/performance-records';
import { PrometheusAdapterConfig } from '../constructs/observability/prometheus-adapter-config';
import { RUNBOOK_BASE_CONTEXT } from '../constructs/observability/rule-groups';
import { ChaosExperiments } from '../constructs/resilience/chaos-experiments';
import { RestoreDrill } from '../constructs/resilience/restore-drill';
import { SloModel } from '../constructs/observability/slo';
import { SloRules } from '../constructs/observability/slo-rules';
import { AutoscalerPriorities } from '../constructs/platform/autoscaler-priorities';
import { PlatformIngress } from '../constructs/platform/ingress';
import { ENVOY_PROXY_PEER, EdgeGateway, EdgeImplementation } from '../constructs/traffic/edge-gateway';
import { edgePolicy } from '../constructs/traffic/edge-policy';
import { KarpenterNodePools } from '../constructs/platform/karpenter-node-pools';
import { NamespaceBaseline } from '../constructs/platform/namespace-baseline';
import { PriorityClasses } from '../constructs/platform/priority-classes';
import { ScalableService } from '../constructs/workload/scalable-service';
import { dataStoresOf } from '../constructs/traffic/call-graph';
import { K6LoadTest } from '../constructs/loadtest/k6-load-test';
import {
  Environment,
  LoadTests,
  alertRoutingOptions,
  ServiceSpec,
  awsNames,
  imageOf,
  eventsExported,
  edgeOf,
  meshOf,
  operatorVersions,
  servicePropsOf,
} from './environment';
import { validateEnvironment } from './environment-rules';
import { CallGraph, ResolvedService } from '../constructs/traffic/call-graph';
import { dataTierClientEnv } from '../constructs/traffic/client-env';
import { IstioAmbientMesh } from '../constructs/traffic/istio-ambient-mesh';
import { meshPolicies } from '../constructs/traffic/mesh-policy';
import { thirdPartyImage } from './images';
import { PLATFORM_TARGETS } from './services';

/** The application name in `app.kubernetes.io/part-of`. */
export const PART_OF = 'web-platform';

/** What {@link buildPlatform} made, with handles on every construct so callers can tune them. */
export interface Platform {
  readonly env: Environment;
  readonly app: App;
  /** Cluster-wide and namespace foundations; every other chart depends on it. */
  readonly foundation: Chart;
  /** Prometheus's namespace, when it is not the workloads' own: the dashboards and adapter rules live in it. */
  readonly monitoringNamespace?: k8s.KubeNamespace;
  readonly namespace: NamespaceBaseline;
  readonly priorityClasses: PriorityClasses;
  /** Present when a plain HPA scales on a custom metric. */
  readonly prometheusAdapter?: PrometheusAdapterConfig;
  /** Redis Cluster and PostgreSQL with its poolers. */
  readonly dataChart: Chart;
  readonly redis: RedisCluster;
  readonly postgres: PostgresCluster;
  /** The data stores' seasonal baselines and anomaly alerts, in the data chart. */
  readonly dataAnomalies: DataTierAnomalyRules;
  /** One chart per service, keyed by service name. */
  readonly serviceCharts: Readonly<Record<string, Chart>>;
  readonly services: Readonly<Record<string, ScalableService>>;
  /** Each service's seasonal baselines and anomaly alerts (in its chart, beside its SLO rules), keyed by service name. */
  readonly anomalies: Readonly<Record<string, AnomalyRules>>;
  /** Present when the environment opts into a plain Ingress (`ingress.className`). */
  readonly ingress?: PlatformIngress;
  /** The Gateway API edge, present when the environment has `ingress` without `className`. */
  readonly gateway?: EdgeGateway;
  /** Every service's dependencies, resolved and checked. */
  readonly callGraph: CallGraph;
  /** Present with `mesh: 'istio-ambient'` (the default from Kubernetes 1.32). */
  readonly mesh?: IstioAmbientMesh;
  /** Present when the environment has a `remediation` policy. */
  readonly remediation?: RemediationRunner;
  /** The checked Alertmanager configuration; it reaches Alertmanager through the monitoring stack's values. */
  readonly alertRouting: AlertRouting;
}

/**
 * Composes every construct an environment needs into `app` (a new App by default), under a scope named after the
 * environment, so construct paths read `prod/api-gateway/...`. The same function feeds `npm run synth` and the
 * Pulumi program, so both deploy identical objects.
 */
export function buildPlatform(env: Environment, app: App = new App()): Platform {
  // The one validation of the Environment on every path (synth, `pulumi up`, the planning CLIs).
  const callGraph = validateEnvironment(env);
  const root = new Construct(app, env.name);
  if (env.monitoring.runbookBaseUrl) root.node.setContext(RUNBOOK_BASE_CONTEXT, env.monitoring.runbookBaseUrl);
  const cost = costLabels(env.name, env.costAllocation);
  const platformLabels = {
    ...appLabels({ name: 'platform', instance: `platform-${env.name}`, component: 'platform', partOf: PART_OF }),
    ...cost,
  };

  const foundation = new Chart(root, 'platform', { labels: cost });
  // First in the first file, so `kubectl apply -f dist/<env>/` on a fresh cluster has it before the dashboards and
  // adapter rules. No Pod Security level here: the monitoring stack's node exporter needs host access.
  const monitoringNamespace =
    env.monitoring.namespace === env.namespace
      ? undefined
      : new k8s.KubeNamespace(foundation, 'MonitoringNamespace', { metadata: { name: env.monitoring.namespace, labels: platformLabels } });
  const namespace = new NamespaceBaseline(foundation, 'Namespace', {
    name: env.namespace,
    labels: platformLabels,
    awsLoadBalancerReadinessGates: env.cloud.kind === 'aws',
    kubernetesVersion: env.kubernetesVersion,
    ambientMesh: meshOf(env) === 'istio-ambient',
    context: { zones: env.zones.length, production: env.production, registry: env.airGapped ? env.imageRegistry : undefined },
  });
  const priorityClasses = new PriorityClasses(foundation, 'PriorityClasses', { labels: platformLabels });
  if (env.cloud.kind === 'aws' && env.cloud.karpenter) {
    new KarpenterNodePools(foundation, 'Karpenter', {
      clusterName: awsNames(env.name).cluster,
      nodeRole: awsNames(env.name).nodeRole,
      zones: env.zones,
      spotPercent: env.cloud.spotPercent,
      cpuLimit: env.cloud.karpenter.cpuLimit,
      labels: platformLabels,
    });
  } else if (env.cloud.kind === 'aws' && env.cloud.spotPercent > 0) {
    new AutoscalerPriorities(foundation, 'AutoscalerPriorities', { labels: platformLabels });
  }
  new PlatformAlerts(foundation, 'Alerts', { namespace: env.namespace, labels: platformLabels, ...PLATFORM_TARGETS });
  const alertRouting = new AlertRouting(foundation, 'AlertRouting', { ...alertRoutingOptions(env), labels: platformLabels });

  const { dataChart, redis, postgres, dataAnomalies } = addDataTier(root, foundation, env, cost);

  const dashboards = [platformDashboard(env.namespace, Number(postgres.pgbouncerParameters.default_pool_size))];
  const serviceCharts: Record<string, Chart> = {};
  const services: Record<string, ScalableService> = {};
  const sloModels: Record<string, SloModel> = {};
  const anomalies: Record<string, AnomalyRules> = {};
  // Envoy Gateway's proxies run in its own namespace: public services admit them through the default-deny.
  const edgePeers = edgeOf(env) === 'envoy-gateway' ? [ENVOY_PROXY_PEER] : [];
  for (const spec of env.services) {
    const chart = new Chart(root, spec.name, { labels: cost });
    chart.addDependency(foundation);
    const calls = callGraph.services.find((s) => s.name === spec.name)!;
    services[spec.name] = new ScalableService(chart, 'Service', {
      ...servicePropsOf(spec),
      name: spec.name,
      namespace: env.namespace,
      instance: `${spec.name}-${env.name}`,
      partOf: PART_OF,
      image: imageOf(env, spec),
      zones: env.zones.length,
      ...dataAccess(spec, redis, postgres, calls),
      labels: cost,
      allowFrom: spec.exposure === 'public' ? [{ podSelector: {} }, ...env.ingressFrom, ...edgePeers] : [{ podSelector: {} }],
      monitoringNamespace: env.monitoring.namespace,
      prometheusUrl: env.monitoring.prometheusUrl,
      kubernetesVersion: env.kubernetesVersion,
      spotCapacity: hasSpot(env),
    });
    // The objectives of DESIGN.md as burn-rate alerts; the same model sets the dashboards and load-test thresholds.
    const slo = new SloRules(chart, 'Slo', { service: spec.name, namespace: env.namespace, slo: spec.slo, labels: cost });
    sloModels[spec.name] = slo.model;
    // Seasonal baselines of the same metrics, and alerts on large sustained deviations; Alertmanager inhibits one
    // that duplicates a firing burn alert of the same service and slo (INHIBIT_RULES).
    anomalies[spec.name] = new AnomalyRules(chart, 'Anomaly', {
      service: spec.name,
      namespace: env.namespace,
      slo: spec.slo,
      thresholds: spec.anomaly,
      labels: cost,
    });
    // Its dependency panels plot what the mesh's dependency alerts test: only where the mesh reports those series.
    const callees = meshOf(env) === 'istio-ambient' ? calls.dependencies.filter((d) => d.kind === 'service').map((d) => d.name) : [];
    dashboards.push(serviceDashboard(slo.model, callees));
    serviceCharts[spec.name] = chart;
  }

  addRecords(foundation, env, Object.values(sloModels), platformLabels);

  const remediation = env.remediation ? addRemediation(foundation, env, env.remediation, redis, platformLabels) : undefined;

  const edge = edgeOf(env);
  const ingress = edge === 'ingress' ? addIngress(root, foundation, env, services, cost) : undefined;
  const gateway =
    edge === 'aws-load-balancer-controller' || edge === 'envoy-gateway'
      ? addGateway(root, serviceCharts, env, edge, services, callGraph, cost)
      : undefined;
  const mesh = meshOf(env) === 'istio-ambient' ? addMesh(root, serviceCharts, env, services, callGraph, cost) : undefined;

  if (env.loadTests) {
    const target = env.loadTests.target;
    addLoadTest(root, foundation, env, env.loadTests, services[target], sloModels[target], cost);
  }
  if (env.chaos || env.restoreDrill) addResilience(root, dataChart, env, redis, postgres, cost);

  // Air-gapped sites carry their performance data out through an offline channel to plan capacity elsewhere, and
  // the week's performance report with it.
  if (env.airGapped) {
    const metricsExport = new MetricsExport(foundation, 'MetricsExport', {
      namespace: env.namespace,
      services: env.services.map((s) => s.name),
      prometheusUrl: env.monitoring.prometheusUrl,
      monitoringNamespace: env.monitoring.namespace,
      image: thirdPartyImage(env, 'curl'),
      labels: platformLabels,
    });
    new WeeklyReport(foundation, 'WeeklyReport', {
      namespace: env.namespace,
      context: {
        env: env.name,
        namespace: env.namespace,
        services: env.services.map((s) => ({ name: s.name, objectives: reportObjectives(sloModels[s.name]) })),
        // An air-gapped environment has no cloud (stacks/environment-rules.ts): no bill to price.
        cost: ownHardwareCost(env.name),
        scaleDownWindowS: DEFAULT_SCALE_DOWN.stabilizationWindow.toSeconds(),
      },
      prometheusUrl: env.monitoring.prometheusUrl,
      monitoringNamespace: env.monitoring.namespace,
      nodeImage: thirdPartyImage(env, 'node'),
      claimName: metricsExport.claimName,
      uid: METRICS_EXPORT_UID,
      labels: platformLabels,
    });
  }

  new Dashboards(foundation, 'Dashboards', { namespace: env.monitoring.namespace, dashboards, labels: platformLabels });

  const adapterMetrics = Object.values(services).flatMap((s) => s.adapterMetrics);
  const prometheusAdapter =
    adapterMetrics.length > 0
      ? new PrometheusAdapterConfig(foundation, 'PrometheusAdapter', {
          namespace: env.monitoring.namespace,
          metrics: adapterMetrics,
          labels: platformLabels,
        })
      : undefined;

  return {
    env,
    app,
    foundation,
    monitoringNamespace,
    namespace,
    priorityClasses,
    prometheusAdapter,
    dataChart,
    redis,
    postgres,
    dataAnomalies,
    serviceCharts,
    services,
    anomalies,
    ingress,
    gateway,
    callGraph,
    mesh,
    remediation,
    alertRouting,
  };
}

/**
 * The remediation runner of the environment's policy, beside the routing that feeds it (the foundation chart): it
 * acts on the services' Deployments and HPAs by name, escalates to the monitoring namespace's Alertmanager, and
 * reaches the cache only when the policy clears one.
 */
/** Every scaling decision with its reason and the weekly report's series, kept in Prometheus; and the Events behind them. */
function addRecords(foundation: Construct, env: Environment, slos: SloModel[], platformLabels: Record<string, string>): void {
  new PerformanceRecords(foundation, 'PerformanceRecords', { namespace: env.namespace, slos, labels: platformLabels });
  // The Events, kept by the events exporter the operator catalogue installs.
  if (eventsExported(env))
    new EventsExporterAccess(foundation, 'EventsExporter', {
      namespace: env.monitoring.namespace,
      apiServer: env.apiServer,
      labels: platformLabels,
    });
}

function addRemediation(
  foundation: Chart,
  env: Environment,
  policy: NonNullable<Environment['remediation']>,
  redis: RedisCluster,
  labels: Record<string, string>,
): RemediationRunner {
  return new RemediationRunner(foundation, 'Remediation', {
    namespace: env.namespace,
    policy,
    services: Object.fromEntries(env.services.map((s) => [s.name, { minReplicas: s.replicas.min, maxReplicas: s.replicas.max }])),
    nodeImage: thirdPartyImage(env, 'node'),
    // prometheus-operator's governing Service of every Alertmanager it runs.
    alertmanagerUrl: `http://alertmanager-operated.${env.monitoring.namespace}.svc:9093`,
    monitoringNamespace: env.monitoring.namespace,
    apiServer: env.apiServer,
    cache: {
      seeds: redis.endpoint,
      authSecret: redis.authSecret,
      clientLabels: { [REDIS_CLIENT_LABEL]: labelValue(redis.name) },
    },
    labels,
  });
}

/** The mesh's objects for the called services, in their own chart (after the Services they apply to). */
function addMesh(
  root: Construct,
  serviceCharts: Record<string, Chart>,
  env: Environment,
  services: Record<string, ScalableService>,
  graph: CallGraph,
  cost: Record<string, string>,
): IstioAmbientMesh {
  const chart = new Chart(root, 'mesh', { labels: cost });
  for (const c of Object.values(serviceCharts)) chart.addDependency(c);
  return new IstioAmbientMesh(chart, 'Istio', {
    namespace: env.namespace,
    targets: meshPolicies(graph).map((policy) => ({
      policy,
      service: services[policy.service].service,
      port: services[policy.service].servicePort,
    })),
    labels: appLabels({ name: 'mesh', instance: `mesh-${env.name}`, component: 'mesh', partOf: PART_OF }),
  });
}

/** The Ingress of the public services, in its own chart (after the Services it routes to exist). */
function addIngress(
  root: Construct,
  foundation: Chart,
  env: Environment,
  services: Record<string, ScalableService>,
  cost: Record<string, string>,
): PlatformIngress {
  const chart = new Chart(root, 'ingress', { labels: cost });
  chart.addDependency(foundation);
  const backends = env.services
    .filter((s) => s.exposure === 'public')
    .map((s) => ({ path: s.ingressPath ?? '/', serviceName: services[s.name].name, servicePort: services[s.name].servicePort }));
  return new PlatformIngress(chart, 'Ingress', {
    namespace: env.namespace,
    settings: env.ingress!,
    backends,
    labels: appLabels({ name: 'ingress', instance: `ingress-${env.name}`, component: 'ingress', partOf: PART_OF }),
  });
}

/**
 * The Gateway API edge of the public services, in its own chart (after the Services its routes and target groups
 * name): each route's policy is the edge's, resolved from the same call graph as the mesh's (docs/edge.md).
 */
function addGateway(
  root: Construct,
  serviceCharts: Record<string, Chart>,
  env: Environment,
  implementation: EdgeImplementation,
  services: Record<string, ScalableService>,
  graph: CallGraph,
  cost: Record<string, string>,
): EdgeGateway {
  const chart = new Chart(root, 'gateway', { labels: cost });
  for (const c of Object.values(serviceCharts)) chart.addDependency(c);
  return new EdgeGateway(chart, 'Gateway', {
    namespace: env.namespace,
    settings: env.ingress!,
    implementation,
    routes: env.services
      .filter((s) => s.exposure === 'public')
      .map((s) => ({
        path: s.ingressPath ?? '/',
        serviceName: services[s.name].name,
        servicePort: services[s.name].servicePort,
        policy: edgePolicy(
          graph,
          graph.services.find((g) => g.name === s.name)!,
          s.grpcServices ? 'grpc' : 'http',
        ),
        grpcServices: s.grpcServices,
        http2: s.http2,
        readinessProbe: services[s.name].readinessProbe,
        drainDelaySeconds: services[s.name].drainDelay.toSeconds(),
      })),
    labels: appLabels({ name: 'gateway', instance: `gateway-${env.name}`, component: 'gateway', partOf: PART_OF }),
  });
}

/** Redis Cluster and PostgreSQL with its poolers, sized by the environment's data tier, in the `data` chart. */
function addDataTier(root: Construct, foundation: Chart, env: Environment, cost: Record<string, string>) {
  const dataChart = new Chart(root, 'data', { labels: cost });
  dataChart.addDependency(foundation);
  const { redis: redisTier, postgres: pgTier } = env.dataTier;
  const engine = KeyValueEngine.of(redisTier.engine ?? 'valkey');
  const redis = new RedisCluster(dataChart, 'Redis', {
    name: 'redis',
    namespace: env.namespace,
    shards: redisTier.shards,
    replicasPerShard: redisTier.replicasPerShard,
    zones: env.zones.length,
    memory: redisTier.memory,
    cpu: redisTier.cpu,
    storage: redisTier.storage,
    // Created outside the stack (External Secrets, Sealed Secrets or by hand): no secret value is synthesized.
    auth: { secretName: 'redis-auth' },
    engine,
    image: thirdPartyImage(env, engine.name),
    exporterImage: thirdPartyImage(env, 'redisExporter'),
    // python3 for the zone lookup; an image every site already mirrors (bitnami/kubectl is gone).
    placementImage: thirdPartyImage(env, 'postgres'),
    apiServer: env.apiServer,
    monitoringNamespace: env.monitoring.namespace,
    labels: cost,
  });
  const postgres = new PostgresCluster(dataChart, 'Postgres', {
    name: 'postgres',
    namespace: env.namespace,
    instances: pgTier.instances,
    synchronousReplicas: pgTier.synchronousReplicas,
    zones: env.zones.length,
    memory: pgTier.memory,
    cpu: pgTier.cpu,
    storage: pgTier.storage,
    imageName: thirdPartyImage(env, 'postgres'),
    pgbouncerImage: thirdPartyImage(env, 'pgbouncer'),
    backup: pgTier.backup,
    backupMethod: backupMethodFor(operatorVersions(env).cloudnativePg),
    targetClients: pgTier.targetClients,
    apiServer: env.apiServer,
    monitoringNamespace: env.monitoring.namespace,
    labels: cost,
  });
  // Seasonal baselines of the stores' own signals, beside their threshold alerts; thresholds from the environment.
  const dataAnomalies = new DataTierAnomalyRules(dataChart, 'Anomalies', {
    namespace: env.namespace,
    redis: { cluster: redis.name, thresholds: redisTier.anomaly },
    postgres: { cluster: postgres.name, database: postgres.database, thresholds: pgTier.anomaly },
    labels: cost,
  });
  return { dataChart, redis, postgres, dataAnomalies };
}

/** Chaos experiments with verdicts and restore drills of the data tier, in the `resilience` chart. */
function addResilience(
  root: Construct,
  dataChart: Chart,
  env: Environment,
  redis: RedisCluster,
  postgres: PostgresCluster,
  cost: Record<string, string>,
): void {
  const chart = new Chart(root, 'resilience', { labels: cost });
  chart.addDependency(dataChart);
  const pgTier = env.dataTier.postgres;
  if (env.restoreDrill) {
    new RestoreDrill(chart, 'RestoreDrill', {
      namespace: env.namespace,
      sourceCluster: postgres.name,
      backup: pgTier.backup,
      backupMethod: backupMethodFor(operatorVersions(env).cloudnativePg),
      imageName: thirdPartyImage(env, 'postgres'),
      storage: pgTier.storage,
      memory: pgTier.memory,
      cpu: pgTier.cpu,
      apiServer: env.apiServer,
      schedule: env.restoreDrill.schedule,
      suspended: env.restoreDrill.suspended,
      labels: cost,
    });
  }
  if (!env.chaos) return;
  new ChaosExperiments(chart, 'Chaos', {
    namespace: env.namespace,
    targets: {
      redis: {
        name: redis.name,
        replicasPerShard: env.dataTier.redis.replicasPerShard,
        authSecret: redis.authSecret,
        cli: redis.engine.cli,
      },
      postgres: { name: postgres.name },
    },
    zones: env.zones,
    triggerImage: thirdPartyImage(env, 'postgres'),
    redisImage: thirdPartyImage(env, redis.engine.name),
    apiServer: env.apiServer,
    suspended: env.chaos?.suspended,
    labels: cost,
  });
}

/** The baseline load test of the environment's target service, on its schedule, with thresholds from its Slo. */
function addLoadTest(
  root: Construct,
  foundation: Chart,
  env: Environment,
  tests: LoadTests,
  target: ScalableService,
  slo: SloModel,
  cost: Record<string, string>,
): void {
  const chart = new Chart(root, 'loadtest', { labels: cost });
  chart.addDependency(foundation);
  new K6LoadTest(chart, 'Baseline', {
    name: `${target.name}-baseline`,
    namespace: env.namespace,
    scenario: 'baseline',
    slo,
    p99Latency: PLATFORM_TARGETS.p99Latency,
    target: { url: `http://${target.name}.${env.namespace}.svc`, podSelector: target.selector, port: target.containerPort },
    endpoints: tests.endpoints,
    image: thirdPartyImage(env, 'k6'),
    prometheusRemoteWriteUrl: `${env.monitoring.prometheusUrl}/api/v1/write`,
    monitoringNamespace: env.monitoring.namespace,
    schedule: tests.schedule,
    suspended: tests.suspended,
    labels: cost,
  });
}

/**
 * What a service that uses the data stores gets: endpoints as plain variables, credentials as Secret references,
 * and the pod labels the stores' NetworkPolicies admit.
 */
function dataAccess(spec: ServiceSpec, redis: RedisCluster, postgres: PostgresCluster, resolved: ResolvedService) {
  const uses = dataStoresOf(spec);
  // The stores' timeouts, attempts and pool limits for the service's clients (no mesh retries a command).
  const env: Record<string, string> = { ...dataTierClientEnv(resolved.dependencies), ...(spec.env ?? {}) };
  const secretEnv: Record<string, { secret: string; key: string }> = {};
  const podLabels: Record<string, string> = {};
  if (uses.includes('redis')) {
    env.REDIS_CLUSTER_SEEDS = redis.endpoint;
    secretEnv.REDIS_PASSWORD = { secret: redis.authSecret.name, key: redis.authSecret.key };
    podLabels[REDIS_CLIENT_LABEL] = labelValue(redis.name);
  }
  if (uses.includes('postgres')) {
    env.DATABASE_RW_ADDR = postgres.readWriteEndpoint;
    env.DATABASE_RO_ADDR = postgres.readOnlyPooler ? postgres.readOnlyEndpoint : postgres.readWriteEndpoint;
    secretEnv.DATABASE_USER = { secret: postgres.appSecret, key: 'username' };
    secretEnv.DATABASE_PASSWORD = { secret: postgres.appSecret, key: 'password' };
    secretEnv.DATABASE_NAME = { secret: postgres.appSecret, key: 'dbname' };
    podLabels[POSTGRES_CLIENT_LABEL] = labelValue(postgres.name);
  }
  return { env, secretEnv, podLabels };
}

/** Whether the environment has spot capacity for burst pods: a spot node group or Karpenter. */
function hasSpot(env: Environment): boolean {
  return env.cloud.kind === 'aws' && env.cloud.spotPercent > 0;
}
