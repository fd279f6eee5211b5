import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SyncWorkers } from '../../manifests/sync-workers';

const POOL = path.resolve(__dirname, '../../manifests/sync-workers.ts');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-sync-workers-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A worker module written for the test; TypeScript, so the pool loads it through tsx as it does the real ones. */
function workerFile(name: string, body: string): string {
  const file = path.join(dir, `${name}.ts`);
  fs.writeFileSync(
    file,
    `import { workerData, parentPort } from 'worker_threads';\nimport { replyToPool } from ${JSON.stringify(POOL)};\n${body}\n`,
  );
  return file;
}

describe('SyncWorkers', () => {
  it('hands a synchronous caller every reply of every worker, each worker in its own order', () => {
    const file = workerFile('count', 'for (let i = 0; i < workerData.n; i++) replyToPool!({ id: workerData.id, i });');
    const pool = new SyncWorkers(file, [
      { id: 'a', n: 50 },
      { id: 'b', n: 30 },
    ]);
    try {
      const got: { id: string; i: number }[][] = [[], []];
      while (got[0].length + got[1].length < 80)
        for (const r of pool.receive(30_000)) got[r.worker].push(r.message as { id: string; i: number });
      expect(got[0].map((m) => m.i)).toEqual([...Array(50).keys()]);
      expect(got[1].map((m) => m.i)).toEqual([...Array(30).keys()]);
      expect(new Set(got[0].map((m) => m.id))).toEqual(new Set(['a']));
    } finally {
      pool.close();
    }
  });

  it('answers messages posted to a worker, and waits only on the workers asked for', () => {
    const file = workerFile('echo', "parentPort!.on('message', (m: string) => replyToPool!(m.toUpperCase()));");
    const pool = new SyncWorkers(file, [{}, {}]);
    try {
      pool.post(1, 'second');
      expect(pool.receive(30_000, [1])).toEqual([{ worker: 1, message: 'SECOND' }]);
      pool.post(0, 'first');
      expect(pool.receive(30_000, [0])).toEqual([{ worker: 0, message: 'FIRST' }]);
    } finally {
      pool.close();
    }
  });

  it("turns a worker's throw into the caller's error at once, naming the task", () => {
    const file = workerFile('throws', "throw new Error('disk on fire');");
    const pool = new SyncWorkers(file, [{}], { task: 'reading big.yaml' });
    try {
      expect(() => pool.receive(60_000)).toThrow(/^reading big\.yaml failed: .*disk on fire/);
    } finally {
      pool.close();
    }
  });

  it('reports a worker module that cannot load, instead of waiting for it', () => {
    const pool = new SyncWorkers(path.join(dir, 'missing.ts'), [{}], { task: 'writing manifests as YAML' });
    try {
      expect(() => pool.receive(60_000)).toThrow(/^writing manifests as YAML failed: the worker thread could not start: /);
    } finally {
      pool.close();
    }
  });

  it('gives up on a worker that stays silent, saying so', () => {
    const pool = new SyncWorkers(workerFile('silent', "parentPort!.on('message', () => undefined);"), [{}], { task: 'a silent task' });
    try {
      expect(() => pool.receive(300)).toThrow('a silent task: no answer for 0.3 s (a worker thread stopped)');
    } finally {
      pool.close();
    }
  });
});
