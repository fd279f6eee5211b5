import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ScaledObject, ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior } from '../../imports/keda-scaledobjects-keda.sh';
import { ServiceMonitor } from '../../imports/servicemonitors-monitoring.coreos.com';
import { VerticalPodAutoscaler } from '../../imports/vpa-autoscaling.k8s.io';
import { Problems, shown } from '../core/errors';
import { checkLabels } from '../core/labels';
import { cpuCores } from '../core/quantities';
import { checkShape } from '../core/schema';
import { checkBusinessHours } from './business-hours';
import { CapacityClass } from './capacity-class';
import { checkForecastFloors } from './forecast-floors';
import {
  ServiceDefaults,
  deploymentMetadata,
  deploymentSpec,
  hpaSpec,
  networkPolicySpec,
  pdbSpec,
  renderProbes,
  resolveServiceDefaults,
  scaledObjectSpec,
  serviceMetadata,
  serviceMonitorSpec,
  serviceSettings,
  serviceSpec,
  vpaSpec,
} from './scalable-service-manifests';
import { scalingBehavior } from './scaling-behavior';
import { ScalingMetric, cpuTargetOf } from './scaling-metric';
import { SpotBurst, spotBurstBounds } from './spot-burst';
import { deploymentPatches, patchUntyped, servicePatches } from './version-features';
import { checkVerticalScaling } from './vertical-scaling';
import type { ScalableServiceProps } from './scalable-service-props';
import { scalableServicePropsSchema } from './scalable-service-schema';
export type { ProbeOptions, ReplicaBounds, ScalableServiceProps, ServiceResources } from './scalable-service-props';

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
  /** The container's readiness probe (the edge's load balancer health check follows it). */
  public readonly readinessProbe: k8s.Probe;
  /** The preStop delay before SIGTERM (the edge's deregistration delay matches it). */
  public readonly drainDelay: Duration;
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
  /** The spot burst, when the class has one and the cluster has spot capacity. */
  public readonly spotBurst?: SpotBurst;

  constructor(scope: Construct, id: string, serviceProps: ScalableServiceProps) {
    super(scope, id);
    // With spot burst this Deployment is the on-demand base: its autoscaler stops at the highest floor.
    const burst = spotBurstBounds(serviceProps);
    const props = burst ? { ...serviceProps, replicas: { ...serviceProps.replicas, max: burst.baseMax } } : serviceProps;
    const defaults = resolveServiceDefaults(id, props);
    const behavior = checkServiceProps(Problems.of(this), props, defaults);
    const s = serviceSettings(props, defaults, behavior);

    this.name = s.name;
    this.namespace = s.namespace;
    this.minReplicas = s.minReplicas;
    this.maxReplicas = s.maxReplicas;
    this.metrics = s.metrics;
    this.capacity = s.capacity;
    this.containerPort = s.containerPort;
    this.servicePort = s.servicePort;
    this.readinessProbe = renderProbes(s.probes).readinessProbe!;
    this.drainDelay = s.drainDelay;
    this.labels = s.labels;
    this.selector = s.selector;

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: serviceMetadata(s),
      automountServiceAccountToken: false,
    });
    const deployment = { metadata: deploymentMetadata(s), spec: deploymentSpec(s) };
    const drainPatches = deploymentPatches(s.kubernetesVersion, s.drainDelay.toSeconds());
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', deployment);
    patchUntyped(this.deployment, drainPatches);
    this.service = new k8s.KubeService(this, 'Service', { metadata: serviceMetadata(s), spec: serviceSpec(s) });
    patchUntyped(this.service, servicePatches(s.kubernetesVersion));
    // The burst's HPA is KEDA's: it takes the base's behaviour in KEDA's type (the same fields as the HPA's).
    let autoscalerBehavior: ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior | undefined;
    if (s.businessHours || s.forecastFloors) {
      const spec = scaledObjectSpec(s);
      this.scaledObject = new ScaledObject(this, 'ScaledObject', { metadata: serviceMetadata(s), spec });
      autoscalerBehavior = spec.advanced?.horizontalPodAutoscalerConfig?.behavior;
    } else {
      const spec = hpaSpec(s);
      this.hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'HPA', { metadata: serviceMetadata(s), spec });
      autoscalerBehavior = spec.behavior as ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior | undefined;
    }
    this.vpa = new VerticalPodAutoscaler(this, 'VPA', { metadata: serviceMetadata(s), spec: vpaSpec(s) });
    const pdb = pdbSpec(s);
    if (pdb) this.pdb = new k8s.KubePodDisruptionBudget(this, 'PDB', { metadata: serviceMetadata(s), spec: pdb });
    this.serviceMonitor = new ServiceMonitor(this, 'ServiceMonitor', { metadata: serviceMetadata(s), spec: serviceMonitorSpec(s) });
    const networkPolicy = { metadata: serviceMetadata(s), spec: networkPolicySpec(s) };
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', networkPolicy);
    if (burst) {
      // The burst is built from the same props as the base, not from the base's rendered JSON: a render per object.
      this.spotBurst = new SpotBurst(this, 'SpotBurst', {
        base: { ...deployment, patches: drainPatches },
        service: this.service,
        networkPolicy,
        name: this.name,
        namespace: this.namespace,
        selector: this.selector,
        maxReplicas: burst.burstMax,
        cpuRequestCores: cpuCores(props.resources.cpu),
        cpuTarget: cpuTargetOf(this.metrics) ?? Number.NaN,
        behavior: autoscalerBehavior,
        prometheusUrl: s.prometheusUrl,
      });
    }
  }

  /** Custom metrics that need prometheus-adapter (metrics of a plain HPA; KEDA serves its own). */
  public get adapterMetrics(): readonly ScalingMetric[] {
    return this.hpa ? this.metrics.filter((m) => !m.isResource) : [];
  }
}

/**
 * Checks the props with their defaults resolved and records every problem at once, then throws them; returns the
 * validated HPA behaviour. Shapes and ranges are the schema's (./scalable-service-schema.ts); what is here spans props.
 */
export function checkServiceProps(
  problems: Problems,
  props: ScalableServiceProps,
  d: ServiceDefaults,
): k8s.HorizontalPodAutoscalerBehaviorV2 {
  // The name defaults to the construct id, which must be a DNS label as much as a given name.
  if (!checkShape(problems, scalableServicePropsSchema, { ...props, name: d.name })) problems.throwIfAny();
  problems.check(!(d.minReplicas > d.maxReplicas), 'replicas.min', d.minReplicas, `must be <= 'replicas.max' (${d.maxReplicas})`);
  const r = props.resources;
  if (r.memoryLimit) {
    problems.check(
      r.memoryLimit.toMebibytes() >= r.memory.toMebibytes(),
      'resources.memoryLimit',
      shown(`${r.memoryLimit.toMebibytes()}Mi`),
      `must be >= the memory request (${r.memory.toMebibytes()}Mi)`,
    );
  }
  d.metrics.forEach((m, i) => m.validate(problems, `metrics[${i}]`));
  const names = d.metrics.map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  problems.check(dup === undefined, 'metrics', dup, 'names a metric twice; give each metric once');
  const behavior = scalingBehavior(props.behavior, problems);
  if (props.businessHours) checkBusinessHours(problems, 'businessHours', props.businessHours, d.minReplicas, d.maxReplicas);
  if (props.forecastFloors) checkForecastFloors(problems, 'forecastFloors', props.forecastFloors, d.minReplicas, d.maxReplicas);
  const hpaResources = d.metrics.filter((m) => m.isResource).map((m) => m.name);
  checkVerticalScaling(problems, 'verticalScaling', d.verticalScaling, hpaResources, d.kubernetesVersion);
  problems.check(
    d.drainDelay.toSeconds() < d.terminationGracePeriod.toSeconds(),
    'drainDelay',
    shown(d.drainDelay.toHumanString()),
    `must be shorter than 'terminationGracePeriod' (${d.terminationGracePeriod.toHumanString()}) so the app still gets SIGTERM time to finish requests`,
  );
  checkLabels(problems, 'labels', props.labels ?? {});
  checkLabels(problems, 'podLabels', props.podLabels ?? {});
  problems.throwIfAny();
  return behavior;
}
