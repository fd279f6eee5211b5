/**
 * Capacity planning and the cost report (`npm run cost`) on synthesized objects: how they grow with services.
 * Bin-packing is first-fit (pods x nodes), so the ratio shows whether that stays affordable at 200 services.
 */
import { performance } from 'perf_hooks';
import { podDemands } from '../../sizing/node-sizing';
import { costReport } from '../../planning/cost/cost-report';
import { Environment } from '../../stacks/environment';
import { synthesizeCharts } from '../../stacks/synth';

const pool = (vcpu: number, memoryGiB: number) => ({
  instanceType: 'bench',
  shape: { cpuMillis: vcpu * 1000 - 400, memoryMiB: memoryGiB * 1024 - 1536 },
  vcpu,
  onDemandHourly: 0.4,
  spotHourly: 0.15,
});

/** Median milliseconds of demand extraction plus the report at min and max replicas, per environment. */
export function capacityPlanning(envs: readonly Environment[], runs: number, median: (xs: number[]) => number): number[] {
  return envs.map((env) => {
    const objects = synthesizeCharts(env).flatMap((c) => [...c.objects]);
    const samples: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const t0 = performance.now();
      costReport({ demands: podDemands(objects), onDemand: pool(8, 32), spot: pool(4, 16) });
      if (i > 0) samples.push(performance.now() - t0); // the first run warms up
    }
    return median(samples);
  });
}
