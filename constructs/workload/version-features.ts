import { ApiObject, JsonPatch } from 'cdk8s';
import { KubernetesVersion, supports } from '../core/kubernetes-version';

/**
 * Same-zone routing for a Service from 1.31: kube-proxy sends traffic to endpoints in the client's zone when there
 * are any, else anywhere. Lower latency and no cross-zone data charges; zone spread keeps every zone served. The value
 * is `PreferClose` up to 1.33 and `PreferSameZone` from 1.34, where `PreferClose` became its deprecated alias (the
 * API server answers it with a warning).
 * @see https://kubernetes.io/docs/concepts/services-networking/service/#traffic-distribution
 * @see https://www.kubernetes.dev/resources/keps/3015/
 */
export function trafficDistribution(version: KubernetesVersion): 'PreferClose' | 'PreferSameZone' | undefined {
  if (!supports(version, 'serviceTrafficDistribution')) return undefined;
  return supports(version, 'preferSameZone') ? 'PreferSameZone' : 'PreferClose';
}

/**
 * The preStop drain: the kubelet's own sleep action from 1.30, so the image needs no `sleep` binary (distroless
 * images work); before that, `sleep` run in the container.
 * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#hook-handler-implementations
 */
export function preStopDrain(version: KubernetesVersion, seconds: number): Record<string, unknown> {
  return supports(version, 'lifecycleSleepAction') ? { sleep: { seconds } } : { exec: { command: ['sleep', String(seconds)] } };
}

/**
 * Patches that turn on a Service's version-gated fields (cdk8s-plus-28's types predate them).
 */
export function servicePatches(version: KubernetesVersion): JsonPatch[] {
  const distribution = trafficDistribution(version);
  return distribution ? [JsonPatch.add('/spec/trafficDistribution', distribution)] : [];
}

/** Patches that put the version's preStop drain on a Deployment's first container. */
export function deploymentPatches(version: KubernetesVersion, drainSeconds: number): JsonPatch[] {
  return supports(version, 'lifecycleSleepAction')
    ? [JsonPatch.replace('/spec/template/spec/containers/0/lifecycle/preStop', preStopDrain(version, drainSeconds))]
    : [];
}

/**
 * Applies patches that add fields cdk8s-plus-28's generated classes do not know. Their `toJson()` keeps only the
 * fields of Kubernetes 1.28, after `addJsonPatch` patches were applied, so such patches are applied to its output.
 */
export function patchUntyped(obj: ApiObject, patches: readonly JsonPatch[]): void {
  if (patches.length === 0) return;
  const typed = obj.toJson.bind(obj);
  obj.toJson = () => JsonPatch.apply(typed(), ...patches);
}
