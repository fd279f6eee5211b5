/**
 * Manifests as YAML: the one writer synth uses, in this thread or on a second one.
 *
 * This module loads nothing but js-yaml and Node's own modules, so a worker thread starts it in milliseconds.
 */
import { MessageChannel, MessagePort, Worker, isMainThread, parentPort, receiveMessageOnPort, workerData } from 'worker_threads';
import { DEFAULT_SCHEMA, Type, dump } from 'js-yaml';

/**
 * A chart's objects as a multi-document YAML stream. js-yaml's dump, 8-12x faster than cdk8s's Yaml.stringify (the
 * yaml package) on these objects (issue 19). Kept safe for the YAML 1.1 readers that kubectl and the API server
 * use: the default schema quotes every string a reader could take for a number, a timestamp or a YAML 1.1
 * boolean (compatibility mode), no anchors for shared values, no line folding, double quotes as before.
 * test/stacks/manifest-yaml.test.ts reads every environment back with YAML 1.1 and 1.2 parsers.
 */
export function manifestYaml(objects: readonly unknown[]): string {
  return yamlStream(objects, asJson);
}

function yamlStream(objects: readonly unknown[], replacer?: (key: string, value: unknown) => unknown): string {
  return objects.map((o) => dump(o, { schema: DUMP_SCHEMA, noRefs: true, lineWidth: -1, quotingType: '"', replacer })).join('---\n');
}

/**
 * Manifests are JSON data, as the API server reads them: values go out as JSON.stringify would send them (`-0` as
 * 0, a Date by its toJSON), and a number JSON cannot hold (NaN, Infinity) is refused, never written as `.nan` or
 * null. The same on a second thread, whose input crosses as JSON text (see {@link ManifestYamlThread.write}).
 */
function asJson(key: string, value: unknown): unknown {
  if (typeof value === 'number') return finite(key, value) === 0 ? 0 : value;
  const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
  return typeof toJSON === 'function' ? (toJSON as (k: string) => unknown).call(value, key) : value;
}

function finite(key: string, value: number): number {
  if (!Number.isFinite(value)) throw new Error(`'${key}' is ${value}: a manifest holds JSON numbers only (a bug upstream)`);
  return value;
}

/** JSON.stringify's replacer on the way to the thread: JSON would turn NaN and Infinity into null unnoticed. */
const finiteNumbers = (key: string, value: unknown): unknown => (typeof value === 'number' ? finite(key, value) : value);

/**
 * Numbers only YAML 1.1 reads as numbers (`1_000`, `0b1_0`, `017`, base 60 `1:20`): js-yaml's 1.2 schema would write
 * such strings plain. Dumping tests a string against every implicit type, so this one makes them quoted; it is
 * never used to read.
 */
const YAML11_NUMBER_PATTERN =
  /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[0-9][0-9_]*|[1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?)$/;
const YAML11_NUMBER = new Type('tag:perfstack.io,2026:yaml-1.1-number', {
  kind: 'scalar',
  // Every string of a manifest goes through here: only one that starts as a number can be one (5% of the dump).
  resolve: (s: string) => {
    const c = s.charCodeAt(0);
    return (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e ? YAML11_NUMBER_PATTERN.test(s) : false;
  },
  construct: (s: string) => s,
});
const DUMP_SCHEMA = DEFAULT_SCHEMA.extend({ implicit: [YAML11_NUMBER] });

/** What the thread answers for each chart, in the order they were sent. */
type Reply = { readonly yaml: string } | { readonly error: string };

/**
 * {@link manifestYaml} on a worker thread, so that a large environment's YAML is written on the second core while
 * this one builds and resolves the next charts (at 1000 services the YAML is a third of the render). Charts go in
 * with {@link write} as they come; {@link results} waits for all of them, so callers stay synchronous. Same
 * function, same bytes: test/stacks/manifest-yaml.test.ts compares the two.
 */
export class ManifestYamlThread {
  private readonly worker: Worker;
  private readonly replies: MessagePort;
  /** Replies the thread has posted: it bumps this after each, so an empty port is waited on, never spun on. */
  private readonly posted = new Int32Array(new SharedArrayBuffer(4));
  private sent = 0;

  public constructor() {
    const { port1, port2 } = new MessageChannel();
    this.replies = port1;
    this.worker = new Worker(threadSource(__filename), {
      eval: true,
      // Never the parent's flags (as manifests/load.ts): an ESM loader (`--import tsx`) would run its hooks for the
      // thread too, through this thread, which may be waiting in results(). The source loads tsx itself if needed.
      execArgv: [],
      workerData: { replies: port2, posted: this.posted.buffer },
      transferList: [port2],
    });
    this.worker.unref(); // a render that throws must not keep the process alive
  }

  /** Queues one chart's objects; they are copied, so the caller may drop them at once. */
  public write(objects: readonly unknown[]): void {
    // A JSON string crosses threads faster than the objects themselves (structured clone), and parses back faster.
    this.worker.postMessage(JSON.stringify(objects, finiteNumbers));
    this.sent += 1;
  }

  /** The YAML of every chart written so far, in order. Blocks until the thread has written them all. */
  public results(): string[] {
    const out: string[] = [];
    while (out.length < this.sent) {
      const seen = Atomics.load(this.posted, 0);
      const received = receiveMessageOnPort(this.replies);
      if (received) {
        const reply = received.message as Reply;
        if ('error' in reply) throw new Error(`writing manifests as YAML failed: ${reply.error}`);
        out.push(reply.yaml);
      } else if (Atomics.wait(this.posted, 0, seen, STALL_MS) === 'timed-out') {
        throw new Error(`the YAML thread wrote nothing for ${STALL_MS / 1000} s (${out.length} of ${this.sent} charts done)`);
      }
    }
    this.sent = 0;
    return out;
  }

  /** Stops the thread; pending charts are dropped. */
  public close(): void {
    void this.worker.terminate();
    this.replies.close();
  }
}

/**
 * The thread loads this same module: compiled, as is; from the TypeScript sources (tests, tsx) after tsx's loader,
 * which a worker started under Jest does not inherit. A module that fails to load answers with the error, not silence.
 */
function threadSource(file: string): string {
  // tsx by its own path: the eval'd source resolves bare names from the working directory, not from here.
  const load = `${file.endsWith('.ts') ? `require(${JSON.stringify(require.resolve('tsx/cjs'))});` : ''} require(${JSON.stringify(file)});`;
  return `const fail = (what, e) => {
    const { workerData } = require('worker_threads');
    workerData.replies.postMessage({ error: what + ': ' + ((e && e.message) || e) });
    const posted = new Int32Array(workerData.posted);
    Atomics.add(posted, 0, 1);
    Atomics.notify(posted, 0);
  };
  // A thread that dies answers, so the waiting render fails at once instead of after STALL_MS.
  process.on('uncaughtException', (e) => { fail('the YAML thread failed', e); process.exit(1); });
  try { ${load} } catch (e) { fail('the YAML thread could not start', e); }`;
}

/**
 * One chart takes milliseconds; a thread silent this long is gone without a word (out of memory, killed; anything
 * it could report, it reports).
 */
const STALL_MS = 15_000;

if (!isMainThread && workerData?.replies instanceof MessagePort) {
  const replies = workerData.replies as MessagePort;
  const posted = new Int32Array(workerData.posted as SharedArrayBuffer);
  parentPort!.on('message', (json: string) => {
    let reply: Reply;
    try {
      // Parsed JSON is JSON data already: asJson would change nothing (and costs a call per value).
      reply = { yaml: yamlStream(JSON.parse(json) as unknown[]) };
    } catch (e) {
      reply = { error: e instanceof Error ? e.message : String(e) };
    }
    replies.postMessage(reply);
    Atomics.add(posted, 0, 1);
    Atomics.notify(posted, 0);
  });
}
