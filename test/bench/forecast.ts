/**
 * Forecast of one service from a month of per-minute history (DESIGN.md target: under 2 s): reading the CSV and
 * the floors `npm run forecast` publishes (fitted, then checked on the weeks before), in process, and the compiled
 * CLI end to end as `npm run forecast` runs it; and every `perfstack` command's start-up to its `--help` (target 0.5 s).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { safeFloors } from '../../planning/forecast/do-no-harm';
import { historyText, parseHistory } from '../../planning/shared/history';

const ROOT = path.resolve(__dirname, '../..');
const TRACE = path.join(ROOT, 'planning/fixtures/traces/nasa-http-1995-07-per-minute.csv.gz');
const UNTIL = '1995-07-28T00:00-04:00';

/** Median milliseconds: [parse + forecast in process, CLI end to end]. */
export function forecastMonth(runs: number, median: (xs: number[]) => number): [number, number] {
  const bytes = fs.readFileSync(TRACE);
  const inProcess: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const history = parseHistory(historyText(bytes, TRACE), TRACE);
    safeFloors(history, { until: Date.parse(UNTIL), perReplica: 15, target: 0.7, min: 2, max: 20 });
    if (i > 0) inProcess.push(performance.now() - t0);
  }
  const cli: number[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [
      path.join(ROOT, 'cli/perfstack.js'),
      'forecast',
      ...['--history', TRACE, '--until', UNTIL, '--per-replica', '15', '--target', '0.7', '--min', '2', '--max', '20', '--format', 'json'],
    ]);
    if (r.status !== 0) throw new Error(`forecast CLI failed: ${r.stderr}`);
    cli.push(performance.now() - t0);
  }
  return [median(inProcess), median(cli)];
}

/** Every command of `perfstack` (cli/perfstack.js), which the npm scripts of the same names run. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const COMMANDS = Object.keys((require('../../cli/perfstack.js') as { COMMANDS: Record<string, unknown> }).COMMANDS);

/** Median wall milliseconds from process start to `--help` printed, per CLI, and of `node -e 0` (the floor). */
export function helpStartup(runs: number, median: (xs: number[]) => number): { cli: string; ms: number }[] {
  const time = (args: string[]) =>
    median(
      Array.from({ length: runs }, () => {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, args, { cwd: ROOT });
        if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
        return performance.now() - t0;
      }),
    );
  return [
    ...COMMANDS.map((cli) => ({ cli, ms: time([path.join(ROOT, 'cli/perfstack.js'), cli, '--help']) })),
    { cli: 'node -e 0', ms: time(['-e', '0']) },
  ];
}
