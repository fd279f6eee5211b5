/** A worker thread of loadManifests: reads one byte range of a file (manifests/load.ts readRange). */
import { workerData } from 'worker_threads';
import { ByteRange, readRange } from './load';
import { replyToPool } from './sync-workers';

const { file, range } = workerData as { file: string; range: ByteRange };
// A throw here reaches the pool as the worker's failure (./sync-workers.ts starts every worker that way).
readRange(file, range, replyToPool!);
