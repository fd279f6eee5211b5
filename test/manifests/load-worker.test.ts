import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MessageChannel, Worker } from 'worker_threads';
import { ByteRange, WorkerMessage, readRange, splitAtDocuments } from '../../manifests/load';

const WORKER = path.join(__dirname, '../../manifests/load-worker.ts');

/**
 * Starts the worker as manifests/load.ts does (a TypeScript loader, the file, its range, a shared counter and a
 * port) and collects what it posts until it closes its port.
 */
function runWorker(file: string, range: ByteRange): Promise<{ messages: WorkerMessage[]; signals: number }> {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const messages: WorkerMessage[] = [];
  port1.on('message', (m: WorkerMessage) => messages.push(m));
  const closed = new Promise<void>((resolve) => port1.on('close', resolve));
  const worker = new Worker(WORKER, {
    workerData: { file, range, signal, port: port2 },
    transferList: [port2],
    execArgv: ['--require', require.resolve('tsx/cjs')],
  });
  const exited = new Promise<number>((resolve, reject) => {
    worker.on('exit', resolve);
    worker.on('error', reject);
  });
  return Promise.all([closed, exited]).then(([, code]) => {
    expect(code).toBe(0);
    return { messages, signals: Atomics.load(signal, 0) };
  });
}

describe('the manifest-reading worker thread', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-load-worker-'));
    file = path.join(dir, 'all.yaml');
    const docs = Array.from({ length: 6 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  n: "${i}"\n`);
    // A document that is not an object, for a problem with its line.
    docs.splice(4, 0, '- just\n- a list\n');
    fs.writeFileSync(file, docs.map((d) => `---\n${d}`).join(''));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('posts the documents of its byte range as JSON batches, then its line count, as readRange does in this thread', async () => {
    const size = fs.statSync(file).size;
    const ranges = splitAtDocuments(file, size, 2);
    expect(ranges).toHaveLength(2);
    for (const range of ranges) {
      const expected: WorkerMessage[] = [];
      readRange(file, range, (m) => expected.push(m));
      const { messages } = await runWorker(file, range);
      expect(messages).toEqual(expected);
      expect(messages[messages.length - 1]).toMatchObject({ done: true });
    }
  });

  it('reads objects and problems with lines counted from its range start', async () => {
    const { messages } = await runWorker(file, { start: 0, end: fs.statSync(file).size });
    const batches = messages.flatMap((m) => ('batch' in m ? [JSON.parse(m.batch)] : []));
    const objects = batches.flatMap((b) => b.objects);
    expect(objects.map((o: { object: { metadata: { name: string } } }) => o.object.metadata.name)).toEqual(
      Array.from({ length: 6 }, (_, i) => `cm-${i}`),
    );
    expect(objects[0].line).toBe(2);
    expect(batches.flatMap((b) => b.problems)).toEqual([{ file, line: 30, message: 'a document of type array, not a Kubernetes object' }]);
    // Six documents of seven lines and one of three: the offset the reader adds to the next range's lines.
    expect(messages[messages.length - 1]).toEqual({ done: true, lines: 45 });
  });

  it('bumps the shared counter once per message, so the waiting thread wakes for each', async () => {
    const { messages, signals } = await runWorker(file, { start: 0, end: fs.statSync(file).size });
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(signals).toBe(messages.length);
  });

  it('posts the error, not a crash, when the file cannot be read, and still closes its port', async () => {
    const { messages, signals } = await runWorker(path.join(dir, 'missing.yaml'), { start: 0, end: 10 });
    expect(messages).toHaveLength(1);
    expect('error' in messages[0] && messages[0].error).toMatch(/ENOENT/);
    expect(signals).toBe(1);
  });
});
