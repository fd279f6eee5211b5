import * as path from 'path';
import { buildSync } from 'esbuild';

/**
 * Bundles the k6 entry (TypeScript) into one plain JavaScript module for the k6 runtime: k6's own modules stay
 * imports, everything else is inlined. Deterministic for the same sources.
 */
export function bundleK6Script(entry = path.join(__dirname, 'k6', 'script.ts')): string {
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: ['k6', 'k6/*'],
    legalComments: 'none',
    charset: 'utf8',
  });
  return result.outputFiles[0].text;
}
