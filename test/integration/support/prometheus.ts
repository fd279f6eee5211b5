/** A real Prometheus on a loopback port over a TSDB folder the suite made (e.g. with promtool's backfill). */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { freePort } from './ports';

export interface RunningPrometheus {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts `prometheus` on `work/tsdb` with an empty config and waits until it is ready.
 * @param extraArgs further flags, e.g. a larger `--query.max-samples` for queries over weeks of per-minute series
 */
export async function startPrometheus(
  prometheus: string,
  work: string,
  retention = '30d',
  extraArgs: readonly string[] = [],
): Promise<RunningPrometheus> {
  fs.writeFileSync(path.join(work, 'prometheus.yml'), 'global: {}\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    prometheus,
    [
      `--config.file=${work}/prometheus.yml`,
      `--storage.tsdb.path=${work}/tsdb`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.retention.time=${retention}`,
      ...extraArgs,
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      execFileSync('curl', ['-fsS', `${url}/-/ready`], { stdio: 'pipe' });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error('prometheus did not become ready');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
