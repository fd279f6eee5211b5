import { Environment } from '../../../stacks/environment';
import { ENVIRONMENTS } from '../../../stacks/environments';
import { synthesizeCharts } from '../../../stacks/synth';
import { chartsOf } from '../../support/environments';
import { freePortBlock } from './ports';
import { RedisHarness, RedisHarnessOptions } from './redis-harness';

/** A synthesized object of an environment, found by kind and name: integration tests feed real programs with it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function synthesized(env: Environment, kind: string, name: string): any {
  // A registered environment's charts come from the run's cache (test/support/environments.ts).
  for (const chart of ENVIRONMENTS[env.name] === env ? chartsOf(env.name) : synthesizeCharts(env)) {
    const found = chart.objects.find((o) => o.kind === kind && (o.metadata as { name: string }).name === name);
    if (found) return found;
  }
  throw new Error(`${env.name} has no ${kind} ${name}`);
}

/** A Redis Cluster node's bus port is its port + 10000 (redis.conf sets no cluster-port). */
const CLUSTER_BUS_OFFSET = 10000;

/**
 * What the harness needs from an environment's synthesized key-value cluster: its redis.conf and scripts, the server
 * program its StatefulSet runs, and the shard and replica counts its bootstrap Job passes to topology.py.
 */
export function synthesizedRedisOptions(env: Environment): Omit<RedisHarnessOptions, 'basePort'> {
  const configMap = synthesized(env, 'ConfigMap', 'redis');
  const job = synthesized(env, 'Job', 'redis-bootstrap');
  const server = synthesized(env, 'StatefulSet', 'redis').spec.template.spec.containers[0].command[0];
  const [shards, replicasPerShard] = job.spec.template.spec.containers[0].command.slice(-2).map(Number);
  const { 'redis.conf': redisConf, ...scripts } = configMap.data;
  return { redisConf, scripts, server, shards, replicasPerShard };
}

/** Real server nodes as an environment's cluster runs them (see synthesizedRedisOptions), started on free ports. */
export async function startSynthesizedRedis(env: Environment): Promise<RedisHarness> {
  const options = synthesizedRedisOptions(env);
  for (let attempt = 1; ; attempt++) {
    const harness = new RedisHarness({
      ...options,
      basePort: await freePortBlock(options.shards * (1 + options.replicasPerShard), CLUSTER_BUS_OFFSET),
    });
    try {
      await harness.start();
      return harness;
    } catch (e) {
      // A node exits when another suite took one of its ports since they were found free: try other ports.
      await harness.stop();
      if (attempt === 3) throw e;
    }
  }
}
