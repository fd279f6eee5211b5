import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Jest gives every test file its own module registry and globals, but Node's built-in modules are the same objects
 * in every file a worker runs. A map hung on one of them keeps an expensive fixture for the worker's lifetime: built
 * once per worker instead of once per test file. Only for fixtures that are pure functions of their key, and that
 * no test mutates (hand out copies of data).
 */
export function workerCache<V>(name: string): Map<string, V> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const holder = require('node:v8') as Record<symbol, Map<string, V> | undefined>;
  const key = Symbol.for(`perfstack.test.${name}`);
  return (holder[key] ??= new Map());
}

/**
 * A fixture built once per `jest` run rather than once per worker: kept in the worker (as {@link workerCache}) and as
 * JSON in the run's scratch folder (test/support/run-cache.js), where the other workers find it. Workers that ask
 * at the same moment may each build it; the last to finish writes it whole (rename). Only for JSON data that is a
 * pure function of `key` within a run. Each call returns a fresh copy.
 */
export async function runCached<T>(name: string, key: string, build: () => Promise<T>): Promise<T> {
  const cached = cachedText(name, key);
  const text = cached.text ?? cached.store(JSON.stringify(await build()));
  return JSON.parse(text) as T;
}

/** {@link runCached} for a fixture built synchronously (one that a `describe` block needs as it is collected). */
export function runCachedSync<T>(name: string, key: string, build: () => T): T {
  const cached = cachedText(name, key);
  const text = cached.text ?? cached.store(JSON.stringify(build()));
  return JSON.parse(text) as T;
}

/** The JSON text of a run-cached fixture if this worker or another has it, and how to keep it once built. */
function cachedText(name: string, key: string): { text?: string; store: (text: string) => string } {
  const memory = workerCache<string>(`run:${name}`);
  const dir = process.env.PERFSTACK_TEST_RUN_CACHE;
  const file = dir && path.join(dir, `${name}-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
  let text = memory.get(key);
  if (text === undefined && file && fs.existsSync(file)) memory.set(key, (text = fs.readFileSync(file, 'utf8')));
  const store = (built: string) => {
    if (file) {
      fs.writeFileSync(`${file}.${process.pid}`, built);
      fs.renameSync(`${file}.${process.pid}`, file);
    }
    memory.set(key, built);
    return built;
  };
  return { text, store };
}
