import { Duration, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { ConfigError, Problems } from '../constructs/core/errors';
import { CostAllocation } from '../constructs/core/labels';
import { ApiServerAccess } from '../constructs/core/security';
import { IngressSettings } from '../constructs/platform/ingress';
import { EdgeImplementation } from '../constructs/traffic/edge-gateway';
import { PostgresBackup } from '../constructs/data/postgres-cluster';
import { Alerting, AlertRoutingOptions } from '../constructs/observability/alert-routing';
import { RemediationPolicyInput, policyAlerts } from '../constructs/observability/remediation-policy';
import { remediationWebhookUrl } from '../constructs/observability/remediation-runner';
import { Retention } from '../constructs/observability/monitoring-stack-values';
import { AnomalyThresholds } from '../constructs/observability/anomaly-rules';
import { CacheAnomalyThresholds, DatabaseAnomalyThresholds } from '../constructs/observability/data-tier-anomaly-thresholds';
import { Slo } from '../constructs/observability/slo';
import { ScalableServiceProps } from '../constructs/workload/scalable-service';
import { CallGraph, CallGraphService, checkCallGraph } from '../constructs/traffic/call-graph';
import { Dependency } from '../constructs/traffic/dependency';
import { Endpoint } from '../loadtests/plan';

import { ISTIO_FOR, KubernetesVersion, OPERATORS_FOR, OperatorVersions, eksSupportWarning } from './kubernetes-versions';
import { unenforcedPolicyLines } from '../constructs/traffic/mesh-policy';

export type { KubernetesVersion, OperatorVersions };
export { OPERATORS_FOR };

/** Where the environment runs. */
export type Cloud = AwsCloud | NoCloud;

export interface AwsCloud {
  readonly kind: 'aws';
  readonly region: string;
  /** 12-digit AWS account id; `pulumi up` refuses to touch any other account. */
  readonly accountId: string;
  /**
   * The VPC's IPv4 range, a /16 to /20: `infra/` carves one public and one private subnet per zone out of it, and
   * the environment's ingress and API server policies name it.
   */
  readonly vpcCidr: string;
  /** Share of node capacity on spot instances, 0 for none; critical pods always stay on on-demand nodes. */
  readonly spotPercent: number;
  /** Serve static assets and cacheable API responses through CloudFront. */
  readonly cdn: boolean;
  /**
   * Provision nodes with Karpenter (installed on the cluster by the platform team) instead of the cluster autoscaler
   * and a spot node group: the App then carries Karpenter NodePools, spot weighted above on-demand.
   * @default - EKS managed node groups scaled by the cluster autoscaler
   */
  readonly karpenter?: {
    /** vCPU all Karpenter nodes together may reach; spot may take `spotPercent` of it. */
    readonly cpuLimit: number;
  };
}

/** Names the cloud side gives an environment's resources, which the App refers to. */
export function awsNames(environment: string): { readonly cluster: string; readonly nodeRole: string } {
  return { cluster: `perfstack-${environment}`, nodeRole: `perfstack-${environment}-node` };
}

export interface NoCloud {
  readonly kind: 'none';
}

/**
 * The ScalableService props an environment sets per service, passed through unchanged by `stacks/platform.ts`;
 * their documentation and defaults are the construct's.
 */
export const SERVICE_PROPS = [
  'resources',
  'replicas',
  'metrics',
  'behavior',
  'businessHours',
  'forecastFloors',
  'verticalScaling',
  'capacity',
  'component',
  'probes',
  'env',
  'policyExemption',
] as const satisfies readonly (keyof ScalableServiceProps)[];

/**
 * One HTTP service of the platform. Replica bounds, sizing and objectives live here and nowhere else: the
 * ScalableService props of {@link SERVICE_PROPS}, plus what the environment resolves (image, exposure, data stores).
 */
export interface ServiceSpec extends Pick<ScalableServiceProps, (typeof SERVICE_PROPS)[number]> {
  /** Name of the service and of every object it makes (a DNS label). */
  readonly name: string;
  /** Repository under the environment's registry, e.g. `web/api-gateway`. */
  readonly repository: string;
  /** Image tag (a release version), or a `sha256:` digest. */
  readonly tag: string;
  /**
   * The team that owns the service: its alerts go to that team's receivers (a key of the environment's `alerting.teams`).
   * @default - the environment's `alerting.defaultTeam`
   */
  readonly team?: string;
  /** `public` services accept traffic from the ingress; `internal` only from the namespace. */
  readonly exposure: 'public' | 'internal';
  /** Path prefix of a `public` service on the environment's Gateway (or opt-in Ingress). @default '/' */
  readonly ingressPath?: string;
  /**
   * The fully qualified gRPC services (`package.Service`) a `public` service serves: the edge routes them with a
   * GRPCRoute (matched by gRPC service) instead of an HTTPRoute.
   * @default - it serves HTTP
   */
  readonly grpcServices?: readonly string[];
  /**
   * The service speaks HTTP/2 in cleartext (h2c) on its port: the edge's load balancer talks HTTP/2 to the pods
   * (the ALB target group's protocol version). Clients get HTTP/2 at the edge either way.
   * @default false
   */
  readonly http2?: boolean;
  readonly slo: Slo;
  /**
   * Thresholds of the service's anomaly alerts (seasonal baselines of the same Slo metrics), each overriding its
   * default (docs/operations.md).
   * @default - ANOMALY_DEFAULTS of constructs/observability/anomaly-rules.ts
   */
  readonly anomaly?: AnomalyThresholds;
  /**
   * Data stores the service connects to; it gets their endpoints and credentials by reference, and a dependency with
   * the default traffic policy for each (Redis; PostgreSQL read-write and read-only) unless `dependencies` states one.
   * @default - none
   */
  readonly uses?: readonly ('redis' | 'postgres')[];
  /**
   * What the service calls (other services by name, Redis, PostgreSQL rw/ro), each with its per-try timeout, retries,
   * circuit breaker and outlier detection; defaults derive from the Slos, and the whole call graph is checked at
   * synth (docs/traffic.md). A data-store dependency also connects the service to that store.
   * @default - only the data stores of `uses`, with default policies
   */
  readonly dependencies?: readonly Dependency[];
  /**
   * How long a request to this service may take in all: the route timeout its callers get, and the budget each of
   * its own calls (attempts x per-try timeout + backoff) must fit.
   * @default - 10 x its Slo's latency threshold
   */
  readonly timeout?: Duration;
}

/** The props of {@link SERVICE_PROPS} a service sets, and only those. */
export function servicePropsOf(spec: ServiceSpec): Pick<ScalableServiceProps, (typeof SERVICE_PROPS)[number]> {
  return Object.fromEntries(SERVICE_PROPS.filter((k) => spec[k] !== undefined).map((k) => [k, spec[k]])) as Pick<
    ScalableServiceProps,
    (typeof SERVICE_PROPS)[number]
  >;
}

/** Load tests of one service: a k6 run of `endpoints` against it, on a schedule. */
export interface LoadTests {
  /** Name of the service under test, one of `services`, e.g. `api-gateway`. */
  readonly target: string;
  /** The request mix. */
  readonly endpoints: readonly Endpoint[];
  /** Cron schedule of the CronJob. */
  readonly schedule: string;
  /** Defined but only run by hand. @default false */
  readonly suspended?: boolean;
}

export interface RedisTier {
  /**
   * The key-value server: Valkey (BSD-3-Clause), or Redis pinned to 7.2.x, its last BSD-licensed line.
   * @default 'valkey'
   */
  readonly engine?: 'valkey' | 'redis';
  /** Masters; at least 3 for a Redis Cluster. */
  readonly shards: number;
  /** Replicas per master; at least 1 wherever there is more than one zone. */
  readonly replicasPerShard: number;
  readonly memory: Size;
  readonly cpu: Cpu;
  readonly storage: Size;
  /**
   * Thresholds of the cluster's anomaly alerts (seasonal baselines of its commands, hit ratio and evictions).
   * @default - CACHE_ANOMALY_DEFAULTS of constructs/observability/data-tier-anomaly-thresholds.ts
   */
  readonly anomaly?: CacheAnomalyThresholds;
}

export interface PostgresTier {
  /** 1 primary plus replicas. */
  readonly instances: number;
  /** Replicas that must confirm a commit; 1 or more gives RPO 0. */
  readonly synchronousReplicas: number;
  readonly memory: Size;
  readonly cpu: Cpu;
  readonly storage: Size;
  /** Base backups and WAL archive, with retention. */
  readonly backup: PostgresBackup;
  /** Client connections served with one PgBouncer instance down. @default 1000 */
  readonly targetClients?: number;
  /**
   * Thresholds of the cluster's anomaly alerts (transactions, rollbacks, deadlocks, replication lag, pool wait).
   * @default - DATABASE_ANOMALY_DEFAULTS of constructs/observability/data-tier-anomaly-thresholds.ts
   */
  readonly anomaly?: DatabaseAnomalyThresholds;
}

export interface DataTier {
  readonly redis: RedisTier;
  readonly postgres: PostgresTier;
}

/** Everything that differs between two deployments of the platform. `stacks/platform.ts` turns it into manifests. */
export interface Environment {
  /** `dev`, `staging`, ...: a DNS label, used in paths, labels and file names. */
  readonly name: string;
  /** Zones the cluster spans, e.g. `['eu-west-1a', 'eu-west-1b', 'eu-west-1c']`. */
  readonly zones: readonly string[];
  readonly cloud: Cloud;
  /** Production: availability policies apply (at least 2 replicas, replicated databases). */
  readonly production: boolean;
  /** No route to the internet: images come only from `imageRegistry`, nothing reaches outside the cluster. */
  readonly airGapped: boolean;
  /** Registry host (and path) every image is pulled from. */
  readonly imageRegistry: string;
  /**
   * Kubernetes minor the cluster runs (see stacks/kubernetes-versions.ts): it picks the validation schemas, the
   * operator lines and the version-gated features. Cloud environments use a version in EKS standard support.
   */
  readonly kubernetesVersion: KubernetesVersion;
  /** @default OPERATORS_FOR[kubernetesVersion] */
  readonly operators?: OperatorVersions;
  /** Namespace of the application workloads. */
  readonly namespace: string;
  readonly monitoring: {
    /** Namespace of Prometheus and prometheus-adapter. */
    readonly namespace: string;
    /** Prometheus base URL for KEDA queries. */
    readonly prometheusUrl: string;
    /** How long and how much Prometheus keeps (air-gapped sites size their disks by it). */
    readonly retention: Retention;
    /** Where alert `runbook_url`s point. @default RUNBOOK_BASE (in-cluster required when air-gapped) */
    readonly runbookBaseUrl?: string;
    /**
     * Who keeps the Kubernetes Events (scaling and node decisions) beyond their hour in etcd: perfstack's events
     * exporter (docs/performance-reporting.md), or the log pipeline the site already runs, which then must ship them.
     * @default 'exporter'
     */
    readonly events?: 'exporter' | 'site-pipeline';
  };
  /** Who may reach `public` services: the ingress controller's pods, or the load balancer's address range. */
  readonly ingressFrom: readonly k8s.NetworkPolicyPeer[];
  /**
   * The edge in front of the `public` services: a Gateway API Gateway and a route per service, served by the AWS
   * Load Balancer Controller (ALB, ACM certificate) on AWS and by Envoy Gateway on-prem (cert-manager or
   * site-provided certificate); a plain Ingress only when `className` opts in (docs/edge.md).
   * @default - no edge: public services are reached through whatever the site routes to their Services
   */
  readonly ingress?: IngressSettings;
  /**
   * Kubernetes API server addresses, for the few pods that must reach it (CloudNativePG instances and poolers, the
   * Redis bootstrap Job) through the default-deny egress policy.
   */
  readonly apiServer: ApiServerAccess;
  readonly services: readonly ServiceSpec[];
  /**
   * East-west traffic policy: `istio-ambient` renders each called service's policy (timeouts, retries, circuit
   * breaker, outlier detection, least-request balancing) as Istio objects applied by a waypoint, and enrols the
   * namespace; `none` leaves them to the applications and prints every one as a synth warning (docs/traffic.md).
   * @default - 'istio-ambient' where the operator catalogue has an Istio line for `kubernetesVersion` (1.32 on), else 'none'
   */
  readonly mesh?: 'istio-ambient' | 'none';
  readonly dataTier: DataTier;
  /**
   * Load tests against one service (`target`): a CronJob on `schedule`, suspended where tests are defined but only
   * run by hand, with thresholds from the target's Slo.
   * @default - no load tests
   */
  readonly loadTests?: LoadTests;
  /**
   * Chaos experiments with verdicts (Redis master kill, PostgreSQL primary kill, pooler kill, zone partition), weekly
   * in working hours; `suspended` keeps them for on-demand runs only. Needs Chaos Mesh and kube-state-metrics.
   * @default - none
   */
  readonly chaos?: { readonly suspended?: boolean };
  /**
   * A weekly restore of the latest PostgreSQL backup into a throwaway cluster, checked and timed (needs
   * kube-state-metrics). `suspended` keeps it for on-demand runs.
   * @default - none
   */
  readonly restoreDrill?: { readonly schedule?: string; readonly suspended?: boolean };
  /**
   * Automated remediation: per service, which alert triggers which allowlisted action (restart, scale, cache clear,
   * rollback) with its limits, and whether the environment acts or only records (`dryRun`, default true). A runner
   * in the namespace receives the alerts from Alertmanager (docs/operations.md).
   * @default - no remediation runner
   */
  readonly remediation?: RemediationPolicyInput;
  /** Receivers and where each team's pages and tickets go (in-cluster endpoints only when air-gapped; docs/operations.md). */
  readonly alerting: Alerting;
  readonly costAllocation: CostAllocation;
}

/** Whether perfstack installs its events exporter (else the site's log pipeline keeps the Events). */
export function eventsExported(env: Environment): boolean {
  return (env.monitoring.events ?? 'exporter') === 'exporter';
}

/** The mesh in force: the environment's choice, else Istio ambient where the catalogue has a line for its version. */
export function meshOf(env: Environment): 'istio-ambient' | 'none' {
  return env.mesh ?? (ISTIO_FOR[env.kubernetesVersion] !== undefined ? 'istio-ambient' : 'none');
}

/** What serves the edge: the AWS Load Balancer Controller or Envoy Gateway (Gateway API), an opt-in Ingress, or none. */
export function edgeOf(env: Environment): EdgeImplementation | 'ingress' | 'none' {
  if (!env.ingress) return 'none';
  if (env.ingress.className !== undefined) return 'ingress';
  return env.cloud.kind === 'aws' ? 'aws-load-balancer-controller' : 'envoy-gateway';
}

/**
 * Warnings (not errors) about traffic policy: without a mesh, every service-to-service policy as one line, so what the
 * environment states is seen, not silently lost. Synth prints them to stderr and still writes the manifests.
 */
export function trafficWarnings(env: Environment): string[] {
  return meshOf(env) === 'none' ? unenforcedPolicyLines(env.name, callGraphOf(env)) : [];
}

/** The services as the call graph sees them. */
export function callGraphServices(env: Environment): CallGraphService[] {
  return env.services.map((s) => ({
    name: s.name,
    latencyThreshold: s.slo.latencyThreshold,
    timeout: s.timeout,
    replicasMax: s.replicas.max,
    dependencies: s.dependencies,
    uses: s.uses,
  }));
}

/** The environment's call graph, resolved with every default (docs/traffic.md); throws what validation reports. */
export function callGraphOf(env: Environment): CallGraph {
  const p = new Problems(env.name);
  const graph = checkCallGraph(p, callGraphServices(env));
  p.throwIfAny();
  return graph!;
}

/**
 * Warnings (not errors) about an environment on `today`: an EKS environment whose Kubernetes version is past EKS
 * standard support. Synth prints them to stderr and still writes the manifests.
 */
export function versionWarnings(env: Environment, today: Date): string[] {
  const w = env.cloud.kind === 'aws' ? eksSupportWarning(env.name, env.kubernetesVersion, today) : undefined;
  return w === undefined ? [] : [w];
}

/** Operator versions in force: the environment's pins, else the lines that support its Kubernetes version. */
export function operatorVersions(env: Environment): OperatorVersions {
  return env.operators ?? OPERATORS_FOR[env.kubernetesVersion];
}

/** What the environment's Alertmanager routing is made from: its receivers and teams, and each service's team. */
export function alertRoutingOptions(env: Environment): AlertRoutingOptions {
  return {
    namespace: env.namespace,
    airGapped: env.airGapped,
    alerting: env.alerting,
    services: env.services.map((s) => ({ name: s.name, team: s.team })),
    remediation: env.remediation && { webhookUrl: remediationWebhookUrl(env.namespace), alerts: policyAlerts(env.remediation) },
  };
}

/** The full image reference of a service in an environment. */
export function imageOf(env: Environment, service: ServiceSpec): string {
  const sep = service.tag.startsWith('sha256:') ? '@' : ':';
  return `${env.imageRegistry}/${service.repository}${sep}${service.tag}`;
}

export { ConfigError };
