import { Cluster } from 'ioredis';
import { prod } from '../../../stacks/prod';
import { lostKeys } from './acked-writer';
import { RedisHarness } from './redis-harness';
import { startSynthesizedRedis } from './synthesized';

/** prod's cluster on real valkey-server, settled: synthesized redis.conf, created by the synthesized bootstrap. */
export async function settledCluster(): Promise<RedisHarness> {
  const harness = await startSynthesizedRedis(prod);
  try {
    await harness.bootstrap();
    await harness.waitForSettled();
    return harness;
  } catch (e) {
    await harness.stop();
    throw e;
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const most = (perZone: Record<string, number>) => Math.max(...Object.values(perZone));

export async function readAll(harness: RedisHarness, acked: ReadonlyMap<string, string>): Promise<string[]> {
  const cluster: Cluster = harness.cluster();
  try {
    return await lostKeys((keys) => Promise.all(keys.map((k) => cluster.get(k))), acked);
  } finally {
    cluster.disconnect();
  }
}

export async function masterPorts(harness: RedisHarness): Promise<number[]> {
  const topo = await harness.topology(harness.live()[0]);
  return [...topo.entries()].filter(([, t]) => t.role === 'master').map(([port]) => port);
}
