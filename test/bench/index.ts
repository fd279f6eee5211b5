/**
 * `npm run bench`: medians over several runs, as a table. Benchmarks, not tests: nothing here fails on a number.
 * Targets (DESIGN.md): every environment synthesized in under 3 s wall on 2 cores; cost linear in services.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Environment } from '../../stacks/environment';
import { ENVIRONMENTS } from '../../stacks/environments';
import { prod } from '../../stacks/prod';
import { renderEnvironment } from '../../stacks/synth';
import { capacityPlanning } from './capacity';
import { forecastMonth } from './forecast';
import { pgbouncerThroughput, redisFailover } from './data-tier';
import { policyThroughput } from './policy';

const ROOT = path.resolve(__dirname, '../..');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function time(fn: () => void, runs = RUNS): number {
  fn(); // warm-up: module loading and JIT are not what we measure in-process
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** prod with `n` services cloned from its catalogue, to measure cost per service. */
function generated(n: number): Environment {
  const services = Array.from({ length: n }, (_, i) => ({ ...prod.services[i % prod.services.length], name: `svc-${i}` }));
  return { ...prod, name: `gen${n}`, services };
}

interface Row {
  readonly case: string;
  readonly medianMs: number;
  readonly note: string;
}

const rows: Row[] = [];

// Wall time of the real command, process start included, as a user or CI sees it.
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-bench-'));
const cli = () => {
  const r = spawnSync(process.execPath, [
    path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
    path.join(ROOT, 'stacks/main.ts'),
    '--out',
    path.join(out, 'dist'),
  ]);
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
};
const cliMs = time(cli, Math.min(RUNS, 5));
rows.push({
  case: 'npm run synth, all 4 environments (wall, new process)',
  medianMs: cliMs,
  note: `target < 3000 ms: ${cliMs < 3000 ? 'met' : 'MISSED'}`,
});
fs.rmSync(out, { recursive: true, force: true });

const allMs = time(() => Object.values(ENVIRONMENTS).forEach(renderEnvironment));
rows.push({ case: 'render all 4 environments (in process)', medianMs: allMs, note: '' });

const g20 = time(() => renderEnvironment(generated(20)));
const g200 = time(() => renderEnvironment(generated(200)), Math.max(3, Math.floor(RUNS / 2)));
rows.push({ case: 'render generated environment, 20 services', medianMs: g20, note: `${(g20 / 20).toFixed(2)} ms/service` });
rows.push({
  case: 'render generated environment, 200 services',
  medianMs: g200,
  note: `${(g200 / 200).toFixed(2)} ms/service; 200/20 ratio ${(g200 / g20).toFixed(1)} (10.0 = linear)`,
});

const policy = policyThroughput();
rows.push({
  case: `policy check, ${policy.objects} objects (in process)`,
  medianMs: policy.medianMs,
  note: `${Math.round(policy.perSecond).toLocaleString('en-US')} objects/s; target >= 20,000/s: ${policy.perSecond >= 20000 ? 'met' : 'MISSED'}`,
});

const [c20, c200] = capacityPlanning([generated(20), generated(200)], RUNS, median);
rows.push({ case: 'capacity plan + cost report, 20 services', medianMs: c20, note: '' });
rows.push({
  case: 'capacity plan + cost report, 200 services',
  medianMs: c200,
  note: `200/20 ratio ${(c200 / c20).toFixed(1)} (10.0 = linear in services)`,
});

const [fcIn, fcCli] = forecastMonth(RUNS, median);
rows.push({
  case: 'forecast, a month of per-minute history (in process)',
  medianMs: fcIn,
  note: `target < 2000 ms: ${fcIn < 2000 ? 'met' : 'MISSED'}`,
});
rows.push({
  case: 'forecast CLI end to end, a month per-minute',
  medianMs: fcCli,
  note: `target < 2000 ms: ${fcCli < 2000 ? 'met' : 'MISSED'}`,
});

const w = Math.max(...rows.map((r) => r.case.length));
console.log(`perfstack bench: median of ${RUNS} runs, node ${process.version}, ${os.cpus().length} cores\n`);
console.log(`${'case'.padEnd(w)} | median ms | note`);
console.log(`${'-'.repeat(w)}-|-----------|-----`);
for (const r of rows) console.log(`${r.case.padEnd(w)} | ${r.medianMs.toFixed(1).padStart(9)} | ${r.note}`);

async function dataTier(): Promise<void> {
  if (process.argv.includes('--synth-only')) return;
  console.log('\ndata tier, on the real programs with the synthesized prod configuration:\n');
  const data = [...(await redisFailover()), ...(await pgbouncerThroughput())];
  const dw = Math.max(...data.map((r) => r.case.length));
  console.log(`${'case'.padEnd(dw)} | value    | note`);
  console.log(`${'-'.repeat(dw)}-|----------|-----`);
  for (const r of data) console.log(`${r.case.padEnd(dw)} | ${r.value.padStart(8)} | ${r.note}`);
  if (process.argv.includes('--json'))
    fs.writeFileSync(path.join(ROOT, 'bench-results.json'), JSON.stringify({ synth: rows, data }, null, 2));
}

dataTier().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
