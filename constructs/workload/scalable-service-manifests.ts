/**
 * The objects of a ScalableService as pure functions of its resolved settings: the construct is a table of contents
 * over these, and each can be tested without building a chart.
 */
import { Duration, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { ScaledObjectSpec, ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior } from '../../imports/keda-scaledobjects-keda.sh';
import { ServiceMonitorSpec } from '../../imports/servicemonitors-monitoring.coreos.com';
import {
  VerticalPodAutoscalerSpec,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesControlledValues as ControlledValues,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMaxAllowed as MaxAllowed,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMinAllowed as MinAllowed,
  VerticalPodAutoscalerSpecUpdatePolicyUpdateMode as UpdateMode,
} from '../../imports/vpa-autoscaling.k8s.io';
import { imageTag } from '../../manifests/images';
import { KubernetesVersion, OLDEST_KUBERNETES_VERSION } from '../core/kubernetes-version';
import { appLabels, exemptionAnnotations, selectorLabels } from '../core/labels';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { BusinessHours } from './business-hours';
import { CapacityClass } from './capacity-class';
import { ForecastFloors, cronTriggers } from './forecast-floors';
import type { ProbeOptions, ScalableServiceProps, ServiceResources } from './scalable-service-props';
import { DEFAULT_METRICS, ScalingMetric, hpaMetric, kedaTrigger } from './scaling-metric';
import { hostAntiAffinity, topologySpread } from './topology';
import { VerticalScalingOptions } from './vertical-scaling';

/** The props' defaults, resolved once (before validation, which reads them). */
export interface ServiceDefaults {
  readonly name: string;
  readonly namespace: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly metrics: readonly ScalingMetric[];
  readonly capacity: CapacityClass;
  readonly containerPort: number;
  readonly servicePort: number;
  readonly metricsPort: number;
  readonly drainDelay: Duration;
  readonly terminationGracePeriod: Duration;
  readonly verticalScaling: VerticalScalingOptions;
  readonly monitoringNamespace: string;
  readonly prometheusUrl: string;
  readonly kubernetesVersion: KubernetesVersion;
}

export function resolveServiceDefaults(id: string, props: ScalableServiceProps): ServiceDefaults {
  const containerPort = props.containerPort ?? 8080;
  return {
    name: props.name ?? id,
    namespace: props.namespace,
    minReplicas: props.replicas.min,
    maxReplicas: props.replicas.max,
    metrics: props.metrics ?? DEFAULT_METRICS,
    capacity: props.capacity ?? CapacityClass.standard(),
    containerPort,
    servicePort: props.servicePort ?? 80,
    metricsPort: props.metricsPort ?? containerPort,
    drainDelay: props.drainDelay ?? Duration.seconds(10),
    terminationGracePeriod: props.terminationGracePeriod ?? Duration.seconds(45),
    verticalScaling: props.verticalScaling ?? {},
    monitoringNamespace: props.monitoringNamespace ?? 'monitoring',
    prometheusUrl: props.prometheusUrl ?? 'http://prometheus-operated.monitoring.svc:9090',
    kubernetesVersion: props.kubernetesVersion ?? OLDEST_KUBERNETES_VERSION,
  };
}

/** Everything the objects are rendered from: validated props, their defaults, labels and HPA behaviour. */
export interface ServiceSettings extends ServiceDefaults {
  readonly image: string;
  readonly zones: number;
  readonly resources: ServiceResources;
  readonly probes?: ProbeOptions;
  readonly env?: ScalableServiceProps['env'];
  readonly secretEnv?: ScalableServiceProps['secretEnv'];
  readonly policyExemption?: ScalableServiceProps['policyExemption'];
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly businessHours?: BusinessHours;
  readonly forecastFloors?: ForecastFloors;
  readonly allowFrom: readonly k8s.NetworkPolicyPeer[];
  readonly labels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  readonly behavior: k8s.HorizontalPodAutoscalerBehaviorV2;
}

export function serviceSettings(
  props: ScalableServiceProps,
  d: ServiceDefaults,
  behavior: k8s.HorizontalPodAutoscalerBehaviorV2,
): ServiceSettings {
  const identity = {
    name: d.name,
    instance: props.instance ?? d.name,
    component: props.component ?? 'backend',
    partOf: props.partOf ?? 'perfstack',
    version: imageTag(props.image),
  };
  return {
    ...d,
    image: props.image,
    zones: props.zones,
    resources: props.resources,
    probes: props.probes,
    env: props.env,
    secretEnv: props.secretEnv,
    policyExemption: props.policyExemption,
    podLabels: props.podLabels,
    businessHours: props.businessHours,
    forecastFloors: props.forecastFloors,
    allowFrom: props.allowFrom ?? [{ podSelector: {} }],
    labels: { ...appLabels(identity), ...(props.labels ?? {}) },
    selector: selectorLabels(identity),
    behavior,
  };
}

/** Name, namespace and labels, shared by every object. */
export function serviceMetadata(s: ServiceSettings): k8s.ObjectMeta {
  return { name: s.name, namespace: s.namespace, labels: { ...s.labels } };
}

/** The Deployment's metadata: the policy exemption, if any, rides on it. */
export function deploymentMetadata(s: ServiceSettings): k8s.ObjectMeta {
  const metadata = serviceMetadata(s);
  return s.policyExemption ? { ...metadata, annotations: exemptionAnnotations(s.policyExemption) } : metadata;
}

const hasMetricsPort = (s: ServiceSettings) => s.metricsPort !== s.containerPort;

export function deploymentSpec(s: ServiceSettings): k8s.DeploymentSpec {
  return {
    // No `replicas`: the autoscaler owns the count, and a re-apply must not reset it.
    selector: { matchLabels: { ...s.selector } },
    revisionHistoryLimit: 5,
    minReadySeconds: 5,
    strategy: {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromString('25%') },
    },
    template: {
      metadata: { labels: { ...s.labels, ...(s.podLabels ?? {}) } },
      spec: podSpec(s),
    },
  };
}

/** Restricted, spread over zones and hosts, placed by the capacity class, drained before SIGTERM. */
export function podSpec(s: ServiceSettings): k8s.PodSpec {
  return {
    serviceAccountName: s.name,
    automountServiceAccountToken: false,
    priorityClassName: s.capacity.priorityClassName,
    terminationGracePeriodSeconds: s.terminationGracePeriod.toSeconds(),
    enableServiceLinks: false,
    securityContext: restrictedPodSecurity(10001),
    topologySpreadConstraints: topologySpread(s.selector, s.zones),
    affinity: { ...s.capacity.affinity, podAntiAffinity: hostAntiAffinity(s.selector) },
    tolerations: s.capacity.tolerations.length > 0 ? [...s.capacity.tolerations] : undefined,
    containers: [appContainer(s)],
    // Read-only root filesystem: give the app a small scratch space.
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }],
  };
}

export function appContainer(s: ServiceSettings): k8s.Container {
  return {
    name: s.name,
    image: s.image,
    imagePullPolicy: 'IfNotPresent',
    ports: [
      { name: 'http', containerPort: s.containerPort, protocol: 'TCP' },
      ...(hasMetricsPort(s) ? [{ name: 'metrics', containerPort: s.metricsPort, protocol: 'TCP' }] : []),
    ],
    env: renderEnv(s.env, s.secretEnv),
    resources: renderResources(s.resources),
    securityContext: restrictedContainerSecurity(),
    ...renderProbes(s.probes),
    lifecycle: { preStop: { exec: { command: ['sleep', String(s.drainDelay.toSeconds())] } } },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

export function serviceSpec(s: ServiceSettings): k8s.ServiceSpec {
  return {
    type: 'ClusterIP',
    selector: { ...s.selector },
    ports: [
      { name: 'http', port: s.servicePort, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
      ...(hasMetricsPort(s)
        ? [{ name: 'metrics', port: s.metricsPort, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }]
        : []),
    ],
  };
}

const scaleTargetRef = (s: ServiceSettings) => ({ apiVersion: 'apps/v1', kind: 'Deployment', name: s.name });

/** A plain HPA on the metrics, with the DESIGN.md behaviour. */
export function hpaSpec(s: ServiceSettings): k8s.HorizontalPodAutoscalerSpecV2 {
  return {
    scaleTargetRef: scaleTargetRef(s),
    minReplicas: s.minReplicas,
    maxReplicas: s.maxReplicas,
    metrics: s.metrics.map(hpaMetric),
    behavior: s.behavior,
  };
}

/**
 * A KEDA ScaledObject: the cron floors (business hours, forecast floors) plus the same metrics, owning an HPA of the
 * same name.
 */
export function scaledObjectSpec(s: ServiceSettings): ScaledObjectSpec {
  return {
    scaleTargetRef: scaleTargetRef(s),
    minReplicaCount: s.minReplicas,
    maxReplicaCount: s.maxReplicas,
    pollingInterval: 15,
    advanced: {
      restoreToOriginalReplicaCount: false,
      horizontalPodAutoscalerConfig: {
        name: s.name,
        behavior: s.behavior as ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior,
      },
    },
    triggers: [
      ...cronTriggers({ businessHours: s.businessHours, forecast: s.forecastFloors, min: s.minReplicas }),
      ...s.metrics.map((m) => kedaTrigger(m, { namespace: s.namespace, service: s.name, prometheusUrl: s.prometheusUrl })),
    ],
  };
}

export function vpaSpec(s: ServiceSettings): VerticalPodAutoscalerSpec {
  const vertical = s.verticalScaling;
  return {
    targetRef: scaleTargetRef(s),
    updatePolicy: { updateMode: vertical.updateMode ? (vertical.updateMode as UpdateMode) : UpdateMode.OFF },
    resourcePolicy: {
      containerPolicies: [
        {
          containerName: s.name,
          controlledResources: [...(vertical.controlledResources ?? ['cpu', 'memory'])],
          controlledValues: ControlledValues.REQUESTS_AND_LIMITS,
          minAllowed: allowed(vertical.minAllowed, MinAllowed.fromString),
          maxAllowed: allowed(vertical.maxAllowed, MaxAllowed.fromString),
        },
      ],
    },
  };
}

/**
 * Whenever the service can run more than one pod, else undefined. maxUnavailable 1 never blocks all evictions (a
 * node drain always makes progress), unlike minAvailable = min, and still keeps all but one pod serving.
 */
export function pdbSpec(s: ServiceSettings): k8s.PodDisruptionBudgetSpec | undefined {
  if (s.maxReplicas <= 1) return undefined;
  return {
    maxUnavailable: k8s.IntOrString.fromNumber(1),
    selector: { matchLabels: { ...s.selector } },
    unhealthyPodEvictionPolicy: 'AlwaysAllow',
  };
}

export function serviceMonitorSpec(s: ServiceSettings): ServiceMonitorSpec {
  return {
    selector: { matchLabels: { ...s.selector } },
    endpoints: [{ port: hasMetricsPort(s) ? 'metrics' : 'http', path: '/metrics', interval: '15s' }],
  };
}

/** The service port from `allowFrom`; the metrics port from the monitoring namespace only. */
export function networkPolicySpec(s: ServiceSettings): k8s.NetworkPolicySpec {
  return {
    podSelector: { matchLabels: { ...s.selector } },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [...s.allowFrom], ports: [{ port: k8s.IntOrString.fromNumber(s.containerPort), protocol: 'TCP' }] },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': s.monitoringNamespace } } }],
        ports: [{ port: k8s.IntOrString.fromNumber(s.metricsPort), protocol: 'TCP' }],
      },
    ],
  };
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

/** The container's probes: readiness (what load balancers' health checks follow too), liveness and startup. */
export function renderProbes(p: ProbeOptions | undefined): Pick<k8s.Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> {
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
