/**
 * The props of {@link RedisCluster} and their defaults, resolved once: the construct and the pod builders beside it
 * (redis-pods.ts) both read the resolved props without importing each other.
 */
import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { ApiServerAccess } from '../core/security';
import { RedisPersistence, maxmemoryFor } from './redis-config';
import { KeyValueEngine } from './redis-engine';

/**
 * The default failure-detection timeout, chosen from both sides of the trade-off, measured on real redis-server
 * processes with the prod configuration (9 nodes, `npx tsx test/bench/redis-timeout.ts`, 3 tries each, on a shared
 * 2-core machine): failover after SIGKILL of a master / false failovers when a master stalls (SIGSTOP) for 1, 2, 3 s:
 * - 1500 ms: 2.8-2.9 s / 0, 1, 3 of 3: a 2 s stall (a slow fork, a big DEL, a VM pause) already costs a failover;
 * - 2000 ms: 3.5-4.7 s / 0, 0, 1 of 3: within the 5 s target, rides out 2 s stalls;
 * - 3000 ms: 5.4-6.1 s / 0, 0, 0 of 3: misses the 5 s target.
 * A false failover loses the writes since the last replication ack and fails clients for nothing, so 2000 ms: the
 * highest timeout that keeps failover under 5 s. Keep commands short (no KEYS, no big-key DEL) either way.
 */
export const DEFAULT_CLUSTER_NODE_TIMEOUT = Duration.millis(2000);

export type MaxmemoryPolicy = 'allkeys-lru' | 'allkeys-lfu' | 'volatile-lru' | 'volatile-lfu' | 'noeviction';

export interface RedisClusterProps {
  /** @default - the construct id */
  readonly name?: string;
  readonly namespace: string;
  /** Masters; at least 3 (a failover needs a majority of masters). */
  readonly shards: number;
  /** Replicas per master; at least 1 whenever the cluster spans more than one zone. */
  readonly replicasPerShard: number;
  /** Zones the cluster spans: with 3 or more, each master's replica is placed in another zone. */
  readonly zones: number;
  /** Memory request and limit of each node. */
  readonly memory: Size;
  readonly cpu: Cpu;
  /** @default - 75% of `memory` */
  readonly maxmemory?: Size;
  /** @default 'allkeys-lru' (cache use) */
  readonly maxmemoryPolicy?: MaxmemoryPolicy;
  /** @default 'aof-and-rdb' */
  readonly persistence?: RedisPersistence;
  /** @default DEFAULT_CLUSTER_NODE_TIMEOUT (2000 ms) */
  readonly clusterNodeTimeout?: Duration;
  readonly storage: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: string;
  /** The Secret holding the password (created outside the stack, e.g. by External Secrets). */
  readonly auth: {
    readonly secretName: string;
    /** @default 'password' */
    readonly key?: string;
  };
  /** @default KeyValueEngine.valkey() */
  readonly engine?: KeyValueEngine;
  /** The engine's image: `valkey/valkey` for Valkey, `library/redis` for Redis. */
  readonly image: string;
  readonly exporterImage: string;
  /**
   * Image with python3 (and TLS) for the bootstrap Job and the rebalancer, e.g. the CloudNativePG operand image the
   * stack already pins. See renderPlacementScript and renderTopologyScript.
   */
  readonly placementImage: string;
  /** Kubernetes API endpoints the bootstrap Job may reach (the namespace denies egress by default). */
  readonly apiServer: ApiServerAccess;
  /** @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** {@link RedisClusterProps} with every default applied by {@link resolveDefaults}: nothing downstream applies one. */
export interface ResolvedRedisClusterProps extends Required<Omit<RedisClusterProps, 'maxmemory' | 'storageClass' | 'auth'>> {
  /** `maxmemory` in bytes: the one given, or 75% of `memory` in whole MiB. */
  readonly maxmemoryBytes: number;
  /** undefined: the cluster's default StorageClass (the claim names none). */
  readonly storageClass: string | undefined;
  readonly auth: { readonly secretName: string; readonly key: string };
}

/**
 * Every default of a RedisCluster, in one place. Sizes must have passed their unit checks first: a `maxmemory` that
 * is not a whole number of MiB throws in the conversion.
 */
export function resolveDefaults(id: string, props: RedisClusterProps): ResolvedRedisClusterProps {
  const { maxmemory, ...given } = props;
  return {
    ...given,
    name: props.name ?? id,
    maxmemoryBytes: maxmemory ? maxmemory.toMebibytes() * 1024 * 1024 : maxmemoryFor(props.memory),
    maxmemoryPolicy: props.maxmemoryPolicy ?? 'allkeys-lru',
    persistence: props.persistence ?? 'aof-and-rdb',
    clusterNodeTimeout: props.clusterNodeTimeout ?? DEFAULT_CLUSTER_NODE_TIMEOUT,
    storageClass: props.storageClass,
    auth: { secretName: props.auth.secretName, key: props.auth.key ?? 'password' },
    engine: props.engine ?? KeyValueEngine.valkey(),
    monitoringNamespace: props.monitoringNamespace ?? 'monitoring',
    labels: props.labels ?? {},
  };
}
