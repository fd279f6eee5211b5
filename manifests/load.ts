/**
 * The manifest reader: Kubernetes objects from YAML (multi-document) or JSON files, each with its file and line,
 * and every problem with where it is. Large files are read over worker threads (the pool of ./sync-workers.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputProblem, ReadDocument, readDocument } from './documents';
import { SyncWorkers } from './sync-workers';
import { KubeObject, Sourced } from './types';
import { ByteRange, splitAtDocuments, yamlDocuments } from './yaml-stream';

export { InputProblem, ReadDocument, readDocument } from './documents';
export { manifestFiles } from './manifest-files';
export { ByteRange, RawDocument, splitAtDocuments, yamlDocuments } from './yaml-stream';

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

/** Messages a reading worker sends: batches of documents as JSON text, then its line count. */
export type WorkerMessage = { batch: string } | { done: true; lines: number };

/** A reading worker gets this long between batches: a range of a large file takes seconds, never minutes. */
const READER_STALL_MS = 120_000;

/** Reads byte ranges of a file in worker threads and waits for them synchronously (the callers are synchronous CLIs). */
function readInWorkers(
  file: string,
  ranges: readonly ByteRange[],
): { objects: { object: KubeObject; line: number }[]; problems: InputProblem[] } {
  const script = path.join(__dirname, `load-worker${path.extname(__filename)}`);
  const pool = new SyncWorkers(
    script,
    ranges.map((range) => ({ file, range })),
    // A worker holds one block and one batch: small heaps keep the process's peak memory down (measured at
    // 100,000 objects: 535 MB without limits, 475 MB with them, for about 15% more CPU time in the workers).
    { resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 }, task: `${file}: reading in a worker thread` },
  );
  const readers = ranges.map(() => ({
    done: false,
    lines: 0,
    objects: [] as { object: KubeObject; line: number }[],
    problems: [] as InputProblem[],
  }));
  try {
    for (let open = readers.length; open > 0;) {
      for (const { worker, message } of pool.receive(
        READER_STALL_MS,
        readers.flatMap((r, i) => (r.done ? [] : [i])),
      )) {
        const r = readers[worker];
        const m = message as WorkerMessage;
        if ('done' in m) {
          r.done = true;
          r.lines = m.lines;
          open--;
        } else {
          const batch = JSON.parse(m.batch) as ReadDocument;
          for (const o of batch.objects) r.objects.push(o);
          for (const p of batch.problems) r.problems.push(p);
        }
      }
    }
  } finally {
    pool.close();
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
