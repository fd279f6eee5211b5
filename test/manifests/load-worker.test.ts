import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ByteRange, WorkerMessage, readRange, splitAtDocuments } from '../../manifests/load';
import { SyncWorkers } from '../../manifests/sync-workers';

const WORKER = path.join(__dirname, '../../manifests/load-worker.ts');

/** Starts the worker on the pool as manifests/load.ts does and collects what it posts until it is done. */
function runWorker(file: string, range: ByteRange): WorkerMessage[] {
  const pool = new SyncWorkers(WORKER, [{ file, range }], { task: `reading ${file}` });
  const messages: WorkerMessage[] = [];
  try {
    while (!messages.some((m) => 'done' in m)) for (const r of pool.receive(60_000)) messages.push(r.message as WorkerMessage);
  } finally {
    pool.close();
  }
  return messages;
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

  it('posts the documents of its byte range as JSON batches, then its line count, as readRange does in this thread', () => {
    const size = fs.statSync(file).size;
    const ranges = splitAtDocuments(file, size, 2);
    expect(ranges).toHaveLength(2);
    for (const range of ranges) {
      const expected: WorkerMessage[] = [];
      readRange(file, range, (m) => expected.push(m));
      const messages = runWorker(file, range);
      expect(messages).toEqual(expected);
      expect(messages[messages.length - 1]).toMatchObject({ done: true });
    }
  });

  it('reads objects and problems with lines counted from its range start', () => {
    const messages = runWorker(file, { start: 0, end: fs.statSync(file).size });
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

  it('fails the reading thread with the error, naming the file, when the file cannot be read', () => {
    const missing = path.join(dir, 'missing.yaml');
    expect(() => runWorker(missing, { start: 0, end: 10 })).toThrow(new RegExp(`^reading ${missing} failed: .*ENOENT`));
  });
});
