import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { typecheck } = require('../../cli/launch') as { typecheck: (root: string, entry: string) => number };

/** Sleeps the thread (the callers are synchronous `beforeAll`s and tests). */
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * The synth project's build in lib/, as `npm run synth` makes it (cli/launch.js: skipped when lib/ is provably
 * fresh, and a success recorded so the next caller skips it too). One worker at a time within a `jest` run: the
 * suites that need it start together, and two compilers writing the same lib/ would each check everything.
 */
export function buildSynthProject(): void {
  const dir = process.env.PERFSTACK_TEST_RUN_CACHE;
  const lock = dir && path.join(dir, 'synth-project.lock');
  // A holder that died leaves its lock: after five minutes the compiler runs anyway.
  for (const deadline = Date.now() + 300_000; lock && Date.now() < deadline; pause(200)) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  try {
    // tsc prints nothing on success, its messages on failure.
    const status = typecheck(ROOT, 'stacks/synth-cli');
    if (status !== 0) throw new Error(`tsc -b tsconfig.synth.json exited ${status} (its messages are above)`);
  } finally {
    if (lock) fs.rmSync(lock, { force: true });
  }
}
