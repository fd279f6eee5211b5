import { Environment } from '../../../stacks/environment';
import { synthesizeCharts } from '../../../stacks/synth';
import { RedisHarness } from './redis-harness';

/** A synthesized object of an environment, found by kind and name: integration tests feed real programs with it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function synthesized(env: Environment, kind: string, name: string): any {
  for (const chart of synthesizeCharts(env)) {
    const found = chart.objects.find((o) => o.kind === kind && (o.metadata as { name: string }).name === name);
    if (found) return found;
  }
  throw new Error(`${env.name} has no ${kind} ${name}`);
}

/**
 * Real redis-server nodes as an environment's Redis Cluster runs them: its synthesized redis.conf and bootstrap
 * script, and the shard and replica counts its bootstrap Job passes to that script.
 */
export function synthesizedRedisHarness(env: Environment, basePort: number): RedisHarness {
  const configMap = synthesized(env, 'ConfigMap', 'redis');
  const job = synthesized(env, 'Job', 'redis-bootstrap');
  const [shards, replicasPerShard] = job.spec.template.spec.containers[0].command.slice(-2).map(Number);
  return new RedisHarness({
    redisConf: configMap.data['redis.conf'],
    bootstrapScript: configMap.data['bootstrap.sh'],
    shards,
    replicasPerShard,
    basePort,
  });
}
