import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';

/**
 * The project folder (the first one above with a package.json), so the k6 sources are found from the TypeScript
 * sources (`loadtests/`) and from the compiled app (`lib/loadtests/`, which `npx cdk8s synth` runs) alike: tsc does
 * not copy `.ts` files into lib/.
 */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`loadtests/bundle: no package.json in ${from} or any folder above it`);
  }
}

/** The k6 entry script, TypeScript typed against @types/k6. */
export const K6_ENTRY = path.join(projectRoot(), 'loadtests', 'k6', 'script.ts');

const bundles = new Map<string, string>();

/**
 * Bundles the k6 entry (TypeScript) into one plain JavaScript module for the k6 runtime: k6's own modules stay
 * imports, everything else is inlined. Deterministic for the same sources, so one process bundles each entry once
 * (every environment with load tests shares it) unless `cache` is false.
 */
export function bundleK6Script(entry: string = K6_ENTRY, options: { readonly cache?: boolean } = {}): string {
  const cached = options.cache === false ? undefined : bundles.get(entry);
  if (cached !== undefined) return cached;
  const result = buildSync({
    entryPoints: [entry],
    // esbuild names each inlined module in a comment by its path from here: the bundle must not depend on the cwd.
    absWorkingDir: projectRoot(),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: ['k6', 'k6/*'],
    legalComments: 'none',
    charset: 'utf8',
  });
  const text = result.outputFiles[0].text;
  bundles.set(entry, text);
  return text;
}
