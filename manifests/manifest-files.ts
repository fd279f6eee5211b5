import * as fs from 'fs';
import * as path from 'path';

const MANIFEST = /\.(ya?ml|json)$/;
/** Helm values files and Helm release lists: not manifests. */
const HELM_VALUES = /(^|\.)(values|releases)\.ya?ml$/;

/**
 * Every .yaml, .yml and .json file under the paths, sorted, so reports are stable. In folders, Helm values files
 * (`values.yaml`, `*.values.yaml`) and Helm release lists (`*.releases.yaml`) are skipped: they are not manifests. A
 * missing path, or a folder without any manifest, is an error naming `input` (the flag or argument that gave the
 * paths, e.g. `--manifests`) and the path.
 */
export function manifestFiles(paths: readonly string[], input = '<paths>'): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) {
        const child = path.join(p, e);
        if (fs.statSync(child).isDirectory() || (MANIFEST.test(e) && !HELM_VALUES.test(e))) walk(child);
      }
    } else out.push(p);
  };
  const empty: string[] = [];
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new Error(`'${input}' (${JSON.stringify(p)}) is no such file or folder`);
    const before = out.length;
    walk(p);
    if (out.length === before) empty.push(p);
  }
  if (empty.length > 0)
    throw new Error(
      empty
        .map(
          (p) =>
            `'${input}' (${JSON.stringify(p)}) holds no .yaml, .yml or .json manifest (Helm values and release files are skipped); give a file or a folder of Kubernetes manifests`,
        )
        .join('\n'),
    );
  return out;
}
