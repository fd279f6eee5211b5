import { execFileSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { fresh } = require('../../cli/launch') as { fresh: (root: string, entry: string) => boolean };

/**
 * The synth project's build in lib/, as `npm run synth` makes it; skipped, as there, when lib/ is provably fresh
 * (loading the compiler only to find nothing to do is a second of CPU).
 */
export function buildSynthProject(): void {
  if (fresh(ROOT, 'stacks/synth-cli')) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.synth.json'], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}
