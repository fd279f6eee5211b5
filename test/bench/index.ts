/**
 * `npm run bench`: medians over several runs, as a table. Benchmarks, not tests: nothing here fails on a number.
 * Targets (DESIGN.md): `npm run synth` of every environment in at most 0.8 s wall, or at most 1.5x the compiled floor
 * measured in the same run; cost linear in services.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { ENVIRONMENTS } from '../../stacks/environments';
import { renderEnvironment } from '../../stacks/synth';
import { capacityPlanning } from './capacity';
import { forecastMonth, helpStartup } from './forecast';
import { generated, renderAtScale } from './generated';
import { pgbouncerThroughput, redisFailover } from './data-tier';
import { policyBench } from './policy';

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

interface Row {
  readonly case: string;
  readonly medianMs: number;
  /** `min-max` of the samples, where the spread matters (wall times of new processes). */
  readonly range?: string;
  readonly note: string;
}

interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Runs each function once to warm up, then `runs` rounds of all of them in turn; stats per function. */
function sampleAlternately(fns: readonly (() => void)[], runs: number): Stats[] {
  fns.forEach((fn) => fn());
  const samples: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++)
    fns.forEach((fn, j) => {
      const t0 = performance.now();
      fn();
      samples[j].push(performance.now() - t0);
    });
  return samples.map((xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) }));
}

const rangeOf = (s: Stats) => `${s.min.toFixed(0)}-${s.max.toFixed(0)}`;

const rows: Row[] = [];

// Wall time of the real command, process start included, as a user or CI sees it: `npm run synth` end to end (npm,
// cli/launch.js's up-to-date check, the compiled app) against the compiled floor (node on lib/stacks/synth-cli.js alone),
// sampled alternately in the same run so that load on a shared machine weighs on both alike.
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-bench-'));
const run = (what: string, command: string, args: string[]) => () => {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr}`);
};
const npmCli = process.env.npm_execpath;
const npmSynth = npmCli
  ? run('npm run synth', process.execPath, [npmCli, 'run', '-s', 'synth', '--', '--out', path.join(out, 'npm')])
  : run('npm run synth', 'npm', ['run', '-s', 'synth', '--', '--out', path.join(out, 'npm')]);
const floor = run('node lib/stacks/synth-cli.js', process.execPath, [
  path.join(ROOT, 'lib/stacks/synth-cli.js'),
  '--out',
  path.join(out, 'floor'),
]);
const [npmStats, floorStats] = sampleAlternately([npmSynth, floor], Math.min(RUNS, 7));
const ratio = npmStats.median / floorStats.median;
rows.push({
  case: `npm run synth, all ${Object.keys(ENVIRONMENTS).length} environments (wall, new process)`,
  medianMs: npmStats.median,
  range: rangeOf(npmStats),
  note: `${ratio.toFixed(2)}x the compiled floor; target <= 800 ms or <= 1.5x: ${npmStats.median <= 800 || ratio <= 1.5 ? 'met' : 'MISSED'}`,
});
rows.push({
  case: 'compiled floor: node lib/stacks/synth-cli.js (wall, new process)',
  medianMs: floorStats.median,
  range: rangeOf(floorStats),
  note: 'no npm, no type-check',
});
fs.rmSync(out, { recursive: true, force: true });

const allMs = time(() => Object.values(ENVIRONMENTS).forEach((e) => renderEnvironment(e)));
rows.push({ case: 'render all environments (in process)', medianMs: allMs, note: '' });

const g20 = time(() => renderEnvironment(generated(20)));
const g200 = time(() => renderEnvironment(generated(200)), Math.max(3, Math.floor(RUNS / 2)));
rows.push({ case: 'render generated environment, 20 services', medianMs: g20, note: `${(g20 / 20).toFixed(2)} ms/service` });
rows.push({
  case: 'render generated environment, 200 services',
  medianMs: g200,
  note: `${(g200 / 200).toFixed(2)} ms/service; 200/20 ratio ${(g200 / g20).toFixed(1)} (10.0 = linear)`,
});
const g1000 = renderAtScale(1000, Math.max(3, Math.floor(RUNS / 2)));
rows.push({
  case: 'render generated environment, 1000 services (one per new process)',
  medianMs: g1000.medianMs,
  range: `${Math.min(...g1000.samplesMs).toFixed(0)}-${Math.max(...g1000.samplesMs).toFixed(0)}`,
  note:
    `peak RSS ${g1000.maxRssMb.toFixed(0)} MB; target <= 2 s and < 400 MB: ` +
    (g1000.medianMs <= 2000 && g1000.maxRssMb < 400 ? 'met' : 'MISSED'),
});

// Policy: the rules in process, the CLI end to end against its parse-only floor (test/bench/policy.ts).
const policyRows = policyBench(Math.min(RUNS, 5));

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
const starts = helpStartup(RUNS, median);
const nodeFloor = starts.find((x) => x.cli === 'node -e 0')!.ms;
for (const { cli, ms } of starts)
  rows.push({
    case: `${cli === 'node -e 0' ? 'node -e 0 (start-up floor)' : `${cli} --help`}, new process`,
    medianMs: ms,
    note: cli === 'node -e 0' ? '' : `${(ms / nodeFloor).toFixed(1)}x the floor; target < 500 ms: ${ms < 500 ? 'met' : 'MISSED'}`,
  });

const w = Math.max(...rows.map((r) => r.case.length));
console.log(`perfstack bench: median of ${RUNS} runs, node ${process.version}, ${os.cpus().length} cores\n`);
console.log(`${'case'.padEnd(w)} | median ms (min-max) | note`);
console.log(`${'-'.repeat(w)}-|---------------------|-----`);
for (const r of rows) {
  const value = `${r.medianMs.toFixed(1)}${r.range ? ` (${r.range})` : ''}`;
  console.log(`${r.case.padEnd(w)} | ${value.padStart(19)} | ${r.note}`);
}

console.log('\npolicy, on perfstack objects in one namespace: median (min-max)\n');
const pw = Math.max(...policyRows.map((r) => r.case.length));
const pv = Math.max(...policyRows.map((r) => r.value.length));
console.log(`${'case'.padEnd(pw)} | ${'median (min-max)'.padEnd(pv)} | note`);
console.log(`${'-'.repeat(pw)}-|-${'-'.repeat(pv)}-|-----`);
for (const r of policyRows) console.log(`${r.case.padEnd(pw)} | ${r.value.padEnd(pv)} | ${r.note}`);

async function dataTier(): Promise<void> {
  if (process.argv.includes('--synth-only')) return;
  console.log('\ndata tier, on the real programs with the synthesized prod configuration:\n');
  const data = [...(await redisFailover()), ...(await pgbouncerThroughput())];
  const dw = Math.max(...data.map((r) => r.case.length));
  console.log(`${'case'.padEnd(dw)} | value    | note`);
  console.log(`${'-'.repeat(dw)}-|----------|-----`);
  for (const r of data) console.log(`${r.case.padEnd(dw)} | ${r.value.padStart(8)} | ${r.note}`);
  if (process.argv.includes('--json'))
    fs.writeFileSync(path.join(ROOT, 'bench-results.json'), JSON.stringify({ synth: rows, policy: policyRows, data }, null, 2));
}

dataTier().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
