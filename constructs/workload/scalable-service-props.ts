/**
 * The props of {@link ScalableService} and their parts: types only, so the construct and the pure renderers beside it
 * (scalable-service-manifests.ts) both import them without importing each other.
 */
import { Duration, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { PolicyExemption } from '../core/labels';
import { KubernetesVersion } from '../core/kubernetes-version';
import { BusinessHours } from './business-hours';
import { CapacityClass } from './capacity-class';
import { ForecastFloors } from './forecast-floors';
import { ScalingBehaviorOptions } from './scaling-behavior';
import { ScalingMetric } from './scaling-metric';
import { VerticalScalingOptions } from './vertical-scaling';

/** Compute for one pod. Requests drive scheduling and HPA utilization; the memory limit guards the node. */
export interface ServiceResources {
  /** CPU request. */
  readonly cpu: Cpu;
  /** Memory request. */
  readonly memory: Size;
  /**
   * Memory limit. Equal to the request by default, so the pod is never OOM-killed for using what it asked for.
   * @default - the memory request
   */
  readonly memoryLimit?: Size;
  /**
   * CPU limit. None by default: CFS throttling hurts tail latency more than a noisy neighbour does.
   * @default - no CPU limit
   */
  readonly cpuLimit?: Cpu;
}

/** HTTP probes against the container port. Readiness and liveness use different paths on purpose. */
export interface ProbeOptions {
  /** @default '/readyz' */
  readonly readinessPath?: string;
  /** @default '/livez' */
  readonly livenessPath?: string;
  /**
   * Longest time the app may take to start before liveness applies (startup probe budget).
   * @default Duration.minutes(2)
   */
  readonly startupTimeout?: Duration;
}

/** Replica bounds. The autoscaler owns the count; the Deployment carries no `replicas`. */
export interface ReplicaBounds {
  readonly min: number;
  readonly max: number;
}

export interface ScalableServiceProps {
  /**
   * Name of every object (DNS label).
   * @default - the construct id
   */
  readonly name?: string;
  readonly namespace: string;
  /** Fully qualified image with a tag or digest, e.g. `registry.example.com/web/api-gateway:1.4.2`. */
  readonly image: string;
  readonly resources: ServiceResources;
  readonly replicas: ReplicaBounds;
  /** Number of zones the cluster spans; decides whether zone spread is required (>= 3) or preferred. */
  readonly zones: number;
  /**
   * Signals to scale on.
   * @default [ScalingMetric.cpu(70)]
   */
  readonly metrics?: readonly ScalingMetric[];
  /** @default - DESIGN.md behaviour: fast up, slow down (see {@link ScalingBehaviorOptions}) */
  readonly behavior?: ScalingBehaviorOptions;
  /**
   * A business-hours replica floor. When set, a KEDA ScaledObject owns the HPA (cron plus the same metrics).
   * @default - a plain HorizontalPodAutoscaler
   */
  readonly businessHours?: BusinessHours;
  /**
   * Weekly replica floors learnt from history (`npm run forecast`), as KEDA cron triggers beside the reactive
   * ones; a KEDA ScaledObject then owns the HPA, as with business hours.
   * @default - no forecast floors
   */
  readonly forecastFloors?: ForecastFloors;
  /** @default { updateMode: 'Off' } (recommendations only) */
  readonly verticalScaling?: VerticalScalingOptions;
  /** @default CapacityClass.standard() */
  readonly capacity?: CapacityClass;
  /** Container port the app listens on (named `http`). @default 8080 */
  readonly containerPort?: number;
  /** Service port. @default 80 */
  readonly servicePort?: number;
  /** Port serving `/metrics` for Prometheus. @default - the container port */
  readonly metricsPort?: number;
  /** @default - see {@link ProbeOptions} */
  readonly probes?: ProbeOptions;
  /**
   * Time between the pod leaving the endpoints and SIGTERM, so load balancers stop sending before the app stops.
   * Needs a `sleep` binary in the image.
   * @default Duration.seconds(10)
   */
  readonly drainDelay?: Duration;
  /** @default Duration.seconds(45) */
  readonly terminationGracePeriod?: Duration;
  /** Environment variables (no secrets: use `secretEnv`). @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** Variables read from Secrets by reference, never by value. @default - none */
  readonly secretEnv?: Readonly<Record<string, { readonly secret: string; readonly key: string }>>;
  /** Labels on every object and pod (cost allocation). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Policy rules this service is knowingly exempt from, with the reason. @default - none */
  readonly policyExemption?: PolicyExemption;
  /** Labels on the pods only, e.g. the client labels data stores admit. @default - none */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** `app.kubernetes.io/component`. @default 'backend' */
  readonly component?: string;
  /** `app.kubernetes.io/part-of`. @default 'perfstack' */
  readonly partOf?: string;
  /** `app.kubernetes.io/instance`. @default - the name */
  readonly instance?: string;
  /**
   * Who may connect to the service port. Prometheus (namespace `monitoringNamespace`) may always scrape.
   * @default - pods of the same namespace
   */
  readonly allowFrom?: readonly k8s.NetworkPolicyPeer[];
  /** Namespace of Prometheus, admitted to the metrics port. @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** Prometheus KEDA queries for custom metrics. @default 'http://prometheus-operated.monitoring.svc:9090' */
  readonly prometheusUrl?: string;
  /**
   * Kubernetes minor of the cluster: newer ones get same-zone Service routing (1.31+), the kubelet's preStop sleep
   * (1.30+) and VPA `InPlaceOrRecreate` (1.33+). See ./version-features.ts.
   * @default '1.28' (no version-gated feature)
   */
  readonly kubernetesVersion?: KubernetesVersion;
  /**
   * The cluster has spot nodes: a class `withSpotBurst()` then runs its load above its floors in a `<name>-burst`
   * Deployment on spot (see ./spot-burst.ts), and this Deployment's autoscaler stops at the highest floor.
   * @default false
   */
  readonly spotCapacity?: boolean;
}
