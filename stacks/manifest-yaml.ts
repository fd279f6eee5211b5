/**
 * Manifests as YAML: the one writer synth uses, in this thread or on a second one.
 *
 * This module loads nothing but js-yaml, Node's own modules and the worker pool, so a thread starts it in milliseconds.
 */
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { DEFAULT_SCHEMA, Type, dump } from 'js-yaml';
import { SyncWorkers, WorkerFailure, replyToPool } from '../manifests/sync-workers';

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
type Reply = { readonly yaml: string };

/**
 * {@link manifestYaml} on a worker thread, so that a large environment's YAML is written on the second core while
 * this one builds and resolves the next charts (at 1000 services the YAML is a third of the render). Charts go in
 * with {@link write} as they come; {@link results} waits for all of them, so callers stay synchronous. Same
 * function, same bytes: test/stacks/manifest-yaml.test.ts compares the two. The thread is a one-worker pool of
 * manifests/sync-workers.ts, the manifest reader's.
 */
export class ManifestYamlThread {
  private readonly thread = new SyncWorkers(__filename, [{ manifestYamlThread: true }], { task: 'writing manifests as YAML' });
  private sent = 0;

  /** Queues one chart's objects; they are copied, so the caller may drop them at once. */
  public write(objects: readonly unknown[]): void {
    // A JSON string crosses threads faster than the objects themselves (structured clone), and parses back faster.
    this.thread.post(0, JSON.stringify(objects, finiteNumbers));
    this.sent += 1;
  }

  /** The YAML of every chart written so far, in order. Blocks until the thread has written them all. */
  public results(): string[] {
    const out: string[] = [];
    while (out.length < this.sent) for (const { message } of this.thread.receive(STALL_MS)) out.push((message as Reply).yaml);
    this.sent = 0;
    return out;
  }

  /** Stops the thread; pending charts are dropped. */
  public close(): void {
    this.thread.close();
  }
}

/**
 * One chart takes milliseconds; a thread silent this long is gone without a word (out of memory, killed; anything
 * it could report, it reports).
 */
const STALL_MS = 15_000;

if (!isMainThread && (workerData as { manifestYamlThread?: boolean } | null)?.manifestYamlThread) {
  parentPort!.on('message', (json: string) => {
    // Parsed JSON is JSON data already: asJson would change nothing (and costs a call per value). A chart that
    // cannot be written is the caller's error; the thread goes on with the next.
    let reply: Reply | WorkerFailure;
    try {
      reply = { yaml: yamlStream(JSON.parse(json) as unknown[]) };
    } catch (e) {
      reply = { error: e instanceof Error ? e.message : String(e) };
    }
    replyToPool!(reply);
  });
}
