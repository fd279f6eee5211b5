/**
 * Environments scaled by their number of services, for measuring cost per service. Run alone
 * (`npx tsx test/bench/generated.ts 1000`), it renders one in this process and prints the render's median wall
 * time and the process's peak RSS as JSON: the 1000-service target is about a new process's memory.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Environment } from '../../stacks/environment';
import { prod } from '../../stacks/prod';
import { renderEnvironment } from '../../stacks/synth';

/** prod with `n` services cloned from its catalogue. */
export function generated(n: number): Environment {
  const services = Array.from({ length: n }, (_, i) => ({ ...prod.services[i % prod.services.length], name: `svc-${i}` })).map(
    // Public services need their own ingress path.
    (s) => (s.exposure === 'public' ? { ...s, ingressPath: `/${s.name}` } : s),
  );
  // The generated services have no api-gateway to load-test: no load test, as before targets were named.
  return { ...prod, name: `gen${n}`, services, loadTests: undefined };
}

export interface ScaleSample {
  readonly services: number;
  /** Median wall time of `runs` renders, after a first one. */
  readonly medianMs: number;
  readonly samplesMs: readonly number[];
  readonly maxRssMb: number;
}

/** Renders a generated environment of `services` in a new process (tsx), `runs` times after a first render. */
export function renderAtScale(services: number, runs: number): ScaleSample {
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), __filename, String(services), String(runs)], {
    cwd: path.resolve(__dirname, '../..'),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`render of ${services} services failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

if (require.main === module) {
  const [services, runs] = process.argv.slice(2).map(Number);
  const env = generated(services);
  renderEnvironment(env);
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    renderEnvironment(env);
    samplesMs.push(performance.now() - t0);
  }
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sample: ScaleSample = {
    services,
    medianMs: sorted[Math.floor(sorted.length / 2)],
    samplesMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(sample));
}
