/**
 * Scaling bounds of the node pools from the workloads' requests at their replica bounds: what the Pulumi node
 * groups are created with (infra/node-pools.ts) and what `npm run cost` prices. Pure: no Pulumi here, so the
 * planning CLIs load it without the Pulumi SDK; infra/ turns `PoolTooSmallError` into Pulumi's input error.
 */
import { formatValue } from '../constructs/core/errors';
import { CONFIG_NAMESPACE, InstanceType, NodeOverhead } from '../stacks/stack-config/types';
import { NodeShape, PodDemand, PodTooLargeError, nodesFor, poolNodes, podsAt } from './node-sizing';

export interface Bounds {
  readonly min: number;
  readonly max: number;
}

export interface PoolBounds {
  readonly onDemand: Bounds;
  /** Absent where the environment has no spot. */
  readonly spot?: Bounds;
}

export interface PoolBoundsOptions {
  readonly demands: readonly PodDemand[];
  readonly onDemandShape: NodeShape;
  /** @default - no spot pool */
  readonly spotShape?: NodeShape;
  /** Share of the node budget that may be spot, 0-90 (the Environment's `cloud.spotPercent`). */
  readonly spotPercent: number;
  readonly zones: number;
}

/**
 * Scaling bounds of the pools, from the workloads' requests at their replica bounds.
 *
 * - The budget is the nodes that hold every pod at maximum replicas, plus one node per zone for rolling-update
 *   surge and zone-spread imbalance.
 * - Spot: `spotPercent` of the budget (DESIGN.md: about 60%), and never less than the spot-tolerant pods need at
 *   maximum. Its minimum is 0: the autoscaler adds spot nodes as spot-tolerant pods appear.
 * - On-demand: the rest of the budget, and never less than the pods that may not run on spot need at maximum
 *   plus the per-zone headroom, so critical pods never wait for spot. Its minimum is one node per zone, or what
 *   those pods need at minimum replicas when that is more.
 */
export function poolBounds(o: PoolBoundsOptions): PoolBounds {
  const headroom = o.zones;
  const atMin = poolNodes(o.demands, 'min', o.onDemandShape, o.spotShape);
  const onDemandMin = Math.max(o.zones, atMin.onDemand);
  if (!o.spotShape || o.spotPercent === 0) {
    const all = nodesFor(podsAt(o.demands, 'max'), o.onDemandShape) + headroom;
    return { onDemand: { min: onDemandMin, max: Math.max(all, onDemandMin) } };
  }
  const atMax = poolNodes(o.demands, 'max', o.onDemandShape, o.spotShape);
  const budget = nodesFor(podsAt(o.demands, 'max'), o.onDemandShape) + headroom;
  const spotMax = Math.max(Math.round((budget * o.spotPercent) / 100), atMax.spot);
  const onDemandMax = Math.max(budget - spotMax, atMax.onDemand + headroom, onDemandMin);
  return { onDemand: { min: onDemandMin, max: onDemandMax }, spot: { min: 0, max: spotMax } };
}

/** What pods can request on one node of this type. */
export function nodeShape(type: InstanceType, overhead: NodeOverhead): NodeShape {
  return { cpuMillis: type.vcpu * 1000 - overhead.cpuMillis, memoryMiB: type.memoryGiB * 1024 - overhead.memoryMiB };
}

/** What pool bounds need of a cloud stack's settings (`stacks/stack-config/types.ts` `CloudStackSettings`). */
export interface PoolSettings {
  readonly environment: { readonly zones: readonly string[]; readonly cloud: { readonly spotPercent: number } };
  readonly nodePools: {
    readonly onDemand: { readonly instanceTypes: readonly string[] };
    readonly spot?: { readonly instanceTypes: readonly string[] };
  };
  readonly instanceTypes: Readonly<Record<string, InstanceType>>;
  readonly nodeOverhead: NodeOverhead;
}

/**
 * A pod larger than a node of its pool, reported as the stack config key that chose the instance type: the same
 * `propertyPath` and `reason` as Pulumi's `InputPropertyError`, which infra/ throws from it.
 */
export class PoolTooSmallError extends Error {
  constructor(
    /** `perfstack:nodePools.<pool>.instanceTypes` */
    readonly propertyPath: string,
    readonly reason: string,
  ) {
    super(`'${propertyPath}' ${reason}`);
    this.name = 'PoolTooSmallError';
  }
}

/**
 * Node pool bounds of a cloud stack (see `poolBounds`). A pod larger than a node of its pool fails as a
 * `PoolTooSmallError` naming the stack config key that chose the instance type.
 */
export function stackPoolBounds(settings: PoolSettings, demands: readonly PodDemand[]): PoolBounds {
  const { environment: env, nodePools, instanceTypes, nodeOverhead } = settings;
  const onDemandShape = nodeShape(instanceTypes[nodePools.onDemand.instanceTypes[0]], nodeOverhead);
  const spotShape = nodePools.spot ? nodeShape(instanceTypes[nodePools.spot.instanceTypes[0]], nodeOverhead) : undefined;
  try {
    return poolBounds({ demands, onDemandShape, spotShape, spotPercent: env.cloud.spotPercent, zones: env.zones.length });
  } catch (e) {
    if (!(e instanceof PodTooLargeError)) throw e;
    const pool = e.shape === spotShape && e.shape !== onDemandShape ? 'spot' : 'onDemand';
    throw new PoolTooSmallError(
      `${CONFIG_NAMESPACE}:nodePools.${pool}.instanceTypes`,
      `(${formatValue(nodePools[pool]?.instanceTypes)}) ${e.message}`,
    );
  }
}
