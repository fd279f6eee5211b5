/** A worker thread of loadManifests: reads one byte range of a file (manifests/load.ts readRange). */
import { MessagePort, workerData } from 'worker_threads';
import { ByteRange, WorkerMessage, readRange } from './load';

const { file, range, signal, port } = workerData as { file: string; range: ByteRange; signal: Int32Array; port: MessagePort };
const post = (m: WorkerMessage) => {
  port.postMessage(m);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
};
try {
  readRange(file, range, post);
} catch (e) {
  post({ error: (e as Error).stack ?? String(e) });
}
port.close();
