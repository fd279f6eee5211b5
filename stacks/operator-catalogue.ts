import { stringify } from 'yaml';
import { monitoringStackValues } from '../constructs/observability/monitoring-stack-values';
import {
  Environment,
  OPERATORS_FOR,
  OperatorVersions,
  alertRoutingOptions,
  edgeOf,
  eventsExported,
  meshOf,
  operatorVersions,
} from './environment';
import { ENVOY_GATEWAY_FOR, ISTIO_FOR } from './kubernetes-versions';
import { backupMethodFor } from '../constructs/data/postgres-cluster';
import { eventsExporterValues } from '../constructs/observability/events-exporter';

/**
 * The Barman Cloud plugin release the PostgreSQL backups of CloudNativePG 1.26+ go through: the version of the
 * `ObjectStore` CRD perfstack validates against (../shared/crds, schemas/manifest.json: tag v0.14.0).
 */
export const BARMAN_CLOUD_PLUGIN_VERSION = 'v0.14.0';

/** The OpenTelemetry Collector release the events exporter runs (the chart pin below ships it). */
export const EVENTS_COLLECTOR_VERSION = '0.158.0';

/**
 * The operators a perfstack platform runs on, as Helm charts: where each chart comes from, which chart version
 * carries which app version, the namespace it goes to, what it must wait for, the images it runs (what an air-gapped
 * site mirrors) and its values derived from the Environment. The Pulumi program installs these releases
 * (`infra/operator-releases.ts`); for plain YAML, `npm run synth` writes the same list to `dist/<env>/helm/operators.releases.yaml`.
 *
 * Every chart pin below names where it was read. App versions come from the environment (`OPERATORS_FOR` /
 * `env.operators`) for every operator; the platform add-ons an environment's own pins leave out come from
 * `OPERATORS_FOR[kubernetesVersion]`.
 */
export type OperatorName =
  | 'cert-manager'
  | 'aws-load-balancer-controller'
  | 'cluster-autoscaler'
  | 'external-dns'
  | 'karpenter'
  | 'kube-prometheus-stack'
  | 'prometheus-adapter'
  | 'vertical-pod-autoscaler'
  | 'keda'
  | 'cloudnative-pg'
  | 'plugin-barman-cloud'
  | 'k6-operator'
  | 'chaos-mesh'
  | 'events-exporter'
  | 'envoy-gateway'
  | 'istio-base'
  | 'istiod'
  | 'istio-cni'
  | 'ztunnel';

/** One chart version and the app version it ships, with where that pairing was read. */
export interface ChartPin {
  readonly chartVersion: string;
  readonly appVersion: string;
  readonly source: string;
}

/** An image an operator runs: repository without registry host, and tag. */
export interface OperatorImage {
  /** Upstream registry host (`registry.k8s.io`, `ghcr.io`, `quay.io`, `public.ecr.aws`). */
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
}

/** What the values functions get: the environment and the resolved app version. */
export interface OperatorContext {
  readonly env: Environment;
  readonly appVersion: string;
  /** Registry host every image is pulled from when air-gapped, else undefined (upstream registries). */
  readonly mirror?: string;
  /** IAM role of the operator's service account (IRSA), where it needs AWS access. */
  readonly roleArn?: string;
  /** Name of the EKS cluster, for the operators that must know it. */
  readonly clusterName?: string;
}

export interface OperatorSpec {
  readonly name: OperatorName;
  /** Helm repository URL (`https://...`) or OCI registry (`oci://...`). */
  readonly repository: string;
  readonly chart: string;
  readonly namespace: string;
  /** Operators whose CRDs or webhooks this one needs first. */
  readonly dependsOn: readonly OperatorName[];
  /** Field of {@link OperatorVersions} that holds the app version, or undefined for platform add-ons. */
  readonly appVersionKey?: keyof OperatorVersions;
  /** Known chart pins, newest last. */
  readonly pins: readonly ChartPin[];
  /**
   * When the chart's version equals its app version (and where that was read), so a pin is known for every release.
   * @default - only the pins listed
   */
  readonly chartEqualsApp?: string;
  /**
   * Values that make the newest pinned chart run another app version (its image tags), for charts whose images are
   * set by tag; the pin then records `imageTagOverride`.
   * @default - no override: an app version without a pin has no chart
   */
  readonly tagValues?: (appVersion: string) => Record<string, unknown>;
  /** IAM role the operator's service account assumes on AWS. @default - none */
  readonly serviceAccount?: string;
  readonly images: (appVersion: string) => readonly OperatorImage[];
  readonly values: (ctx: OperatorContext) => Record<string, unknown>;
}

/**
 * App versions of the add-ons the Environment does not pin itself (it pins what its custom resources depend on):
 * from the compatibility matrix, `OPERATORS_FOR` (stacks/kubernetes-versions.ts), for the environment's version.
 */
const PLATFORM_APP_VERSION_KEYS = {
  'cert-manager': 'certManager',
  'aws-load-balancer-controller': 'awsLoadBalancerController',
  'external-dns': 'externalDns',
} as const satisfies Partial<Record<OperatorName, keyof OperatorVersions>>;

/** Cluster Autoscaler release per Kubernetes minor (its minor must match the cluster's), from `OPERATORS_FOR`. */
export const CLUSTER_AUTOSCALER_FOR: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(OPERATORS_FOR).map(([version, ops]) => [version, `v${ops.clusterAutoscaler}`]),
);

/** Operators run in the built-in class that outranks every workload, so a full node never evicts them first. */
export const OPERATOR_PRIORITY_CLASS = 'system-cluster-critical';

const small = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { memory } });
const irsa = (ctx: OperatorContext) => (ctx.roleArn ? { 'eks.amazonaws.com/role-arn': ctx.roleArn } : {});
const v = (tag: string) => (tag.startsWith('v') ? tag : `v${tag}`);
const bare = (tag: string) => tag.replace(/^v/, '');

const SPECS: readonly OperatorSpec[] = [
  {
    name: 'cert-manager',
    repository: 'https://charts.jetstack.io',
    chart: 'cert-manager',
    namespace: 'cert-manager',
    dependsOn: [],
    pins: [
      { chartVersion: 'v1.19.1', appVersion: 'v1.19.1', source: 'graphops/launchpad-namespaces PR 1793 (jetstack/cert-manager v1.19.1)' },
    ],
    chartEqualsApp: 'cert-manager.io/docs/installation/helm (chart versions are the release tags)',
    images: (app) =>
      ['cert-manager-controller', 'cert-manager-webhook', 'cert-manager-cainjector', 'cert-manager-startupapicheck'].map((r) => ({
        registry: 'quay.io',
        repository: `jetstack/${r}`,
        tag: v(app),
      })),
    values: (ctx) => ({
      crds: { enabled: true, keep: true },
      global: { priorityClassName: OPERATOR_PRIORITY_CLASS },
      replicaCount: ctx.env.production ? 2 : 1,
      resources: small('50m', '128Mi'),
      prometheus: { enabled: true, servicemonitor: { enabled: false } },
      // The gateway-shim: a Certificate for the Gateway's listeners from its cluster-issuer annotation (on-prem edge).
      ...(edgeOf(ctx.env) === 'envoy-gateway'
        ? { config: { apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', enableGatewayAPI: true } }
        : {}),
      ...(ctx.mirror
        ? Object.fromEntries(
            (
              [
                ['image', 'controller'],
                ['webhook', 'webhook'],
                ['cainjector', 'cainjector'],
                ['startupapicheck', 'startupapicheck'],
              ] as const
            ).map(([key, img]) => {
              const repository = `${ctx.mirror}/jetstack/cert-manager-${img}`;
              return [key, key === 'image' ? { repository } : { image: { repository } }];
            }),
          )
        : {}),
    }),
  },
  {
    name: 'aws-load-balancer-controller',
    repository: 'https://aws.github.io/eks-charts',
    chart: 'aws-load-balancer-controller',
    namespace: 'kube-system',
    dependsOn: ['cert-manager'],
    serviceAccount: 'aws-load-balancer-controller',
    pins: [
      {
        chartVersion: '1.13.1',
        appVersion: 'v2.13.1',
        source: 'aws/aws-cdk aws-eks alb-controller.ts (AlbControllerVersion.V2_13_1 -> chart 1.13.1)',
      },
      {
        // The chart's numbering jumped from 1.x to 3.x with the controller's v3 (Gateway API GA).
        chartVersion: '3.5.0',
        appVersion: 'v3.5.0',
        source: 'kubernetes-sigs/aws-load-balancer-controller tag v3.5.0 (commit 11eb202c), helm/aws-load-balancer-controller/Chart.yaml',
      },
    ],
    images: (app) => [{ registry: 'public.ecr.aws', repository: 'eks/aws-load-balancer-controller', tag: v(app) }],
    values: (ctx) => ({
      clusterName: ctx.clusterName,
      region: ctx.env.cloud.kind === 'aws' ? ctx.env.cloud.region : undefined,
      replicaCount: 2,
      priorityClassName: OPERATOR_PRIORITY_CLASS,
      resources: small('100m', '256Mi'),
      // The webhook certificate from cert-manager rather than one the chart generates on every upgrade.
      enableCertManager: true,
      // Gateway API (L7 on ALB, L4 on NLB; GA in v3): on by default in v3.5.0 (pkg/config/feature_gates.go), set
      // here so the edge's Gateways never depend on a default. It reconciles the Gateway API v1.6 CRDs.
      ...(Number(bare(ctx.appVersion).split('.')[0]) >= 3
        ? { controllerConfig: { featureGates: { ALBGatewayAPI: true, NLBGatewayAPI: true } } }
        : {}),
      serviceAccount: { create: true, name: 'aws-load-balancer-controller', annotations: irsa(ctx) },
    }),
  },
  {
    name: 'cluster-autoscaler',
    repository: 'https://kubernetes.github.io/autoscaler',
    chart: 'cluster-autoscaler',
    namespace: 'kube-system',
    dependsOn: [],
    serviceAccount: 'cluster-autoscaler',
    pins: [
      { chartVersion: '9.38.0', appVersion: 'v1.31.0', source: 'kubernetes/autoscaler charts/cluster-autoscaler/Chart.yaml' },
      { chartVersion: '9.47.0', appVersion: 'v1.33.0', source: 'kubernetes/autoscaler PR 8295' },
      { chartVersion: '9.59.0', appVersion: 'v1.35.0', source: 'kubermatic/kubermatic PR 16253 (appVersion 1.35.0)' },
    ],
    // The chart runs any release by image tag; the autoscaler README tells to match the cluster's minor so.
    tagValues: (app) => ({ image: { tag: v(app) } }),
    images: (app) => [{ registry: 'registry.k8s.io', repository: 'autoscaling/cluster-autoscaler', tag: v(app) }],
    values: (ctx) => ({
      cloudProvider: 'aws',
      awsRegion: ctx.env.cloud.kind === 'aws' ? ctx.env.cloud.region : undefined,
      autoDiscovery: { clusterName: ctx.clusterName },
      priorityClassName: OPERATOR_PRIORITY_CLASS,
      resources: small('100m', '300Mi'),
      // The priority expander reads the ConfigMap AutoscalerPriorities writes: spot groups before on-demand.
      extraArgs: { expander: 'priority,least-waste', 'balance-similar-node-groups': true, 'skip-nodes-with-local-storage': false },
      rbac: { serviceAccount: { create: true, name: 'cluster-autoscaler', annotations: irsa(ctx) } },
      ...(ctx.mirror ? { image: { repository: `${ctx.mirror}/autoscaling/cluster-autoscaler` } } : {}),
    }),
  },
  {
    name: 'external-dns',
    repository: 'https://kubernetes-sigs.github.io/external-dns',
    chart: 'external-dns',
    namespace: 'external-dns',
    dependsOn: [],
    serviceAccount: 'external-dns',
    pins: [{ chartVersion: '1.19.0', appVersion: '0.19.0', source: 'artifacthub external-dns 1.19.0 (appVersion v0.19.0)' }],
    images: (app) => [{ registry: 'registry.k8s.io', repository: 'external-dns/external-dns', tag: v(app) }],
    values: (ctx) => ({
      provider: { name: 'aws' },
      // The edge's routes (the Gateway's address as the target); only the names they annotate.
      sources: ['gateway-httproute', 'gateway-grpcroute'],
      // Only the environment's zone, only records this owner created.
      extraArgs: ctx.env.ingress?.dns ? [`--zone-id-filter=${ctx.env.ingress.dns.hostedZoneId}`] : [],
      txtOwnerId: ctx.clusterName,
      policy: 'upsert-only',
      priorityClassName: OPERATOR_PRIORITY_CLASS,
      resources: small('50m', '128Mi'),
      serviceAccount: { create: true, name: 'external-dns', annotations: irsa(ctx) },
    }),
  },
  {
    name: 'karpenter',
    repository: 'oci://public.ecr.aws/karpenter',
    chart: 'karpenter',
    namespace: 'kube-system',
    dependsOn: [],
    appVersionKey: 'karpenter',
    pins: [],
    chartEqualsApp: 'particuleio/terraform-kubernetes-addons helm-dependencies.yaml (oci://public.ecr.aws/karpenter, chart = release)',
    serviceAccount: 'karpenter',
    images: (app) => [{ registry: 'public.ecr.aws', repository: 'karpenter/controller', tag: bare(app) }],
    values: (ctx) => ({
      settings: { clusterName: ctx.clusterName, interruptionQueue: ctx.clusterName },
      priorityClassName: OPERATOR_PRIORITY_CLASS,
      controller: { resources: small('250m', '512Mi') },
      serviceAccount: { annotations: irsa(ctx) },
    }),
  },
  {
    name: 'kube-prometheus-stack',
    repository: 'https://prometheus-community.github.io/helm-charts',
    chart: 'kube-prometheus-stack',
    namespace: 'monitoring',
    dependsOn: [],
    appVersionKey: 'prometheusOperator',
    pins: [
      {
        chartVersion: '88.0.0',
        appVersion: '0.93.0',
        source: 'prometheus-community/helm-charts release kube-prometheus-stack-88.0.0 (Bump prometheus-operator to v0.93.0)',
      },
    ],
    images: (app) =>
      ['prometheus-operator', 'prometheus-config-reloader'].map((r) => ({
        registry: 'quay.io',
        repository: `prometheus-operator/${r}`,
        tag: v(app),
      })),
    // The same values synth writes to dist/<env>/helm/kube-prometheus-stack.values.yaml.
    values: (ctx) => ({
      ...monitoringStackValues({
        environment: ctx.env.name,
        retention: ctx.env.monitoring.retention,
        imageRegistry: ctx.mirror,
        dashboardsNamespace: ctx.env.monitoring.namespace,
        alerting: alertRoutingOptions(ctx.env),
      }),
      prometheusOperator: { priorityClassName: OPERATOR_PRIORITY_CLASS, resources: small('100m', '256Mi') },
    }),
  },
  {
    name: 'prometheus-adapter',
    repository: 'https://prometheus-community.github.io/helm-charts',
    chart: 'prometheus-adapter',
    namespace: 'monitoring',
    dependsOn: ['kube-prometheus-stack'],
    appVersionKey: 'prometheusAdapter',
    pins: [
      {
        chartVersion: '4.8.2',
        appVersion: 'v0.11.2',
        source: 'prometheus-community/helm-charts release prometheus-adapter-4.8.2 (Bump prom adapter to 0.11.2)',
      },
    ],
    tagValues: (app) => ({ image: { tag: v(app) } }),
    images: (app) => [{ registry: 'registry.k8s.io', repository: 'prometheus-adapter/prometheus-adapter', tag: v(app) }],
    values: (ctx) => {
      const url = new URL(ctx.env.monitoring.prometheusUrl);
      return {
        prometheus: { url: `${url.protocol}//${url.hostname}`, port: Number(url.port || 80) },
        // The rules come from the ConfigMap the App writes (PrometheusAdapterConfig): one source of truth.
        rules: { default: false, existing: 'prometheus-adapter' },
        replicas: ctx.env.production ? 2 : 1,
        priorityClassName: OPERATOR_PRIORITY_CLASS,
        resources: small('100m', '256Mi'),
        ...(ctx.mirror ? { image: { repository: `${ctx.mirror}/prometheus-adapter/prometheus-adapter` } } : {}),
      };
    },
  },
  {
    name: 'vertical-pod-autoscaler',
    repository: 'https://kubernetes.github.io/autoscaler',
    chart: 'vertical-pod-autoscaler',
    namespace: 'kube-system',
    dependsOn: ['cert-manager'],
    appVersionKey: 'verticalPodAutoscaler',
    pins: [
      {
        chartVersion: '0.9.0',
        appVersion: '1.6.0',
        source: 'kubernetes/autoscaler vertical-pod-autoscaler/charts/vertical-pod-autoscaler/Chart.yaml',
      },
    ],
    tagValues: (app) => ({
      recommender: { image: { tag: bare(app) } },
      updater: { image: { tag: bare(app) } },
      admissionController: { image: { tag: bare(app) } },
    }),
    images: (app) =>
      ['vpa-recommender', 'vpa-updater', 'vpa-admission-controller'].map((r) => ({
        registry: 'registry.k8s.io',
        repository: `autoscaling/${r}`,
        tag: bare(app),
      })),
    values: (ctx) =>
      Object.fromEntries(
        (['recommender', 'updater', 'admissionController'] as const).map((c) => [
          c,
          {
            priorityClassName: OPERATOR_PRIORITY_CLASS,
            resources: small('50m', '256Mi'),
            ...(ctx.mirror
              ? { image: { repository: `${ctx.mirror}/autoscaling/vpa-${c === 'admissionController' ? 'admission-controller' : c}` } }
              : {}),
          },
        ]),
      ),
  },
  {
    name: 'keda',
    repository: 'https://kedacore.github.io/charts',
    chart: 'keda',
    namespace: 'keda',
    dependsOn: ['cert-manager'],
    appVersionKey: 'keda',
    pins: [{ chartVersion: '2.15.1', appVersion: '2.15.1', source: 'kedacore/charts tag v2.15.1 (named in the v2.16.0 release)' }],
    chartEqualsApp: 'kedacore/charts releases v2.16.0 and v2.21.1 ("Chart: vX | App: vX")',
    images: (app) =>
      ['keda', 'keda-metrics-apiserver', 'keda-admission-webhooks'].map((r) => ({
        registry: 'ghcr.io',
        repository: `kedacore/${r}`,
        tag: bare(app),
      })),
    values: (ctx) => ({
      priorityClassName: OPERATOR_PRIORITY_CLASS,
      resources: { operator: small('100m', '256Mi'), metricServer: small('100m', '256Mi'), webhooks: small('50m', '128Mi') },
      ...(ctx.mirror
        ? {
            image: {
              keda: { registry: ctx.mirror, repository: 'kedacore/keda' },
              metricsApiServer: { registry: ctx.mirror, repository: 'kedacore/keda-metrics-apiserver' },
              webhooks: { registry: ctx.mirror, repository: 'kedacore/keda-admission-webhooks' },
            },
          }
        : {}),
    }),
  },
  {
    name: 'cloudnative-pg',
    repository: 'https://cloudnative-pg.github.io/charts',
    chart: 'cloudnative-pg',
    namespace: 'cnpg-system',
    dependsOn: [],
    appVersionKey: 'cloudnativePg',
    pins: [{ chartVersion: '0.29.0', appVersion: '1.30.0', source: 'cloudnative-pg.io/charts/index.yaml (0.29.0, appVersion 1.30.0)' }],
    images: (app) => [{ registry: 'ghcr.io', repository: 'cloudnative-pg/cloudnative-pg', tag: bare(app) }],
    values: (ctx) => ({
      replicaCount: ctx.env.production ? 2 : 1,
      priorityClassName: OPERATOR_PRIORITY_CLASS,
      resources: small('100m', '256Mi'),
      monitoring: { podMonitorEnabled: true },
      ...(ctx.mirror ? { image: { repository: `${ctx.mirror}/cloudnative-pg/cloudnative-pg` } } : {}),
    }),
  },
  {
    // In the operator's namespace (the plugin's documented requirement), after cert-manager (its TLS certificates).
    name: 'plugin-barman-cloud',
    repository: 'https://cloudnative-pg.github.io/charts',
    chart: 'plugin-barman-cloud',
    namespace: 'cnpg-system',
    dependsOn: ['cert-manager', 'cloudnative-pg'],
    // No chart release shipping app v0.14.0 could be sourced here: the newest pin below runs it with its image tags
    // set to v0.14.0 (the release then records imageTagOverride). Replace with the exact pin once read from
    // cloudnative-pg.github.io/charts/index.yaml.
    pins: [
      {
        chartVersion: '0.4.0',
        appVersion: 'v0.10.0',
        source: 'cloudnative-pg/charts charts/plugin-barman-cloud/Chart.yaml at 114e7e0f5cbf48c1d7bbe003d4a11d81982f269d',
      },
      {
        chartVersion: '0.8.0',
        appVersion: 'v0.15.0',
        source:
          'third-party record of charts/plugin-barman-cloud/Chart.yaml at tag plugin-barman-cloud-v0.8.0 (search index; not read upstream)',
      },
    ],
    tagValues: (app) => ({ image: { tag: v(app) }, sidecarImage: { tag: v(app) } }),
    images: (app) => [
      { registry: 'ghcr.io', repository: 'cloudnative-pg/plugin-barman-cloud', tag: v(app) },
      { registry: 'ghcr.io', repository: 'cloudnative-pg/plugin-barman-cloud-sidecar', tag: v(app) },
    ],
    // Values as in the chart's values.yaml (cloudnative-pg/charts 04130b4): image and sidecarImage by registry.
    values: (ctx) => ({
      replicaCount: ctx.env.production ? 2 : 1,
      priorityClassName: OPERATOR_PRIORITY_CLASS,
      resources: small('50m', '128Mi'),
      ...(ctx.mirror ? { image: { registry: ctx.mirror }, sidecarImage: { registry: ctx.mirror } } : {}),
    }),
  },
  {
    name: 'k6-operator',
    repository: 'https://grafana.github.io/helm-charts',
    chart: 'k6-operator',
    namespace: 'k6-operator-system',
    dependsOn: [],
    appVersionKey: 'k6Operator',
    pins: [
      {
        chartVersion: '4.6.0',
        appVersion: '1.6.0',
        source: 'grafana/helm-charts release helm-k6-operator-4.6.0 (source commit cf0ae21 = k6-operator v1.6.0)',
      },
    ],
    images: (app) => [{ registry: 'ghcr.io', repository: 'grafana/k6-operator', tag: `controller-${v(app)}` }],
    values: (ctx) => ({
      manager: { resources: small('100m', '256Mi') },
      ...(ctx.mirror ? { global: { image: { registry: ctx.mirror } } } : {}),
    }),
  },
  {
    name: 'chaos-mesh',
    repository: 'https://charts.chaos-mesh.org',
    chart: 'chaos-mesh',
    namespace: 'chaos-mesh',
    dependsOn: [],
    appVersionKey: 'chaosMesh',
    pins: [],
    chartEqualsApp: 'chaos-mesh.org/docs/production-installation-using-helm and artifacthub chaos-mesh 2.8.0 (release notes v2.8.0)',
    images: (app) =>
      ['chaos-mesh', 'chaos-daemon', 'chaos-dashboard'].map((r) => ({ registry: 'ghcr.io', repository: `chaos-mesh/${r}`, tag: v(app) })),
    values: (ctx) => ({
      controllerManager: { priorityClassName: OPERATOR_PRIORITY_CLASS, resources: small('25m', '256Mi') },
      dashboard: { create: false },
      ...(ctx.mirror ? { images: { registry: ctx.mirror } } : {}),
    }),
  },
  {
    // The OpenTelemetry Collector as the Kubernetes events exporter (constructs/observability/events-exporter.ts).
    name: 'events-exporter',
    repository: 'https://open-telemetry.github.io/opentelemetry-helm-charts',
    chart: 'opentelemetry-collector',
    namespace: 'monitoring',
    dependsOn: [],
    pins: [
      {
        chartVersion: '0.170.0',
        appVersion: EVENTS_COLLECTOR_VERSION,
        source: 'open-telemetry/opentelemetry-helm-charts charts/opentelemetry-collector/Chart.yaml at dd5665c0 (2026-08-20)',
      },
    ],
    images: (app) => [{ registry: 'docker.io', repository: 'otel/opentelemetry-collector-contrib', tag: bare(app) }],
    values: (ctx) =>
      eventsExporterValues({
        retention: ctx.env.monitoring.retention.time,
        priorityClassName: OPERATOR_PRIORITY_CLASS,
        mirror: ctx.mirror,
      }),
  },
  {
    // The on-prem Gateway API implementation. Its chart carries its CRDs and Gateway API's in `crds/` (Helm installs
    // those only where absent: the standard-channel v1.6.1 CRDs applied first stay).
    name: 'envoy-gateway',
    repository: 'oci://docker.io/envoyproxy',
    chart: 'gateway-helm',
    namespace: 'envoy-gateway-system',
    dependsOn: [],
    pins: [],
    chartEqualsApp:
      'envoyproxy/gateway tag v1.9.0: site/layouts/shortcodes/helm-version.html (v1.9 docs install chart v1.9.0 from oci://docker.io/envoyproxy/gateway-helm)',
    images: (app) => [
      { registry: 'docker.io', repository: 'envoyproxy/gateway', tag: v(app) },
      // The Envoy build the release compiles in (the release's compatibility matrix): the proxies the Gateway runs.
      { registry: 'docker.io', repository: 'envoyproxy/envoy', tag: envoyProxyFor(bare(app)) },
    ],
    values: (ctx) => ({
      deployment: {
        replicas: ctx.env.production ? 2 : 1,
        priorityClassName: OPERATOR_PRIORITY_CLASS,
        envoyGateway: { resources: small('100m', '256Mi') },
      },
      ...(ctx.mirror ? { global: { imageRegistry: ctx.mirror } } : {}),
    }),
  },
  ...istioSpecs(),
];

/**
 * Istio's ambient mode as its four charts, in the order Istio installs them: base (CRDs), istiod (control plane),
 * cni (redirects pod traffic to ztunnel) and ztunnel (the per-node L4 proxy). Chart versions are the release's.
 * Waypoints run the proxyv2 image. Gateway API's standard CRDs (v1.6.1) must be installed first: the waypoint is a
 * Gateway.
 * @see https://istio.io/latest/docs/ambient/install/helm/
 */
function istioSpecs(): OperatorSpec[] {
  const hub = (ctx: OperatorContext) => (ctx.mirror ? `${ctx.mirror}/istio` : undefined);
  const common = {
    repository: 'https://istio-release.storage.googleapis.com/charts',
    namespace: 'istio-system',
    pins: [],
    chartEqualsApp: 'istio.io/latest/docs/ambient/install/helm (chart versions are the Istio release: --version 1.30.3)',
  };
  const image = (repository: string) => (app: string) => [{ registry: 'docker.io', repository: `istio/${repository}`, tag: bare(app) }];
  return [
    { ...common, name: 'istio-base', chart: 'base', dependsOn: [], images: () => [], values: () => ({ defaultRevision: 'default' }) },
    {
      ...common,
      name: 'istiod',
      chart: 'istiod',
      dependsOn: ['istio-base'],
      images: (app) => [...image('pilot')(app), ...image('proxyv2')(app)],
      values: (ctx) => ({
        profile: 'ambient',
        global: { priorityClassName: OPERATOR_PRIORITY_CLASS, ...(hub(ctx) ? { hub: hub(ctx) } : {}) },
        pilot: { replicaCount: ctx.env.production ? 2 : 1, resources: small('200m', '512Mi') },
      }),
    },
    {
      ...common,
      name: 'istio-cni',
      chart: 'cni',
      dependsOn: ['istiod'],
      images: image('install-cni'),
      values: (ctx) => ({
        profile: 'ambient',
        global: { priorityClassName: 'system-node-critical', ...(hub(ctx) ? { hub: hub(ctx) } : {}) },
      }),
    },
    {
      ...common,
      name: 'ztunnel',
      chart: 'ztunnel',
      dependsOn: ['istio-cni'],
      images: image('ztunnel'),
      values: (ctx) => ({
        priorityClassName: 'system-node-critical',
        resources: small('200m', '512Mi'),
        ...(hub(ctx) ? { hub: hub(ctx) } : {}),
      }),
    },
  ];
}

/**
 * The Envoy proxy image each Envoy Gateway release runs its Gateways with (envoyproxy/gateway
 * site/content/en/news/releases/matrix.md at v1.9.0: v1.9 -> distroless-v1.39.0).
 */
export const ENVOY_PROXY_FOR_GATEWAY: Readonly<Record<string, string>> = { '1.9.0': 'distroless-v1.39.0' };

/** The proxy image tag of an Envoy Gateway release; a release without one is a catalogue gap, not an image to guess. */
function envoyProxyFor(gateway: string): string {
  const tag = ENVOY_PROXY_FOR_GATEWAY[gateway];
  if (tag === undefined)
    throw new Error(
      `Envoy Gateway ${gateway} has no proxy image in ENVOY_PROXY_FOR_GATEWAY (stacks/operator-catalogue.ts): add its Envoy build from the release's compatibility matrix`,
    );
  return tag;
}

/** Every operator perfstack knows, by name. */
export const OPERATOR_CATALOGUE: Readonly<Record<OperatorName, OperatorSpec>> = Object.fromEntries(SPECS.map((s) => [s.name, s])) as Record<
  OperatorName,
  OperatorSpec
>;

/** One operator as an environment installs it. */
export interface ResolvedOperator {
  readonly name: OperatorName;
  readonly repository: string;
  readonly chart: string;
  /** Pinned chart version; undefined where no chart pin for the app version could be sourced. */
  readonly chartVersion?: string;
  readonly appVersion: string;
  readonly namespace: string;
  readonly dependsOn: readonly OperatorName[];
  /** Where the chart pin was read. */
  readonly source: string;
  /** The pinned chart ships another app version; its image tags are set to this one. */
  readonly imageTagOverride: boolean;
  readonly images: readonly OperatorImage[];
  readonly serviceAccount?: string;
}

/**
 * Gateway API's standard-channel CRDs, which the mesh's waypoint (a Gateway) needs before istiod starts: no chart
 * ships them, so they are applied from the release's own manifest.
 * @see https://gateway-api.sigs.k8s.io/guides/#installing-gateway-api
 */
export const GATEWAY_API_CRDS = {
  version: 'v1.6.1',
  url: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml',
} as const;

/** Whether an environment needs Gateway API's CRDs installed before its operators: the mesh's waypoint or the edge. */
export function needsGatewayApiCrds(env: Environment): boolean {
  const edge = edgeOf(env);
  return meshOf(env) === 'istio-ambient' || edge === 'aws-load-balancer-controller' || edge === 'envoy-gateway';
}

/** The charts of the mesh, in install order. */
export const ISTIO_CHARTS: readonly OperatorName[] = ['istio-base', 'istiod', 'istio-cni', 'ztunnel'];

/** The app version of `name` in force for `env`. */
export function appVersionOf(spec: OperatorSpec, env: Environment): string | undefined {
  if (spec.appVersionKey) return operatorVersions(env)[spec.appVersionKey];
  if (spec.name === 'cluster-autoscaler') return CLUSTER_AUTOSCALER_FOR[env.kubernetesVersion];
  if (ISTIO_CHARTS.includes(spec.name)) return ISTIO_FOR[env.kubernetesVersion];
  if (spec.name === 'plugin-barman-cloud') return BARMAN_CLOUD_PLUGIN_VERSION;
  if (spec.name === 'events-exporter') return EVENTS_COLLECTOR_VERSION;
  if (spec.name === 'envoy-gateway') return ENVOY_GATEWAY_FOR[env.kubernetesVersion];
  const key = PLATFORM_APP_VERSION_KEYS[spec.name as keyof typeof PLATFORM_APP_VERSION_KEYS];
  return key === undefined ? undefined : (operatorVersions(env)[key] ?? OPERATORS_FOR[env.kubernetesVersion][key]);
}

/** The chart pin for an app version: an exact pin, the chart-equals-app rule, or the newest pin with image tags set. */
export function chartPinFor(spec: OperatorSpec, appVersion: string): (ChartPin & { imageTagOverride: boolean }) | undefined {
  const exact = spec.pins.find((p) => bare(p.appVersion) === bare(appVersion));
  if (exact) return { ...exact, imageTagOverride: false };
  if (spec.chartEqualsApp) {
    const chartVersion = spec.name === 'cert-manager' || spec.name === 'envoy-gateway' ? v(appVersion) : bare(appVersion);
    return { chartVersion, appVersion, source: spec.chartEqualsApp, imageTagOverride: false };
  }
  const newest = spec.pins[spec.pins.length - 1];
  if (spec.tagValues && newest) return { ...newest, appVersion, imageTagOverride: true };
  return undefined;
}

/** Which operators an environment needs: its custom resources' operators, plus the cloud's add-ons. */
export function operatorNamesFor(env: Environment): OperatorName[] {
  const names: OperatorName[] = ['cert-manager'];
  if (env.cloud.kind === 'aws') {
    names.push('aws-load-balancer-controller');
    names.push(env.cloud.karpenter ? 'karpenter' : 'cluster-autoscaler');
    if (env.ingress?.dns) names.push('external-dns');
  }
  names.push('kube-prometheus-stack', 'prometheus-adapter', 'vertical-pod-autoscaler', 'keda', 'cloudnative-pg');
  // The operator lines from 1.26 back up through the Barman Cloud plugin (constructs/data/postgres-cluster.ts).
  if (backupMethodFor(operatorVersions(env).cloudnativePg) === 'plugin') names.push('plugin-barman-cloud');
  if (eventsExported(env)) names.push('events-exporter');
  if (env.loadTests) names.push('k6-operator');
  if (meshOf(env) === 'istio-ambient') names.push(...ISTIO_CHARTS);
  // ingress-nginx is never installed: an Ingress opt-in names a controller the site runs itself.
  if (edgeOf(env) === 'envoy-gateway') names.push('envoy-gateway');
  return names;
}

/** Orders operators so each comes after what it depends on (stable: catalogue order otherwise). */
export function installOrder(names: readonly OperatorName[]): OperatorName[] {
  const wanted = new Set(names);
  const done: OperatorName[] = [];
  const visit = (n: OperatorName, path: OperatorName[]) => {
    if (done.includes(n)) return;
    if (path.includes(n)) throw new Error(`operator dependency cycle: ${[...path, n].join(' -> ')}`);
    for (const d of OPERATOR_CATALOGUE[n].dependsOn) if (wanted.has(d)) visit(d, [...path, n]);
    done.push(n);
  };
  for (const n of names) visit(n, []);
  return done;
}

/** The operators of an environment, in install order, with chart pins and images. */
export function resolveOperators(env: Environment, names: readonly OperatorName[] = operatorNamesFor(env)): ResolvedOperator[] {
  return installOrder(names).map((name) => {
    const spec = OPERATOR_CATALOGUE[name];
    const appVersion = appVersionOf(spec, env) ?? 'unknown';
    const pin = appVersion === 'unknown' ? undefined : chartPinFor(spec, appVersion);
    return {
      name,
      repository: spec.repository,
      chart: spec.chart,
      chartVersion: pin?.chartVersion,
      appVersion,
      namespace: spec.namespace,
      dependsOn: spec.dependsOn.filter((d) => names.includes(d)),
      source: pin?.source ?? 'no chart pin sourced for this app version',
      imageTagOverride: pin?.imageTagOverride ?? false,
      images: spec.images(appVersion),
      serviceAccount: spec.serviceAccount,
    };
  });
}

/** Helm values of one operator for an environment: the catalogue's values, image tags where overridden, the mirror. */
export function operatorValues(
  op: ResolvedOperator,
  env: Environment,
  extra: { readonly roleArn?: string; readonly clusterName?: string } = {},
): Record<string, unknown> {
  const spec = OPERATOR_CATALOGUE[op.name];
  const ctx: OperatorContext = { env, appVersion: op.appVersion, mirror: env.airGapped ? env.imageRegistry : undefined, ...extra };
  const base = spec.values(ctx);
  return op.imageTagOverride && spec.tagValues ? deepMerge(base, spec.tagValues(op.appVersion)) : base;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, val] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      cur && typeof cur === 'object' && !Array.isArray(cur) && val && typeof val === 'object' && !Array.isArray(val)
        ? deepMerge(cur as Record<string, unknown>, val as Record<string, unknown>)
        : val;
  }
  return out;
}

/**
 * `dist/<env>/helm/operators.releases.yaml` for an environment applied as plain YAML: the charts to install, in order, before
 * `kubectl apply -f dist/<env>/`, with the values perfstack would give them and the images to mirror.
 */
export function renderOperatorsFile(env: Environment): string {
  const ops = resolveOperators(env);
  const doc = {
    environment: env.name,
    kubernetesVersion: env.kubernetesVersion,
    note:
      'Install these Helm releases in this order (each waits for the ones it dependsOn), then apply the manifests ' +
      'of this folder. A release without chartVersion has no sourced chart pin for its app version: pick the chart ' +
      'release that ships appVersion before installing.' +
      (needsGatewayApiCrds(env) ? ' First apply the Gateway API CRDs of prerequisites (kubectl apply --server-side -f <url>).' : ''),
    ...(needsGatewayApiCrds(env)
      ? { prerequisites: [{ name: 'gateway-api-crds', version: GATEWAY_API_CRDS.version, url: GATEWAY_API_CRDS.url }] }
      : {}),
    releases: ops.map((op, i) => ({
      order: i + 1,
      name: op.name,
      repository: op.repository,
      chart: op.chart,
      ...(op.chartVersion ? { chartVersion: op.chartVersion } : {}),
      appVersion: op.appVersion,
      namespace: op.namespace,
      dependsOn: [...op.dependsOn],
      source: op.source,
      ...(op.imageTagOverride ? { imageTagOverride: true } : {}),
      images: op.images.map((img) => ({
        upstream: `${img.registry}/${img.repository}:${img.tag}`,
        ...(env.airGapped ? { mirror: `${env.imageRegistry}/${img.repository}:${img.tag}` } : {}),
      })),
      values: operatorValues(op, env),
    })),
  };
  return stringify(doc);
}
