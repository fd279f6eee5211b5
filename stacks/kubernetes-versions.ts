/**
 * Kubernetes versions perfstack supports, the operator lines in force for each, and the EKS support calendar: data,
 * in one place. Everything that differs by version (validation schemas, operator pins, version-gated fields) reads
 * it from here.
 */

import { KUBERNETES_VERSIONS, KubernetesVersion, atLeast } from '../constructs/core/kubernetes-version';

export { KUBERNETES_VERSIONS, atLeast };
export type { KubernetesVersion };

/**
 * Operator releases (app versions, not chart versions) a stack relies on. The stack only emits custom resources
 * whose fields these releases accept.
 */
export interface OperatorVersions {
  readonly verticalPodAutoscaler: string;
  readonly keda: string;
  readonly cloudnativePg: string;
  readonly prometheusOperator: string;
  readonly prometheusAdapter: string;
  readonly k6Operator: string;
  /** @default - not used */
  readonly karpenter?: string;
  /** @default - not used */
  readonly chaosMesh?: string;
  /** @default - not used */
  readonly certManager?: string;
  /** @default - not used */
  readonly awsLoadBalancerController?: string;
  /** Its minor always matches the cluster's. @default - not used */
  readonly clusterAutoscaler?: string;
  /** @default - not used */
  readonly externalDns?: string;
}

/** Lines that support every minor from 1.28 to 1.36 (sources in {@link OPERATORS_FOR}). */
const EVERY_VERSION = {
  verticalPodAutoscaler: '1.7.1',
  prometheusOperator: '0.93.0',
  prometheusAdapter: '0.12.0',
  k6Operator: '1.6.0',
  karpenter: '1.14.1',
  chaosMesh: '2.8.3',
  awsLoadBalancerController: '3.5.0',
  externalDns: '0.19.0',
} as const;

/**
 * The newest operator line that supports each Kubernetes minor. Sources (../shared/crds/README.md, "Operator
 * support by Kubernetes version", unless noted):
 * - KEDA: the tested window per line (N-2): 2.15 is the last line covering 1.28, 2.20 covers 1.33 to 1.35. No line
 *   lists 1.36 yet (keda-docs' 2.21 row says "TBD"): 1.36 runs 2.20, the newest, which is a tested window, not a limit.
 * - CloudNativePG: the "supported" column: 1.24 (1.28-1.31), 1.25 (to 1.32), 1.26 (to 1.33), 1.27 (to 1.33, newest
 *   for 1.31), 1.28 (1.32-1.34), 1.29 (1.33-1.35), 1.30 (1.34-1.36); patch levels are the tags the README names.
 * - VPA 1.3-1.7: 1.28+; prometheus-operator >= 0.84: 1.25+; Karpenter 1.14: 1.26-1.36; k6-operator and Chaos Mesh
 *   state no range (k6-operator 1.6 CI runs 1.27, 1.30, 1.34 and 1.35).
 * - cert-manager (cert-manager.io supported releases): 1.16 (to 1.31), 1.18 (1.29-1.33), 1.19 (1.31-1.35),
 *   1.20 (1.32-1.35). No release lists 1.36 in the sources here: 1.36 runs 1.20, the newest (not confirmed for 1.36).
 * - cluster-autoscaler: its minor matches Kubernetes' (kubernetes/autoscaler README "Releases"); releases from
 *   kubernetes/kops PR 17640 (1.28.4 to 1.34.0 image tags), kubernetes/autoscaler PR 9193 (1.35.0) and
 *   kubernetes/kops PR 18541 (1.36.0, merged 2026-07-05).
 * - AWS Load Balancer Controller v3 (Gateway API GA; v3.5.0 expects the Gateway API v1.6 CRDs: ../shared/crds/README.md,
 *   kubernetes-sigs/aws-load-balancer-controller tag v3.5.0, commit 11eb202c) and external-dns 0.10+ (1.22+): the
 *   releases with a sourced chart in stacks/operator-catalogue.ts (3.5.0, chart 3.5.0; 0.19.0, chart 1.19.0).
 */
export const OPERATORS_FOR: Readonly<Record<KubernetesVersion, Required<OperatorVersions>>> = {
  '1.28': { ...EVERY_VERSION, keda: '2.15.1', cloudnativePg: '1.24.4', certManager: '1.16.5', clusterAutoscaler: '1.28.4' },
  '1.29': { ...EVERY_VERSION, keda: '2.16.1', cloudnativePg: '1.25.4', certManager: '1.18.2', clusterAutoscaler: '1.29.5' },
  '1.30': { ...EVERY_VERSION, keda: '2.17.2', cloudnativePg: '1.26.3', certManager: '1.18.2', clusterAutoscaler: '1.30.6' },
  '1.31': { ...EVERY_VERSION, keda: '2.18.0', cloudnativePg: '1.27.2', certManager: '1.19.1', clusterAutoscaler: '1.31.4' },
  '1.32': { ...EVERY_VERSION, keda: '2.19.0', cloudnativePg: '1.28.4', certManager: '1.20.0', clusterAutoscaler: '1.32.3' },
  '1.33': { ...EVERY_VERSION, keda: '2.20.2', cloudnativePg: '1.29.2', certManager: '1.20.0', clusterAutoscaler: '1.33.1' },
  '1.34': { ...EVERY_VERSION, keda: '2.20.2', cloudnativePg: '1.30.0', certManager: '1.20.0', clusterAutoscaler: '1.34.0' },
  '1.35': { ...EVERY_VERSION, keda: '2.20.2', cloudnativePg: '1.30.0', certManager: '1.20.0', clusterAutoscaler: '1.35.0' },
  '1.36': { ...EVERY_VERSION, keda: '2.20.2', cloudnativePg: '1.30.0', certManager: '1.20.0', clusterAutoscaler: '1.36.0' },
};

/** One Kubernetes minor on EKS: 14 months of standard support, then 12 of extended support (extra cost per hour). */
export interface EksSupportWindow {
  /** Date EKS made the version available (YYYY-MM-DD). */
  readonly released: string;
  /** Last day of standard support: after it, the cluster bills extended support. */
  readonly endOfStandardSupport: string;
  /** After it, EKS creates no cluster at that version and upgrades existing ones. */
  readonly endOfExtendedSupport: string;
}

/**
 * The EKS release calendar (AWS's "Amazon EKS Kubernetes release calendar", UTC days).
 * 1.36: AWS's own calendar row could not be read here. Its release date and end of standard support are from
 * devopsdreams.blogspot.com/2026/08/kubernetes-136-on-amazon-eks-upgrade.html (published 2026-08-16: "reached Amazon
 * EKS on June 2, 2026 and remains in standard support through August 2, 2027"); the end of extended support follows
 * AWS's rule of 12 more months. AWS's release notes confirm 1.36 is available on EKS, without the date.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
 */
export const EKS_SUPPORT: Readonly<Record<KubernetesVersion, EksSupportWindow>> = {
  '1.28': { released: '2023-09-26', endOfStandardSupport: '2024-11-26', endOfExtendedSupport: '2025-11-26' },
  '1.29': { released: '2024-01-23', endOfStandardSupport: '2025-03-23', endOfExtendedSupport: '2026-03-23' },
  '1.30': { released: '2024-05-23', endOfStandardSupport: '2025-07-23', endOfExtendedSupport: '2026-07-23' },
  '1.31': { released: '2024-09-26', endOfStandardSupport: '2025-11-26', endOfExtendedSupport: '2026-11-26' },
  '1.32': { released: '2025-01-23', endOfStandardSupport: '2026-03-23', endOfExtendedSupport: '2027-03-23' },
  '1.33': { released: '2025-05-29', endOfStandardSupport: '2026-07-29', endOfExtendedSupport: '2027-07-29' },
  '1.34': { released: '2025-10-02', endOfStandardSupport: '2026-12-02', endOfExtendedSupport: '2027-12-02' },
  '1.35': { released: '2026-01-27', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27' },
  '1.36': { released: '2026-06-02', endOfStandardSupport: '2027-08-02', endOfExtendedSupport: '2028-08-02' },
};

/**
 * The minor EKS keeps in standard support longest after `today`: what a cloud environment should run. Throws when EKS
 * has none in standard support that perfstack knows (the calendar needs a new row).
 */
export function longestSupportedEksVersion(today: Date): KubernetesVersion {
  const standard = eksStandardVersions(today);
  if (standard.length === 0)
    throw new Error(`no Kubernetes minor perfstack knows is in EKS standard support on ${today.toISOString().slice(0, 10)}`);
  return standard.reduce((a, b) => (EKS_SUPPORT[b].endOfStandardSupport > EKS_SUPPORT[a].endOfStandardSupport ? b : a));
}

/** When the cloud default was last chosen: synthesized output must not change with the day it is run. */
export const CLOUD_VERSION_CHOSEN_ON = '2026-12-07';

/**
 * The version cloud environments run: the one with the longest remaining EKS standard support on
 * {@link CLOUD_VERSION_CHOSEN_ON} (1.36, to 2027-08-02; 1.35 ends 2027-03-27, 1.34 ended 2026-12-02). Synth warns once
 * it leaves standard support (`eksSupportWarning`), which is when to choose again.
 */
export const CLOUD_KUBERNETES_VERSION: KubernetesVersion = longestSupportedEksVersion(new Date(`${CLOUD_VERSION_CHOSEN_ON}T00:00:00Z`));

export type EksSupportPhase = 'unreleased' | 'standard' | 'extended' | 'ended';

/** Where `version` stands on EKS on `today` (dates are whole UTC days: the end date itself is still inside). */
export function eksSupportPhase(version: KubernetesVersion, today: Date): EksSupportPhase {
  const w = EKS_SUPPORT[version];
  const day = today.toISOString().slice(0, 10);
  if (day < w.released) return 'unreleased';
  if (day <= w.endOfStandardSupport) return 'standard';
  if (day <= w.endOfExtendedSupport) return 'extended';
  return 'ended';
}

/** Minors in EKS standard support on `today`, oldest first. */
export function eksStandardVersions(today: Date): KubernetesVersion[] {
  return KUBERNETES_VERSIONS.filter((v) => eksSupportPhase(v, today) === 'standard');
}

/**
 * A one-line warning when an EKS environment's version is past standard support on `today` (extended support costs
 * more per cluster hour; after it EKS refuses new clusters and upgrades existing ones), or undefined.
 */
export function eksSupportWarning(environment: string, version: KubernetesVersion, today: Date): string | undefined {
  const phase = eksSupportPhase(version, today);
  if (phase === 'standard' || phase === 'unreleased') return undefined;
  const w = EKS_SUPPORT[version];
  const standard = eksStandardVersions(today);
  const choose =
    standard.length > 0
      ? `choose one of ${standard.join(', ')}`
      : 'no minor perfstack knows is in standard support: add the newer ones to stacks/kubernetes-versions.ts';
  return phase === 'extended'
    ? `${environment}: 'kubernetesVersion' ("${version}") left EKS standard support on ${w.endOfStandardSupport} and is billed as extended support until ${w.endOfExtendedSupport}; ${choose}`
    : `${environment}: 'kubernetesVersion' ("${version}") is past EKS extended support (ended ${w.endOfExtendedSupport}): EKS creates no such cluster and upgrades existing ones; ${choose}`;
}

/**
 * Envoy Gateway release per Kubernetes minor, the on-prem Gateway API implementation: v1.9 supports 1.33 to 1.36 and
 * compiles in Gateway API v1.6.1 and Envoy distroless-v1.39.0 (envoyproxy/gateway tag v1.9.0,
 * site/content/en/news/releases/matrix.md). Older minors have no line: an on-prem environment there keeps its own
 * controller through the Ingress opt-in (`ingress.className`).
 */
export const ENVOY_GATEWAY_FOR: Readonly<Partial<Record<KubernetesVersion, string>>> = {
  '1.33': 'v1.9.0',
  '1.34': 'v1.9.0',
  '1.35': 'v1.9.0',
  '1.36': 'v1.9.0',
};

/**
 * Istio (ambient mode) release per Kubernetes minor, where one is in the catalogue: Istio 1.30 supports 1.32 to 1.36
 * (istio.io supported releases; IBM Cloud's add-on table, which follows it, lists 1.30 for >= 1.32 < 1.37). Older
 * minors have no line here (their Istio releases' CRDs are not stored to validate against), so environments on them
 * default to `mesh: 'none'`, with the policy as synth warnings.
 */
export const ISTIO_FOR: Readonly<Partial<Record<KubernetesVersion, string>>> = {
  '1.32': '1.30.3',
  '1.33': '1.30.3',
  '1.34': '1.30.3',
  '1.35': '1.30.3',
  '1.36': '1.30.3',
};
