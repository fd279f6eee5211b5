/**
 * Forecast of one service from a month of per-minute history (DESIGN.md target: under 2 s): reading the CSV and
 * fitting the floors, in process, and the CLI end to end (process start and tsx included).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { forecastFloors } from '../../planning/forecast';
import { historyText, parseHistory } from '../../planning/history';

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
    forecastFloors(history, { until: Date.parse(UNTIL), perReplica: 15, target: 0.7, min: 2, max: 20 });
    if (i > 0) inProcess.push(performance.now() - t0);
  }
  const cli: number[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      path.join(ROOT, 'planning/forecast-cli.ts'),
      ...['--history', TRACE, '--until', UNTIL, '--per-replica', '15', '--target', '0.7', '--min', '2', '--max', '20', '--format', 'json'],
    ]);
    if (r.status !== 0) throw new Error(`forecast CLI failed: ${r.stderr}`);
    cli.push(performance.now() - t0);
  }
  return [median(inProcess), median(cli)];
}
