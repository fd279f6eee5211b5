import { JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ScaledObject, ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior } from '../../imports/keda-scaledobjects-keda.sh';
import { Problems } from '../core/errors';
import { EXEMPT_ANNOTATION, EXEMPT_REASON_ANNOTATION, labelValue } from '../core/labels';
import { CapacityClass } from './capacity-class';
import { hostAntiAffinity } from './topology';
import { patchUntyped } from './version-features';

/**
 * Bounds of a service with spot burst: the base runs from the minimum up to its highest floor (the minimum,
 * business hours, forecast floors), the burst the rest of the way to the service's max. Undefined where the class has
 * no burst, the cluster has no spot capacity, or the floors already reach the max.
 */
export function spotBurstBounds(o: {
  readonly capacity?: CapacityClass;
  readonly spotCapacity?: boolean;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly businessHours?: { readonly minReplicas: number };
  readonly forecastFloors?: { readonly floors: readonly { readonly minReplicas: number }[] };
}): { baseMax: number; burstMax: number } | undefined {
  if (!o.capacity?.spotBurst || !o.spotCapacity) return undefined;
  const floors = o.forecastFloors?.floors.map((f) => f.minReplicas) ?? [];
  const baseMax = Math.max(o.replicas.min, o.businessHours?.minReplicas ?? 0, ...floors);
  if (baseMax >= o.replicas.max) return undefined;
  return { baseMax, burstMax: o.replicas.max - baseMax };
}

/** Label that tells a base pod from its burst: `base` or `burst`. */
export const BURST_TIER_LABEL = 'perfstack.io/tier';

export interface SpotBurstProps {
  /**
   * What the service's Deployment (the on-demand base) is made of: its props and the patches its JSON gets. The burst
   * runs the same pods, so it is made of the same.
   */
  readonly base: { readonly metadata: k8s.ObjectMeta; readonly spec: k8s.DeploymentSpec; readonly patches?: readonly JsonPatch[] };
  /** The service's Service: it is made to select base and burst pods alike. */
  readonly service: k8s.KubeService;
  /** The props of the base's NetworkPolicy: the burst's pods get the same ingress rules. */
  readonly networkPolicy: { readonly metadata: k8s.ObjectMeta; readonly spec: k8s.NetworkPolicySpec };
  readonly name: string;
  readonly namespace: string;
  /** Labels the base's pods are selected by (`app.kubernetes.io/name`, `app.kubernetes.io/instance`). */
  readonly selector: Readonly<Record<string, string>>;
  /** Burst pods at most: the service's max minus the most the base runs. */
  readonly maxReplicas: number;
  /** CPU request of one pod, in cores, and the HPA's CPU target (0-1): one pod's share of the load. */
  readonly cpuRequestCores: number;
  readonly cpuTarget: number;
  /** The base autoscaler's scaling behaviour: the burst's own HPA (KEDA's) scales the same way. */
  readonly behavior?: ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior;
  readonly prometheusUrl: string;
}

/**
 * The load above what the base's ready pods carry at the CPU target, in cores: KEDA divides it by one pod's share
 * (`target x request`) and runs that many burst pods, so base and burst together hold the HPA's target. The base
 * counts through kube-state-metrics; the usage of both through cAdvisor.
 */
export function excessCpuQuery(namespace: string, deployment: string, podShareCores: number): string {
  const usage = `sum(rate(container_cpu_usage_seconds_total{namespace="${namespace}",container="${deployment}"}[2m]))`;
  const base = `scalar(sum(kube_deployment_status_replicas_available{namespace="${namespace}",deployment="${deployment}"}))`;
  return `clamp_min(${usage} - ${base} * ${podShareCores}, 0)`;
}

/**
 * Spot burst capacity for a critical service: its Deployment stays the on-demand base (floor and floors), and a
 * second Deployment, `<name>-burst`, runs the same pods on spot nodes for the load above the base, scaled by KEDA from
 * zero. The Service and NetworkPolicy select both by `app.kubernetes.io/name`; each Deployment has its own spread,
 * anti-affinity and PodDisruptionBudget, so the rules that held for one hold for each.
 *
 * A spot reclaim takes only burst pods: the floor never depends on spot. When spot is short the burst pods wait
 * (they may fall back to on-demand nodes, tolerating but preferring spot), and the base still scales to its
 * ceiling on CPU by itself.
 */
export class SpotBurst extends Construct {
  public readonly deployment: k8s.KubeDeployment;
  public readonly scaledObject: ScaledObject;
  public readonly pdb: k8s.KubePodDisruptionBudget;
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  public readonly burstName: string;

  constructor(scope: Construct, id: string, props: SpotBurstProps) {
    super(scope, id);
    Problems.of(this)
      .check(
        Number.isInteger(props.maxReplicas) && props.maxReplicas >= 1,
        'maxReplicas',
        props.maxReplicas,
        "must be at least 1: the service's max must be above the most its base runs",
      )
      .check(
        props.cpuTarget > 0 && props.cpuTarget <= 1,
        'cpuTarget',
        props.cpuTarget,
        'must be a utilization between 0 and 1; spot burst follows the CPU metric',
      )
      .throwIfAny();
    this.burstName = `${props.name}-burst`;
    const base = props.base;
    const template = base.spec.template;
    const instance = labelValue(`${props.selector['app.kubernetes.io/instance']}-burst`);
    const selector = { ...props.selector, 'app.kubernetes.io/instance': instance };
    const spot = CapacityClass.spotTolerant();
    const labels = { ...(template.metadata?.labels ?? {}), ...selector, [BURST_TIER_LABEL]: 'burst' };
    const exemption = {
      [EXEMPT_ANNOTATION]: 'production-replicas',
      [EXEMPT_REASON_ANNOTATION]: `spot burst of ${props.name}: scales from zero above the on-demand base, which holds the floor`,
    };
    const metadata = {
      ...base.metadata,
      name: this.burstName,
      labels: { ...base.metadata.labels, ...selector, [BURST_TIER_LABEL]: 'burst' },
    };
    // Spread and anti-affinity by the burst's own pods, as the base does by its own.
    const retarget = (constraints: readonly k8s.TopologySpreadConstraint[] | undefined) =>
      constraints?.map((c) => ({ ...c, labelSelector: { matchLabels: selector } }));

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { ...metadata, annotations: { ...base.metadata.annotations, ...exemption } },
      spec: {
        ...base.spec,
        selector: { matchLabels: selector },
        template: {
          metadata: { ...template.metadata, labels },
          spec: {
            ...template.spec!,
            priorityClassName: spot.priorityClassName,
            tolerations: [...(template.spec?.tolerations ?? []), ...spot.tolerations],
            affinity: { ...spot.affinity, podAntiAffinity: hostAntiAffinity(selector) },
            topologySpreadConstraints: retarget(template.spec?.topologySpreadConstraints),
          },
        },
      },
    });
    patchUntyped(this.deployment, base.patches ?? []);

    this.scaledObject = new ScaledObject(this, 'ScaledObject', {
      metadata: { name: this.burstName, namespace: props.namespace, labels: metadata.labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.burstName },
        minReplicaCount: 0,
        maxReplicaCount: props.maxReplicas,
        pollingInterval: 15,
        cooldownPeriod: 300,
        advanced: {
          restoreToOriginalReplicaCount: false,
          horizontalPodAutoscalerConfig: {
            name: this.burstName,
            behavior: props.behavior,
          },
        },
        triggers: [
          {
            type: 'prometheus',
            name: 'excess-cpu',
            metricType: 'AverageValue' as never,
            metadata: {
              serverAddress: props.prometheusUrl,
              query: excessCpuQuery(props.namespace, props.name, Number((props.cpuTarget * props.cpuRequestCores).toFixed(6))),
              threshold: String(Number((props.cpuTarget * props.cpuRequestCores).toFixed(6))),
              activationThreshold: '0',
            },
          },
        ],
      },
    });

    this.pdb = new k8s.KubePodDisruptionBudget(this, 'PDB', {
      metadata: { name: this.burstName, namespace: props.namespace, labels: metadata.labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });

    // The base's ingress rules, for the burst's pods.
    const policy = props.networkPolicy;
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { ...policy.metadata, name: this.burstName, labels: metadata.labels },
      spec: { ...policy.spec, podSelector: { matchLabels: selector } },
    });

    // The Service sends to base and burst pods alike: select by name only. A subset of the old selector, so no
    // endpoint drops out while this rolls out.
    const serviceSelector = { 'app.kubernetes.io/name': props.selector['app.kubernetes.io/name'] };
    props.service.addJsonPatch(JsonPatch.replace('/spec/selector', serviceSelector));
  }
}
