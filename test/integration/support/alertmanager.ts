/** A real Alertmanager on a loopback port, for suites that post alerts and read what it routes, inhibits or delivers. */
import { ChildProcess, spawn } from 'child_process';
import { freePort } from './ports';

export interface RunningAlertmanager {
  readonly url: string;
  /** Resolves once the process has exited, so the caller may remove `--storage.path` (it writes there until then). */
  stop(): Promise<void>;
}

/** Starts `alertmanager` with `configFile`, keeping its state under `storage`, and waits until it is ready. */
export async function startAlertmanager(alertmanager: string, configFile: string, storage: string): Promise<RunningAlertmanager> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    alertmanager,
    [`--config.file=${configFile}`, `--storage.path=${storage}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    { stdio: 'ignore' },
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('alertmanager did not become ready');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop };
}
