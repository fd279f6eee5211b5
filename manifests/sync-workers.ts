/**
 * Worker threads that a synchronous caller waits on: the one pool behind the manifest reader (a large file split
 * over several threads) and the YAML writer (charts written on a second core while synth renders the next ones).
 *
 * The callers are synchronous CLIs, so replies cannot arrive as events: each worker posts on its own port and bumps
 * a counter the pool shares, on which the caller sleeps (`Atomics.wait`) until some worker has something.
 */
import { MessageChannel, MessagePort, ResourceLimits, Worker, isMainThread, receiveMessageOnPort, workerData } from 'worker_threads';

/** What a worker answers when it fails: the pool turns it into an exception in the caller. */
export interface WorkerFailure {
  readonly error: string;
}

/** The key under which a pool's worker finds its channel in `workerData`. */
const CHANNEL = '__perfstackSyncChannel';

interface Channel {
  readonly port: MessagePort;
  readonly posted: SharedArrayBuffer;
}

/** How a pool starts its workers. */
export interface SyncWorkersOptions {
  /** V8 heap limits per worker. @default - Node's defaults */
  readonly resourceLimits?: ResourceLimits;
  /**
   * What the caller tells in errors: "reading x.yaml", "writing manifests as YAML".
   * @default 'a worker thread'
   */
  readonly task?: string;
}

/** One worker's reply, with the index of the worker that sent it. */
export interface Reply {
  readonly worker: number;
  readonly message: unknown;
}

/**
 * Starts one worker thread per entry of `data`, each running `file` with that entry as its `workerData` (plus its
 * channel). Compiled, the file is plain JavaScript; from the TypeScript sources (jest, tsx) the worker loads tsx's
 * CommonJS hook first. Never the parent's flags: an ESM loader (`--import tsx`) would answer the worker through
 * this thread, which may be waiting. A worker whose module fails to load, or that throws, answers with the error
 * at once rather than leaving the caller to time out.
 */
export class SyncWorkers {
  private readonly workers: Worker[];
  private readonly ports: MessagePort[];
  private readonly posted = new Int32Array(new SharedArrayBuffer(4));
  private readonly task: string;

  public constructor(file: string, data: readonly Record<string, unknown>[], options: SyncWorkersOptions = {}) {
    this.task = options.task ?? 'a worker thread';
    this.ports = [];
    this.workers = data.map((entry) => {
      const { port1, port2 } = new MessageChannel();
      this.ports.push(port1);
      const channel: Channel = { port: port2, posted: this.posted.buffer as SharedArrayBuffer };
      const worker = new Worker(bootstrap(file), {
        eval: true,
        execArgv: [],
        workerData: { ...entry, [CHANNEL]: channel },
        transferList: [port2],
        resourceLimits: options.resourceLimits,
      });
      worker.unref(); // a caller that throws must not be kept alive by its workers
      return worker;
    });
  }

  /** Sends a message to one worker (its `parentPort`). */
  public post(worker: number, message: unknown): void {
    this.workers[worker].postMessage(message);
  }

  /**
   * Every reply that has arrived, from any worker, in arrival order per worker; when none has, sleeps until one
   * does. Throws a worker's failure, or when no worker answers for `stallMs`.
   */
  public receive(stallMs: number, from: readonly number[] = this.ports.map((_, i) => i)): Reply[] {
    for (;;) {
      const seen = Atomics.load(this.posted, 0);
      const out: Reply[] = [];
      for (const i of from) {
        for (let m = receiveMessageOnPort(this.ports[i]); m !== undefined; m = receiveMessageOnPort(this.ports[i])) {
          const failure = m.message as Partial<WorkerFailure> | null;
          if (typeof failure === 'object' && failure !== null && typeof failure.error === 'string')
            throw new Error(`${this.task} failed: ${failure.error}`);
          out.push({ worker: i, message: m.message });
        }
      }
      if (out.length > 0) return out;
      if (Atomics.wait(this.posted, 0, seen, stallMs) === 'timed-out')
        throw new Error(`${this.task}: no answer for ${stallMs / 1000} s (a worker thread stopped)`);
    }
  }

  /** Stops every worker; replies not yet received are dropped. */
  public close(): void {
    for (const w of this.workers) void w.terminate();
    for (const p of this.ports) p.close();
  }
}

/**
 * In a worker of a {@link SyncWorkers} pool: sends a reply the caller can wait for synchronously. Undefined outside
 * such a worker.
 */
export const replyToPool: ((message: unknown) => void) | undefined = (() => {
  const channel = (isMainThread ? undefined : (workerData as Record<string, unknown> | null)?.[CHANNEL]) as Channel | undefined;
  if (!channel) return undefined;
  const posted = new Int32Array(channel.posted);
  return (message: unknown) => {
    channel.port.postMessage(message);
    Atomics.add(posted, 0, 1);
    Atomics.notify(posted, 0);
  };
})();

/** The source every worker starts from: a failure anywhere, even loading the module, is answered, not lost. */
function bootstrap(file: string): string {
  // tsx by its own path: eval'd source resolves bare names from the working directory, not from here.
  const load = `${file.endsWith('.ts') ? `require(${JSON.stringify(require.resolve('tsx/cjs'))});` : ''} require(${JSON.stringify(file)});`;
  return `const fail = (what, e) => {
    const channel = require('worker_threads').workerData[${JSON.stringify(CHANNEL)}];
    channel.port.postMessage({ error: what + ': ' + ((e && e.message) || e) });
    const posted = new Int32Array(channel.posted);
    Atomics.add(posted, 0, 1);
    Atomics.notify(posted, 0);
  };
  process.on('uncaughtException', (e) => { fail('the worker thread failed', e); process.exit(1); });
  try { ${load} } catch (e) { fail('the worker thread could not start', e); }`;
}
