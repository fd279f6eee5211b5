/**
 * Kubernetes minor versions and the features that need a newer cluster. Constructs take the version they render
 * for and turn a feature on only from the minor where it is on by default (beta or GA), so every object stays valid
 * for, and is served the same by, the version it is synthesized for. The operator lines and support calendars per
 * version live in stacks/kubernetes-versions.ts.
 */

/** Every Kubernetes minor version perfstack supports, oldest first. */
export const KUBERNETES_VERSIONS = ['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36'] as const;

/** A Kubernetes minor version perfstack supports. */
export type KubernetesVersion = (typeof KUBERNETES_VERSIONS)[number];

/** The version a construct renders for when it is not told: the oldest, where no gated feature is on. */
export const OLDEST_KUBERNETES_VERSION: KubernetesVersion = KUBERNETES_VERSIONS[0];

/** Whether `version` is `minimum` or newer. */
export function atLeast(version: KubernetesVersion, minimum: KubernetesVersion): boolean {
  return KUBERNETES_VERSIONS.indexOf(version) >= KUBERNETES_VERSIONS.indexOf(minimum);
}

/**
 * The first minor where each feature perfstack uses is on by default.
 * @see https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/
 */
export const FEATURE_SINCE = {
  /** Service `trafficDistribution` (ServiceTrafficDistribution: alpha 1.30, beta 1.31, GA 1.33). */
  serviceTrafficDistribution: '1.31',
  /**
   * `trafficDistribution: PreferSameZone`, the new name of `PreferClose`, which is deprecated from then on (the server
   * warns) (PreferSameTrafficDistribution, KEP-3015: alpha 1.33, beta 1.34, GA 1.35).
   */
  preferSameZone: '1.34',
  /** `lifecycle.preStop.sleep` (PodLifecycleSleepAction: alpha 1.29, beta 1.30, GA 1.34). */
  lifecycleSleepAction: '1.30',
  /** In-place pod resize, which VPA `InPlaceOrRecreate` needs (InPlacePodVerticalScaling: beta 1.33, GA 1.35). */
  inPlacePodResize: '1.33',
} as const satisfies Record<string, KubernetesVersion>;

export type GatedFeature = keyof typeof FEATURE_SINCE;

/** Whether a cluster of `version` has `feature` on by default. */
export function supports(version: KubernetesVersion, feature: GatedFeature): boolean {
  return atLeast(version, FEATURE_SINCE[feature]);
}
