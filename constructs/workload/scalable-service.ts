import { Duration, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ScaledObject, ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior } from '../../imports/keda-scaledobjects-keda.sh';
import {
  VerticalPodAutoscaler,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesControlledValues as ControlledValues,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMaxAllowed as MaxAllowed,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMinAllowed as MinAllowed,
  VerticalPodAutoscalerSpecUpdatePolicyUpdateMode as UpdateMode,
} from '../../imports/vpa-autoscaling.k8s.io';
import { ServiceMonitor } from '../../imports/servicemonitors-monitoring.coreos.com';
import { Problems, shown } from '../core/errors';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { imageTag, isPinned } from '../../manifests/images';
import { KubernetesVersion, OLDEST_KUBERNETES_VERSION } from '../core/kubernetes-version';
import { AppIdentity, PolicyExemption, appLabels, checkLabels, exemptionAnnotations, isDnsLabel, selectorLabels } from '../core/labels';
import { BusinessHours, checkBusinessHours } from './business-hours';
import { CapacityClass } from './capacity-class';
import { ForecastFloors, checkForecastFloors, cronTriggers } from './forecast-floors';
import { ScalingBehaviorOptions, scalingBehavior } from './scaling-behavior';
import { ScalingMetric, hpaMetric, kedaTrigger } from './scaling-metric';
import { hostAntiAffinity, topologySpread } from './topology';
import { deploymentPatches, patchUntyped, servicePatches } from './version-features';
import { VerticalScalingOptions, checkVerticalScaling } from './vertical-scaling';

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
}

/**
 * A stateless HTTP service that scales out and in on its own, survives a zone or node loss and voluntary
 * disruptions, and rolls out without dropping a request: Deployment, Service, HPA (or KEDA ScaledObject),
 * VerticalPodAutoscaler, PodDisruptionBudget, NetworkPolicy and ServiceAccount.
 */
export class ScalableService extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly minReplicas: number;
  public readonly maxReplicas: number;
  public readonly metrics: readonly ScalingMetric[];
  public readonly capacity: CapacityClass;
  public readonly containerPort: number;
  public readonly servicePort: number;
  public readonly labels: Readonly<Record<string, string>>;
  public readonly selector: Readonly<Record<string, string>>;

  public readonly serviceAccount: k8s.KubeServiceAccount;
  public readonly deployment: k8s.KubeDeployment;
  public readonly service: k8s.KubeService;
  /** The HPA, when neither business hours nor forecast floors are set; KEDA creates and owns it otherwise. */
  public readonly hpa?: k8s.KubeHorizontalPodAutoscalerV2;
  /** The KEDA ScaledObject, when business hours or forecast floors are set. */
  public readonly scaledObject?: ScaledObject;
  public readonly vpa: VerticalPodAutoscaler;
  /** Present whenever the service may run more than one pod. */
  public readonly pdb?: k8s.KubePodDisruptionBudget;
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  /** Scrapes `/metrics`, adding the `namespace` and `service` labels the SLO rules and KEDA queries select on. */
  public readonly serviceMonitor: ServiceMonitor;

  constructor(scope: Construct, id: string, props: ScalableServiceProps) {
    super(scope, id);
    const problems = Problems.of(this);

    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.minReplicas = props.replicas.min;
    this.maxReplicas = props.replicas.max;
    this.metrics = props.metrics ?? [ScalingMetric.cpu(70)];
    this.capacity = props.capacity ?? CapacityClass.standard();
    this.containerPort = props.containerPort ?? 8080;
    this.servicePort = props.servicePort ?? 80;
    const metricsPort = props.metricsPort ?? this.containerPort;
    const drainDelay = props.drainDelay ?? Duration.seconds(10);
    const grace = props.terminationGracePeriod ?? Duration.seconds(45);
    const vertical = props.verticalScaling ?? {};
    const monitoringNamespace = props.monitoringNamespace ?? 'monitoring';
    const prometheusUrl = props.prometheusUrl ?? 'http://prometheus-operated.monitoring.svc:9090';

    problems.check(
      isDnsLabel(this.name),
      'name',
      this.name,
      'must be a DNS label: lowercase letters, digits and `-`, starting with a letter, at most 63 characters',
    );
    problems.check(isDnsLabel(this.namespace), 'namespace', this.namespace, 'must be a DNS label');
    checkImage(problems, props.image);
    checkReplicas(problems, this.minReplicas, this.maxReplicas);
    checkResources(problems, props.resources);
    for (const [port, input] of [
      [this.containerPort, 'containerPort'],
      [this.servicePort, 'servicePort'],
      [metricsPort, 'metricsPort'],
    ] as const) {
      problems.check(Number.isInteger(port) && port >= 1 && port <= 65535, input, port, 'must be a port number between 1 and 65535');
    }
    problems.check(
      Number.isInteger(props.zones) && props.zones >= 1,
      'zones',
      props.zones,
      'must be at least 1 (the number of zones the cluster spans)',
    );
    problems.check(this.metrics.length > 0, 'metrics', [], 'must name at least one metric to scale on, e.g. ScalingMetric.cpu(70)');
    this.metrics.forEach((m, i) => m.validate(problems, `metrics[${i}]`));
    const names = this.metrics.map((m) => m.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    problems.check(dup === undefined, 'metrics', dup, 'names a metric twice; give each metric once');
    const behavior = scalingBehavior(props.behavior, problems);
    if (props.businessHours) checkBusinessHours(problems, 'businessHours', props.businessHours, this.minReplicas, this.maxReplicas);
    if (props.forecastFloors) checkForecastFloors(problems, 'forecastFloors', props.forecastFloors, this.minReplicas, this.maxReplicas);
    const hpaResources = this.metrics.filter((m) => m.isResource).map((m) => m.name);
    const version = props.kubernetesVersion ?? OLDEST_KUBERNETES_VERSION;
    checkVerticalScaling(problems, 'verticalScaling', vertical, hpaResources, version);
    problems.check(
      drainDelay.toSeconds() < grace.toSeconds(),
      'drainDelay',
      shown(drainDelay.toHumanString()),
      `must be shorter than 'terminationGracePeriod' (${grace.toHumanString()}) so the app still gets SIGTERM time to finish requests`,
    );
    checkLabels(problems, 'labels', props.labels ?? {});
    checkLabels(problems, 'podLabels', props.podLabels ?? {});
    problems.throwIfAny();

    const identity: AppIdentity = {
      name: this.name,
      instance: props.instance ?? this.name,
      component: props.component ?? 'backend',
      partOf: props.partOf ?? 'perfstack',
      version: imageTag(props.image),
    };
    this.labels = { ...appLabels(identity), ...(props.labels ?? {}) };
    this.selector = selectorLabels(identity);
    const metadata = { name: this.name, namespace: this.namespace, labels: { ...this.labels } };

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: false });

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: props.policyExemption ? { ...metadata, annotations: exemptionAnnotations(props.policyExemption) } : metadata,
      spec: {
        // No `replicas`: the autoscaler owns the count, and a re-apply must not reset it.
        selector: { matchLabels: { ...this.selector } },
        revisionHistoryLimit: 5,
        minReadySeconds: 5,
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromString('25%') },
        },
        template: {
          metadata: { labels: { ...this.labels, ...(props.podLabels ?? {}) } },
          spec: {
            serviceAccountName: this.name,
            automountServiceAccountToken: false,
            priorityClassName: this.capacity.priorityClassName,
            terminationGracePeriodSeconds: grace.toSeconds(),
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(10001),
            topologySpreadConstraints: topologySpread(this.selector, props.zones),
            affinity: { ...this.capacity.affinity, podAntiAffinity: hostAntiAffinity(this.selector) },
            tolerations: this.capacity.tolerations.length > 0 ? [...this.capacity.tolerations] : undefined,
            containers: [
              {
                name: this.name,
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                ports: [
                  { name: 'http', containerPort: this.containerPort, protocol: 'TCP' },
                  ...(metricsPort !== this.containerPort ? [{ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' }] : []),
                ],
                env: renderEnv(props.env, props.secretEnv),
                resources: renderResources(props.resources),
                securityContext: restrictedContainerSecurity(),
                ...renderProbes(props.probes),
                lifecycle: { preStop: { exec: { command: ['sleep', String(drainDelay.toSeconds())] } } },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            // Read-only root filesystem: give the app a small scratch space.
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }],
          },
        },
      },
    });

    patchUntyped(this.deployment, deploymentPatches(version, drainDelay.toSeconds()));

    this.service = new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: { ...this.selector },
        ports: [
          { name: 'http', port: this.servicePort, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
          ...(metricsPort !== this.containerPort
            ? [{ name: 'metrics', port: metricsPort, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }]
            : []),
        ],
      },
    });

    patchUntyped(this.service, servicePatches(version));

    const scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name };
    if (props.businessHours || props.forecastFloors) {
      this.scaledObject = new ScaledObject(this, 'ScaledObject', {
        metadata,
        spec: {
          scaleTargetRef,
          minReplicaCount: this.minReplicas,
          maxReplicaCount: this.maxReplicas,
          pollingInterval: 15,
          advanced: {
            restoreToOriginalReplicaCount: false,
            horizontalPodAutoscalerConfig: {
              name: this.name,
              behavior: behavior as ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior,
            },
          },
          triggers: [
            ...cronTriggers({ businessHours: props.businessHours, forecast: props.forecastFloors, min: this.minReplicas }),
            ...this.metrics.map((m) => kedaTrigger(m, { namespace: this.namespace, service: this.name, prometheusUrl })),
          ],
        },
      });
    } else {
      this.hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'HPA', {
        metadata,
        spec: {
          scaleTargetRef,
          minReplicas: this.minReplicas,
          maxReplicas: this.maxReplicas,
          metrics: this.metrics.map(hpaMetric),
          behavior,
        },
      });
    }

    this.vpa = new VerticalPodAutoscaler(this, 'VPA', {
      metadata,
      spec: {
        targetRef: scaleTargetRef,
        updatePolicy: { updateMode: vertical.updateMode ? (vertical.updateMode as UpdateMode) : UpdateMode.OFF },
        resourcePolicy: {
          containerPolicies: [
            {
              containerName: this.name,
              controlledResources: [...(vertical.controlledResources ?? ['cpu', 'memory'])],
              controlledValues: ControlledValues.REQUESTS_AND_LIMITS,
              minAllowed: allowed(vertical.minAllowed, MinAllowed.fromString),
              maxAllowed: allowed(vertical.maxAllowed, MaxAllowed.fromString),
            },
          ],
        },
      },
    });

    if (this.maxReplicas > 1) {
      // Whenever the service can run more than one pod. maxUnavailable 1 never blocks all evictions (a node drain
      // always makes progress), unlike minAvailable = min, and still keeps all but one pod serving.
      this.pdb = new k8s.KubePodDisruptionBudget(this, 'PDB', {
        metadata,
        spec: {
          maxUnavailable: k8s.IntOrString.fromNumber(1),
          selector: { matchLabels: { ...this.selector } },
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    }

    this.serviceMonitor = new ServiceMonitor(this, 'ServiceMonitor', {
      metadata,
      spec: {
        selector: { matchLabels: { ...this.selector } },
        endpoints: [{ port: metricsPort !== this.containerPort ? 'metrics' : 'http', path: '/metrics', interval: '15s' }],
      },
    });

    const clients = props.allowFrom ?? [{ podSelector: {} }];
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata,
      spec: {
        podSelector: { matchLabels: { ...this.selector } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [...clients], ports: [{ port: k8s.IntOrString.fromNumber(this.containerPort), protocol: 'TCP' }] },
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoringNamespace } } }],
            ports: [{ port: k8s.IntOrString.fromNumber(metricsPort), protocol: 'TCP' }],
          },
        ],
      },
    });
  }

  /** Custom metrics that need prometheus-adapter (metrics of a plain HPA; KEDA serves its own). */
  public get adapterMetrics(): readonly ScalingMetric[] {
    return this.hpa ? this.metrics.filter((m) => !m.isResource) : [];
  }
}

/** `registry/repo:tag` or `registry/repo@sha256:...`; `latest` and untagged images are not reproducible. */
function checkImage(problems: Problems, image: string | undefined): void {
  if (image === undefined || image.trim() === '') {
    problems.add('image', image, 'is required: give a fully qualified image with a tag, e.g. "registry.example.com/web/api:1.4.2"');
    return;
  }
  problems.check(
    isPinned(image),
    'image',
    image,
    'must carry a pinned tag or a sha256 digest (not "latest"), e.g. "registry.example.com/web/api:1.4.2"',
  );
}

function checkReplicas(problems: Problems, min: number, max: number): void {
  problems.check(Number.isInteger(min) && min >= 1, 'replicas.min', min, 'must be a whole number >= 1');
  problems.check(Number.isInteger(max) && max >= 1, 'replicas.max', max, 'must be a whole number >= 1');
  problems.check(!(min > max), 'replicas.min', min, `must be <= 'replicas.max' (${max})`);
}

function checkResources(problems: Problems, r: ServiceResources | undefined): void {
  if (r === undefined) {
    problems.add('resources', r, 'are required: set at least cpu and memory requests');
    return;
  }
  problems.check(r.cpu !== undefined, 'resources.cpu', undefined, 'is required, e.g. Cpu.millis(250)');
  problems.check(r.memory !== undefined, 'resources.memory', undefined, 'is required, e.g. Size.mebibytes(256)');
  if (r.memory && r.memoryLimit) {
    problems.check(
      r.memoryLimit.toMebibytes() >= r.memory.toMebibytes(),
      'resources.memoryLimit',
      shown(`${r.memoryLimit.toMebibytes()}Mi`),
      `must be >= the memory request (${r.memory.toMebibytes()}Mi)`,
    );
  }
}

function mebibytes(size: Size): string {
  return `${size.toMebibytes()}Mi`;
}

function renderResources(r: ServiceResources): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(r.cpu.amount), memory: k8s.Quantity.fromString(mebibytes(r.memory)) },
    limits: {
      memory: k8s.Quantity.fromString(mebibytes(r.memoryLimit ?? r.memory)),
      ...(r.cpuLimit ? { cpu: k8s.Quantity.fromString(r.cpuLimit.amount) } : {}),
    },
  };
}

function renderProbes(p: ProbeOptions | undefined): Pick<k8s.Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> {
  const readinessPath = p?.readinessPath ?? '/readyz';
  const livenessPath = p?.livenessPath ?? '/livez';
  const startupPeriod = 2;
  const startupBudget = (p?.startupTimeout ?? Duration.minutes(2)).toSeconds();
  const http = (path: string) => ({ path, port: k8s.IntOrString.fromString('http') });
  return {
    // Readiness trips fast so a struggling pod leaves the endpoints; liveness is slower and restarts only the stuck.
    readinessProbe: { httpGet: http(readinessPath), periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 },
    livenessProbe: { httpGet: http(livenessPath), periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
    startupProbe: {
      httpGet: http(livenessPath),
      periodSeconds: startupPeriod,
      timeoutSeconds: 2,
      failureThreshold: Math.max(1, Math.ceil(startupBudget / startupPeriod)),
    },
  };
}

function renderEnv(env: ScalableServiceProps['env'], secretEnv: ScalableServiceProps['secretEnv']): k8s.EnvVar[] | undefined {
  const vars: k8s.EnvVar[] = [
    ...Object.entries(env ?? {}).map(([name, value]) => ({ name, value })),
    ...Object.entries(secretEnv ?? {}).map(([name, ref]) => ({ name, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } })),
  ];
  return vars.length > 0 ? vars.sort((a, b) => a.name.localeCompare(b.name)) : undefined;
}

function allowed<T>(
  bounds: { readonly cpu?: Cpu; readonly memory?: Size } | undefined,
  make: (v: string) => T,
): Record<string, T> | undefined {
  if (!bounds || (bounds.cpu === undefined && bounds.memory === undefined)) return undefined;
  return {
    ...(bounds.cpu ? { cpu: make(bounds.cpu.amount) } : {}),
    ...(bounds.memory ? { memory: make(mebibytes(bounds.memory)) } : {}),
  };
}
