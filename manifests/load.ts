import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { StringDecoder } from 'string_decoder';
import { MessageChannel, Worker, receiveMessageOnPort } from 'worker_threads';
import { CORE_SCHEMA, YAMLException, load } from 'js-yaml';
import { KubeObject, Sourced } from './types';

/** A document that could not be read as a Kubernetes object, with where it is. */
export interface InputProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const MANIFEST = /\.(ya?ml|json)$/;
/** Helm values files and Helm release lists: not manifests. */
const HELM_VALUES = /(^|\.)(values|releases)\.ya?ml$/;

/**
 * Every .yaml, .yml and .json file under the paths, sorted, so reports are stable. In folders, Helm values files
 * (`values.yaml`, `*.values.yaml`) and Helm release lists (`*.releases.yaml`) are skipped: they are not manifests. A
 * missing path, or a folder without any manifest, is an error naming `input` (the flag or argument that gave the
 * paths, e.g. `--manifests`) and the path.
 */
export function manifestFiles(paths: readonly string[], input = '<paths>'): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) {
        const child = path.join(p, e);
        if (fs.statSync(child).isDirectory() || (MANIFEST.test(e) && !HELM_VALUES.test(e))) walk(child);
      }
    } else out.push(p);
  };
  const empty: string[] = [];
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new Error(`'${input}' (${JSON.stringify(p)}) is no such file or folder`);
    const before = out.length;
    walk(p);
    if (out.length === before) empty.push(p);
  }
  if (empty.length > 0)
    throw new Error(
      empty
        .map(
          (p) =>
            `'${input}' (${JSON.stringify(p)}) holds no .yaml, .yml or .json manifest (Helm values and release files are skipped); give a file or a folder of Kubernetes manifests`,
        )
        .join('\n'),
    );
  return out;
}

/** One YAML document of a stream: its text and the line (1-based) its text starts on. */
export interface RawDocument {
  readonly text: string;
  readonly line: number;
}

/** A line that starts (`---`) or ends (`...`) a document: the only lines that may do so, whatever they are inside. */
const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
const AT_MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/;
/** A line with nothing a parser reads as content: blank, a comment, or a directive (`%YAML 1.2`). */
const NOTHING = /^(?:[ \t]*(?:#.*)?|%.*)\r?$/;

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The index of the first line in text[from, to) with content (a marker line counts by what follows the marker),
 * or -1. Stops at the first such line, so a document costs a line or two, not a scan.
 */
function firstContentLine(text: string, from: number, to: number): number {
  for (let at = from, i = 0; at < to; i++) {
    const eol = text.indexOf('\n', at);
    const end = eol === -1 || eol >= to ? to : eol;
    let line = text.slice(at, end);
    if (AT_MARKER.test(line)) line = line.slice(3);
    if (!NOTHING.test(line)) return i;
    at = end + 1;
  }
  return -1;
}

/**
 * The documents of a YAML stream, split on its `---` and `...` marker lines while the file is read in blocks, so
 * no more than one block and one document are held at a time, and each document keeps its line in the file.
 * Comments and directives before a `---` stay with the document they precede; documents without content are
 * dropped. A JSON file is one document. Returns the line after the last (1 + the number of line ends read).
 */
export function* yamlDocuments(file: string, blockSize = 1 << 20, range?: ByteRange): Generator<RawDocument, number> {
  const fd = fs.openSync(file, 'r');
  let position = range?.start ?? 0;
  const end = range?.end ?? Infinity;
  try {
    const decoder = new StringDecoder('utf8');
    const block = Buffer.allocUnsafe(blockSize);
    let pending = '';
    let pendingLine = 1;
    for (let first = true; ; first = false) {
      const read = fs.readSync(fd, block, 0, Math.max(0, Math.min(blockSize, end - position)), position);
      position += read;
      const eof = read === 0;
      let text = pending + (eof ? decoder.end() : decoder.write(block.subarray(0, read)));
      if (first && position === read && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      // Only whole lines can be split: a marker must be seen with the rest of its line.
      const complete = eof ? text.length : text.lastIndexOf('\n') + 1;
      let start = 0;
      let line = pendingLine;
      const cut = function* (end: number, last: boolean): Generator<RawDocument> {
        if (firstContentLine(text, start, end) !== -1) yield { text: text.slice(start, end), line };
        else if (!last && !AT_MARKER.test(text.slice(start, start + 4))) return false; // comments before a `---`
        line += countLines(text, start, end);
        start = end;
        return true;
      };
      MARKER.lastIndex = 0;
      for (let m = MARKER.exec(text); m !== null && m.index < complete; m = MARKER.exec(text)) {
        if (m[0] === '---') yield* cut(m.index, false);
        else {
          const eol = text.indexOf('\n', m.index);
          yield* cut(eol === -1 ? text.length : eol + 1, true);
        }
        if (MARKER.lastIndex < start) MARKER.lastIndex = start;
      }
      if (eof) {
        yield* cut(text.length, true);
        return line;
      }
      pending = text.slice(start);
      pendingLine = line;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The line of the first content of a document: where its object starts. */
function contentLine(doc: RawDocument): number {
  const i = firstContentLine(doc.text, 0, doc.text.length);
  return doc.line + Math.max(i, 0);
}

/**
 * Aliases may make a document far larger than its text (a "billion laughs" alias bomb: 10 aliases of 10 aliases of
 * ... of a string). js-yaml shares aliased values instead of copying them, so the parse is cheap, but every walk of
 * the value (rules, reports) would see the expanded tree. Returns the size of that tree, counted up to a little past
 * `limit`; Infinity for an alias inside its own anchor.
 */
function expandedSize(value: unknown, limit: number): number {
  const sizes = new Map<object, number>();
  const onPath = new Set<object>();
  const size = (v: unknown): number => {
    if (typeof v !== 'object' || v === null) return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    if (onPath.has(v)) return Infinity; // an alias inside its own anchor: infinite
    onPath.add(v);
    let n = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      n += size(child);
      if (n > limit) break;
    }
    onPath.delete(v);
    sizes.set(v, n);
    return n;
  };
  return size(value);
}

/** Expanded nodes a document may have per byte of its text before it is taken for an alias bomb. */
const EXPANSION_PER_BYTE = 10;
const EXPANSION_FLOOR = 100_000;

/** Reads one document; a value, or the problem that stops it. */
function parseDocument(file: string, doc: RawDocument): { value: unknown } | InputProblem {
  let value: unknown;
  try {
    value = load(doc.text, { schema: CORE_SCHEMA, filename: file });
  } catch (e) {
    if (!(e instanceof YAMLException)) throw e;
    return { file, line: doc.line + (e.mark?.line ?? 0), message: `not valid YAML: ${(e.reason ?? e.message).split('\n')[0]}` };
  }
  // Without an anchor there can be no alias: only documents with '&' need the walk.
  if (doc.text.includes('&') && typeof value === 'object' && value !== null) {
    const limit = Math.max(EXPANSION_FLOOR, EXPANSION_PER_BYTE * doc.text.length);
    const size = expandedSize(value, limit);
    if (size > limit) {
      return {
        file,
        line: contentLine(doc),
        message:
          size === Infinity
            ? 'an alias refers to the node that holds it: the document would be endless; write the values out instead'
            : `aliases expand this document of ${doc.text.length} bytes to more than ${limit.toLocaleString('en-US')} nodes (a YAML alias bomb); write the values out instead of aliasing them`,
      };
    }
  }
  return { value };
}

/** Part of a file, in bytes: [start, end). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** What one document yields: objects with their line, and problems. */
export interface ReadDocument {
  readonly objects: { readonly object: KubeObject; readonly line: number }[];
  readonly problems: InputProblem[];
}

/** Parses one document and sorts what it holds into Kubernetes objects and problems. */
export function readDocument(file: string, doc: RawDocument): ReadDocument {
  const parsed = parseDocument(file, doc);
  if (!('value' in parsed)) return { objects: [], problems: [parsed] };
  const value = parsed.value as { kind?: unknown; items?: unknown } | null | undefined;
  if (value === null || value === undefined) return { objects: [], problems: [] };
  const line = contentLine(doc);
  const out: ReadDocument = { objects: [], problems: [] };
  const list = value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
  for (const o of list) {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      out.problems.push({
        file,
        line,
        message: `a document of type ${Array.isArray(o) ? 'array' : o === null ? 'null' : typeof o}, not a Kubernetes object`,
      });
    } else if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string' || typeof o.metadata?.name !== 'string') {
      out.problems.push({
        file,
        line,
        message: `an object without ${['apiVersion', 'kind', 'metadata.name'].filter((k) => (k === 'metadata.name' ? typeof o.metadata?.name !== 'string' : typeof o[k] !== 'string')).join(', ')}`,
      });
    } else {
      out.objects.push({ object: o as KubeObject, line });
    }
  }
  return out;
}

/** How loadManifests reads. */
export interface LoadOptions {
  /**
   * Worker threads a large file is split over (each parses a byte range of it).
   * @default the machine's available parallelism, at most 4
   */
  readonly threads?: number;
  /**
   * Files at least this large are read by worker threads; smaller ones in this thread.
   * @default 8 MiB
   */
  readonly parallelBytes?: number;
}

/**
 * Reads Kubernetes objects from YAML (multi-document) or JSON files, one document at a time; what is not an object
 * becomes a problem with its file and line, and so does a file without any object. Large files are split at
 * document markers over worker threads, which hand back their objects as JSON: the same objects in the same
 * order, without the source text that parsed strings would otherwise keep alive.
 */
export function loadManifests(files: readonly string[], options: LoadOptions = {}): { items: Sourced[]; problems: InputProblem[] } {
  const items: Sourced[] = [];
  const problems: InputProblem[] = [];
  const threads = Math.max(1, Math.floor(options.threads ?? Math.min(4, availableParallelism())));
  for (const file of files) {
    const before = items.length + problems.length;
    const size = fs.statSync(file).size;
    const ranges = threads > 1 && size >= (options.parallelBytes ?? 8 << 20) ? splitAtDocuments(file, size, threads) : [];
    if (ranges.length > 1) {
      const read = readInWorkers(file, ranges);
      for (const o of read.objects) items.push({ object: o.object, source: { file, line: o.line } });
      problems.push(...read.problems);
    } else {
      for (const doc of yamlDocuments(file)) {
        const read = readDocument(file, doc);
        for (const o of read.objects) items.push({ object: o.object, source: { file, line: o.line } });
        problems.push(...read.problems);
      }
    }
    if (items.length + problems.length === before)
      problems.push({
        file,
        line: 1,
        message: `holds no Kubernetes object (the file is empty or only comments); give a manifest with at least one object`,
      });
  }
  return { items, problems };
}

function availableParallelism(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Byte ranges of about equal size that each start on a `---` line (not one after a directive), so each is a
 * stream of whole documents. Fewer ranges when the file has fewer markers.
 */
export function splitAtDocuments(file: string, size: number, parts: number): ByteRange[] {
  const fd = fs.openSync(file, 'r');
  try {
    const cuts = [0];
    const window = Buffer.allocUnsafe(64 << 10);
    for (let i = 1; i < parts; i++) {
      let from = Math.max(Math.floor((size * i) / parts), cuts[cuts.length - 1] + 1);
      let cut: number | undefined;
      while (cut === undefined && from < size) {
        const read = fs.readSync(fd, window, 0, window.length, from - 1);
        const text = window.subarray(0, read);
        for (let at = text.indexOf('\n---'); at !== -1; at = text.indexOf('\n---', at + 1)) {
          const after = text[at + 4];
          if (at + 4 < read && after !== 0x20 && after !== 0x09 && after !== 0x0d && after !== 0x0a) continue;
          if (at + 4 >= read && from - 1 + read < size) break; // the line goes on past the window
          const lineStart = text.lastIndexOf('\n', at - 1) + 1;
          if (lineStart > 0 && text[lineStart] === 0x25 /* % */) continue;
          cut = from - 1 + at + 1;
          break;
        }
        if (cut === undefined) from += Math.max(1, read - 8);
      }
      if (cut === undefined || cut >= size) break;
      cuts.push(cut);
    }
    return cuts.map((start, i) => ({ start, end: cuts[i + 1] ?? size }));
  } finally {
    fs.closeSync(fd);
  }
}

/** Messages a reading worker sends: batches of documents as JSON text, then its line count, or an error. */
export type WorkerMessage = { batch: string } | { done: true; lines: number } | { error: string };

/**
 * Reads byte ranges of a file in worker threads and waits for them synchronously (the callers are synchronous
 * CLIs): each worker posts batches on its own port and bumps a shared counter, on which this thread sleeps.
 */
function readInWorkers(
  file: string,
  ranges: readonly ByteRange[],
): { objects: { object: KubeObject; line: number }[]; problems: InputProblem[] } {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const script = path.join(__dirname, `load-worker${path.extname(__filename)}`);
  // From source (tsx, jest), the worker needs a TypeScript loader; compiled, it is plain JavaScript. Never the
  // parent's flags: an ESM loader (`--import tsx`) would answer the worker through this thread, which is waiting.
  const execArgv = path.extname(__filename) === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [];
  const readers = ranges.map((range) => {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(script, {
      workerData: { file, range, signal, port: port2 },
      transferList: [port2],
      execArgv,
      // A worker holds one block and one batch: small heaps keep the process's peak memory down (measured at
      // 100,000 objects: 535 MB without limits, 475 MB with them, for about 15% more CPU time in the workers).
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    });
    worker.unref();
    return { port: port1, done: false, lines: 0, objects: [] as { object: KubeObject; line: number }[], problems: [] as InputProblem[] };
  });
  try {
    for (let open = readers.length; open > 0;) {
      const seen = Atomics.load(signal, 0);
      let got = false;
      for (const r of readers) {
        if (r.done) continue;
        for (let m = receiveMessageOnPort(r.port); m !== undefined; m = r.done ? undefined : receiveMessageOnPort(r.port)) {
          got = true;
          const message = m.message as WorkerMessage;
          if ('error' in message) throw new Error(`${file}: reading failed in a worker thread: ${message.error}`);
          if ('done' in message) {
            r.done = true;
            r.lines = message.lines;
            open--;
          } else {
            const batch = JSON.parse(message.batch) as ReadDocument;
            for (const o of batch.objects) r.objects.push(o);
            for (const p of batch.problems) r.problems.push(p);
          }
        }
      }
      if (!got && open > 0 && Atomics.wait(signal, 0, seen, 120_000) === 'timed-out')
        throw new Error(`${file}: a worker thread reading it stopped answering`);
    }
  } finally {
    for (const r of readers) r.port.close();
  }
  // Lines are counted from each range's start: shift them by the lines of the ranges before.
  const objects: { object: KubeObject; line: number }[] = [];
  const problems: InputProblem[] = [];
  let offset = 0;
  for (const r of readers) {
    for (const o of r.objects) objects.push({ object: o.object, line: o.line + offset });
    for (const p of r.problems) problems.push({ ...p, line: p.line + offset });
    offset += r.lines;
  }
  return { objects, problems };
}

/** The body of a reading worker: documents of one byte range, posted in batches of JSON text. */
export function readRange(file: string, range: ByteRange, post: (m: WorkerMessage) => void, batchSize = 256): void {
  let batch: ReadDocument = { objects: [], problems: [] };
  let docs = 0;
  const flush = () => {
    if (batch.objects.length + batch.problems.length > 0) post({ batch: JSON.stringify(batch) });
    batch = { objects: [], problems: [] };
    docs = 0;
  };
  const docs$ = yamlDocuments(file, 1 << 20, range);
  for (let next = docs$.next(); ; next = docs$.next()) {
    if (next.done) {
      flush();
      post({ done: true, lines: next.value - 1 });
      return;
    }
    const read = readDocument(file, next.value);
    for (const o of read.objects) batch.objects.push(o);
    for (const p of read.problems) batch.problems.push(p);
    if (++docs >= batchSize) flush();
  }
}
