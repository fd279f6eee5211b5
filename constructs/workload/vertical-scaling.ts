import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { Problems, shown } from '../core/errors';
import { FEATURE_SINCE, KubernetesVersion, OLDEST_KUBERNETES_VERSION, supports } from '../core/kubernetes-version';

/**
 * VPA update modes. `Off` only publishes recommendations; `Initial` sets requests when pods are created;
 * `Recreate` and `Auto` also evict running pods to apply them; `InPlaceOrRecreate` resizes running pods in place and
 * evicts only when a resize cannot be done (VPA 1.4+, Kubernetes 1.33+).
 */
export type VpaUpdateMode = 'Off' | 'Initial' | 'Recreate' | 'Auto' | 'InPlaceOrRecreate';

/** Every mode, for the schema (./scalable-service-schema.ts). */
export const UPDATE_MODES = ['Off', 'Initial', 'Recreate', 'Auto', 'InPlaceOrRecreate'] as const satisfies readonly VpaUpdateMode[];

/** Whether a cluster of `version` can run a VPA in `mode`: `InPlaceOrRecreate` needs in-place pod resize (1.33+). */
export function vpaModeSupported(mode: VpaUpdateMode, version: KubernetesVersion): boolean {
  return mode !== 'InPlaceOrRecreate' || supports(version, 'inPlacePodResize');
}

export type VpaResource = 'cpu' | 'memory';

/** @see https://github.com/kubernetes/autoscaler/tree/master/vertical-pod-autoscaler */
export interface VerticalScalingOptions {
  /** @default 'Off' */
  readonly updateMode?: VpaUpdateMode;
  /**
   * Resources the VPA may set. Exclude what the HPA scales on to combine `Initial`/`Auto` with an HPA.
   * @default ['cpu', 'memory']
   */
  readonly controlledResources?: readonly VpaResource[];
  /** @default - no lower bound */
  readonly minAllowed?: { readonly cpu?: Cpu; readonly memory?: Size };
  /** @default - no upper bound */
  readonly maxAllowed?: { readonly cpu?: Cpu; readonly memory?: Size };
}

/**
 * An HPA scaling on a resource's utilization and a VPA changing that resource's request fight: the VPA raises the
 * request, utilization drops, the HPA removes pods, utilization rises again. Returns the resources both would steer.
 */
export function vpaHpaConflicts(mode: VpaUpdateMode, controlled: readonly VpaResource[], hpaResources: readonly string[]): VpaResource[] {
  if (mode === 'Off') return [];
  return controlled.filter((r) => hpaResources.includes(r));
}

export function checkVerticalScaling(
  problems: Problems,
  input: string,
  options: VerticalScalingOptions,
  hpaResources: readonly string[],
  version: KubernetesVersion = OLDEST_KUBERNETES_VERSION,
): void {
  const mode = options.updateMode ?? 'Off';
  const controlled = options.controlledResources ?? ['cpu', 'memory'];
  problems.check(
    vpaModeSupported(mode, version),
    `${input}.updateMode`,
    mode,
    `needs Kubernetes ${FEATURE_SINCE.inPlacePodResize} or newer (in-place pod resize); this cluster runs ${version}: use 'Recreate'`,
  );
  const conflicts = vpaHpaConflicts(mode, controlled, hpaResources);
  if (conflicts.length > 0) {
    const rest = controlled.filter((r) => !conflicts.includes(r));
    problems.add(
      `${input}.updateMode`,
      mode,
      `would change the ${conflicts.join(' and ')} request${conflicts.length > 1 ? 's' : ''} that the autoscaler scales on; ` +
        `use updateMode 'Off'${rest.length > 0 ? ` or controlledResources [${rest.map((r) => `'${r}'`).join(', ')}]` : ''}`,
    );
  }
  for (const r of ['cpu', 'memory'] as const) {
    const lo = options.minAllowed?.[r];
    const hi = options.maxAllowed?.[r];
    if (lo !== undefined && hi !== undefined) {
      const loN = r === 'cpu' ? (lo as Cpu).amount : (lo as Size).toMebibytes();
      const hiN = r === 'cpu' ? (hi as Cpu).amount : (hi as Size).toMebibytes();
      problems.check(
        toNumber(loN) <= toNumber(hiN),
        `${input}.minAllowed.${r}`,
        shown(String(loN)),
        `must be <= 'maxAllowed.${r}' (${hiN})`,
      );
    }
  }
}

function toNumber(v: string | number): number {
  if (typeof v === 'number') return v;
  return v.endsWith('m') ? Number(v.slice(0, -1)) / 1000 : Number(v);
}
