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
