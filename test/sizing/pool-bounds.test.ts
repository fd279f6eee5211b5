import { spawnSync } from 'child_process';
import * as path from 'path';
import { PodDemand } from '../../sizing/node-sizing';
import { PoolSettings, PoolTooSmallError, nodeShape, poolBounds, stackPoolBounds } from '../../sizing/pool-bounds';

const shape = { cpuMillis: 2000, memoryMiB: 8192 };
const demand = (workload: string, cpuMillis: number, min: number, max: number, spotTolerant: boolean): PodDemand => ({
  workload,
  cpuMillis,
  memoryMiB: 512,
  minReplicas: min,
  maxReplicas: max,
  spotTolerant,
  costCenter: 'cc',
});

describe('poolBounds', () => {
  // At max: 4 on-demand pods of 1 CPU (2 nodes) and 10 spot-tolerant pods of 1 CPU (5 nodes); all together 7 nodes.
  const demands = [demand('api', 1000, 2, 4, false), demand('worker', 1000, 1, 10, true)];

  it('gives spot the spot share of the node budget (all pods at max plus one node per zone)', () => {
    // budget 7 + 3 = 10; spot max round(10 x 60%) = 6; on-demand max max(10 - 6, 2 + 3) = 5.
    expect(poolBounds({ demands, onDemandShape: shape, spotShape: shape, spotPercent: 60, zones: 3 })).toEqual({
      onDemand: { min: 3, max: 5 },
      spot: { min: 0, max: 6 },
    });
  });

  it('never caps spot below what the spot-tolerant pods need at max', () => {
    // budget 10; 10% would be 1 node, but the workers need 5.
    expect(poolBounds({ demands, onDemandShape: shape, spotShape: shape, spotPercent: 10, zones: 3 }).spot).toEqual({ min: 0, max: 5 });
  });

  it('keeps room on on-demand for what may not run on spot, even when the spot share says less', () => {
    const heavy = [demand('db', 2000, 4, 4, false), demand('worker', 1000, 0, 2, true)];
    // budget 5 + 1 = 6; spot round(6 x 90%) = 5; on-demand max(6 - 5, 4 + 1, 4) = 5.
    expect(poolBounds({ demands: heavy, onDemandShape: shape, spotShape: shape, spotPercent: 90, zones: 1 }).onDemand).toEqual({
      min: 4,
      max: 5,
    });
  });

  it('sizes a single on-demand pool for everything where there is no spot', () => {
    expect(poolBounds({ demands, onDemandShape: shape, spotPercent: 0, zones: 1 })).toEqual({ onDemand: { min: 2, max: 8 } });
  });
});

describe('nodeShape', () => {
  it('subtracts the per-node overhead from the instance size', () => {
    expect(nodeShape({ vcpu: 4, memoryGiB: 16, onDemandHourly: 1, spotHourly: 0.5 }, { cpuMillis: 400, memoryMiB: 1536 })).toEqual({
      cpuMillis: 3600,
      memoryMiB: 14848,
    });
  });
});

describe('stackPoolBounds', () => {
  const settings = (onDemand: string, spot?: string): PoolSettings => ({
    environment: { zones: ['a', 'b', 'c'], cloud: { spotPercent: 60 } },
    nodePools: { onDemand: { instanceTypes: [onDemand] }, ...(spot ? { spot: { instanceTypes: [spot] } } : {}) },
    instanceTypes: {
      small: { vcpu: 2, memoryGiB: 8, onDemandHourly: 0.1, spotHourly: 0.03 },
      large: { vcpu: 8, memoryGiB: 32, onDemandHourly: 0.4, spotHourly: 0.12 },
    },
    nodeOverhead: { cpuMillis: 400, memoryMiB: 1536 },
  });
  const big = (spotTolerant: boolean) => [demand('big', 4000, 1, 2, spotTolerant)];

  it('names the stack config key of the pool too small for a pod, with its value and the fix', () => {
    const run = () => stackPoolBounds(settings('small'), big(false));
    expect(run).toThrow(PoolTooSmallError);
    expect(run).toThrow(
      expect.objectContaining({
        propertyPath: 'perfstack:nodePools.onDemand.instanceTypes',
        reason: expect.stringMatching(/^\(\["small"\]\) a pod requesting 4000m CPU .* choose a larger instance type$/),
      }),
    );
  });

  it('blames the spot pool when only its instance type is too small', () => {
    expect(() => stackPoolBounds(settings('large', 'small'), big(true))).toThrow(
      expect.objectContaining({ propertyPath: 'perfstack:nodePools.spot.instanceTypes' }),
    );
  });

  it('loads without the Pulumi SDK, so the planning tools and infra/ share it as plain code', () => {
    const probe = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(path.resolve(__dirname, '../../sizing/pool-bounds.ts'))});
      process.stdout.write(String(Object.keys(require.cache).filter((f) => f.includes('/node_modules/@pulumi/')).length));`;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('0');
  });
});
