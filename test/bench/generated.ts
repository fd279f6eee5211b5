/**
 * Environments scaled by their number of services, for measuring cost per service. Run alone, compiled
 * (`node lib/test/bench/generated.js 1000`, after `tsc -b`), it renders one once and prints the render's wall time
 * and the process's peak RSS as JSON: the 1000-service target is about what one `npm run synth` process takes, and
 * that runs compiled code.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { renderEnvironment } from '../../stacks/synth';
import { scaledProd } from '../support/environments';

/** prod with `n` services cloned from its catalogue. */
export const generated = scaledProd;

export interface ScaleSample {
  readonly services: number;
  /** Wall time of each render, one per new process (module loading not included). */
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  /** The largest peak RSS of those processes. */
  readonly maxRssMb: number;
}

/**
 * Renders a generated environment of `services` once in each of `runs` new processes of compiled code, as
 * `npm run synth` would (`npm run bench` compiles first).
 */
export function renderAtScale(services: number, runs: number): ScaleSample {
  const root = path.resolve(__dirname, '../..');
  const compiled = path.join(root, 'lib/test/bench/generated.js');
  const samples = Array.from({ length: runs }, () => {
    const r = spawnSync(process.execPath, [compiled, String(services)], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`render of ${services} services failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { renderMs: number; maxRssMb: number };
  });
  const samplesMs = samples.map((x) => x.renderMs);
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { services, samplesMs, medianMs: sorted[Math.floor(sorted.length / 2)], maxRssMb: Math.max(...samples.map((x) => x.maxRssMb)) };
}

if (require.main === module) {
  const env = generated(Number(process.argv[2]));
  const t0 = performance.now();
  renderEnvironment(env);
  const renderMs = performance.now() - t0;
  process.stdout.write(JSON.stringify({ renderMs, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}
