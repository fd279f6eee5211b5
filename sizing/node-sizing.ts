/**
 * Node capacity from the synthesized objects: what each long-running workload requests at its minimum and maximum
 * replicas, and how many nodes of a shape hold it. The node pools' scaling bounds and `npm run cost` both use it,
 * so the numbers come from the same replica bounds and requests the cluster will see.
 */
import { KubeObject } from '../manifests/types';
import { runningWorkloads } from '../manifests/workloads';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

/** One workload's pods: per-pod requests, replica bounds, where they may run, who pays. */
export interface PodDemand {
  /** `Kind/namespace/name` */
  readonly workload: string;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Tolerates the spot taint: the pods may run on (and prefer) spot nodes. */
  readonly spotTolerant: boolean;
  /** The `cost-center` label, or `unlabelled`. */
  readonly costCenter: string;
}

/** A node's shape after the kubelet, OS and DaemonSet overhead: what pods can request. */
export interface NodeShape {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

const CPU = /^([0-9.]+)(m?)$/;
const MEMORY = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const MEMORY_FACTOR: Record<string, number> = {
  '': 1 / 2 ** 20,
  Ki: 1 / 1024,
  Mi: 1,
  Gi: 1024,
  Ti: 1024 ** 2,
  k: 1000 / 2 ** 20,
  M: 1e6 / 2 ** 20,
  G: 1e9 / 2 ** 20,
  T: 1e12 / 2 ** 20,
};

/** Kubernetes CPU quantity (`500m`, `2`, `0.5`) in millicores. */
export function cpuMillis(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const m = CPU.exec(String(q));
  if (!m) throw new Error(`'${String(q)}' is not a CPU quantity`);
  return m[2] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
}

/** Kubernetes memory quantity (`512Mi`, `2Gi`, `1G`, bytes) in MiB. */
export function memoryMiB(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const m = MEMORY.exec(String(q));
  if (!m) throw new Error(`'${String(q)}' is not a memory quantity`);
  return Number(m[1]) * MEMORY_FACTOR[m[2] ?? ''];
}

export interface Requests {
  cpuMillis: number;
  memoryMiB: number;
}

/** A pod's effective requests: its containers' sum, or its largest init container if that is more. */
export function podRequests(podSpec: Obj): Requests {
  const sum = (podSpec.containers ?? []).reduce(
    (acc: Requests, c: Obj) => ({
      cpuMillis: acc.cpuMillis + cpuMillis(c.resources?.requests?.cpu),
      memoryMiB: acc.memoryMiB + memoryMiB(c.resources?.requests?.memory),
    }),
    { cpuMillis: 0, memoryMiB: 0 },
  );
  for (const c of podSpec.initContainers ?? []) {
    sum.cpuMillis = Math.max(sum.cpuMillis, cpuMillis(c.resources?.requests?.cpu));
    sum.memoryMiB = Math.max(sum.memoryMiB, memoryMiB(c.resources?.requests?.memory));
  }
  return sum;
}

/**
 * The long-running pods of a set of objects (see `runningWorkloads`): per-pod requests, replica bounds, capacity
 * class and cost center, as the one reader of synthesized workloads gives them.
 */
export function podDemands(objects: readonly object[]): PodDemand[] {
  return runningWorkloads(objects as readonly KubeObject[]).map((w) => ({
    workload: w.id,
    ...podRequests(w.podSpec),
    minReplicas: w.replicas.min,
    maxReplicas: w.replicas.max,
    spotTolerant: w.spotTolerant,
    costCenter: w.costCenter,
  }));
}

/** A pod no node of the pool can hold: the pool's instance type is too small. */
export class PodTooLargeError extends Error {
  constructor(
    public readonly pod: Requests,
    public readonly shape: NodeShape,
  ) {
    super(
      `a pod requesting ${pod.cpuMillis}m CPU and ${Math.round(pod.memoryMiB)}Mi memory does not fit a node with ` +
        `${shape.cpuMillis}m and ${Math.round(shape.memoryMiB)}Mi allocatable; choose a larger instance type`,
    );
    this.name = 'PodTooLargeError';
  }
}

/**
 * Nodes of `shape` that hold these pods (first-fit decreasing on the larger of the CPU and memory shares, the
 * usual bin-packing bound within 22% of optimal). A pod larger than a node is an error: no node of the pool could
 * ever run it.
 */
export function nodesFor(pods: readonly Requests[], shape: NodeShape): number {
  for (const p of pods) {
    if (p.cpuMillis > shape.cpuMillis || p.memoryMiB > shape.memoryMiB) throw new PodTooLargeError(p, shape);
  }
  const share = (p: Requests) => Math.max(p.cpuMillis / shape.cpuMillis, p.memoryMiB / shape.memoryMiB);
  const free: Requests[] = [];
  for (const p of [...pods].sort((a, b) => share(b) - share(a))) {
    const node = free.find((n) => n.cpuMillis >= p.cpuMillis && n.memoryMiB >= p.memoryMiB);
    if (node) {
      node.cpuMillis -= p.cpuMillis;
      node.memoryMiB -= p.memoryMiB;
    } else {
      free.push({ cpuMillis: shape.cpuMillis - p.cpuMillis, memoryMiB: shape.memoryMiB - p.memoryMiB });
    }
  }
  return free.length;
}

/** Every pod of the demands at their minimum or maximum replicas. */
export function podsAt(demands: readonly PodDemand[], level: 'min' | 'max'): PodDemand[] {
  return demands.flatMap((d) => Array.from({ length: level === 'min' ? d.minReplicas : d.maxReplicas }, () => d));
}

/** Nodes per pool at one replica level: on-demand holds what may not run on spot, spot what tolerates it. */
export interface PoolNodes {
  readonly onDemand: number;
  readonly spot: number;
}

/** Where pods land when the environment has a spot pool: spot-tolerant pods on spot, the rest on on-demand. */
export function poolNodes(demands: readonly PodDemand[], level: 'min' | 'max', onDemand: NodeShape, spot?: NodeShape): PoolNodes {
  const pods = podsAt(demands, level);
  if (!spot) return { onDemand: nodesFor(pods, onDemand), spot: 0 };
  return {
    onDemand: nodesFor(
      pods.filter((p) => !p.spotTolerant),
      onDemand,
    ),
    spot: nodesFor(
      pods.filter((p) => p.spotTolerant),
      spot,
    ),
  };
}
