import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { KubeObject, Sourced } from './types';

/** A document that could not be read as a Kubernetes object, with where it is. */
export interface InputProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/**
 * Every .yaml, .yml and .json file under the paths, sorted, so reports are stable. In folders, Helm values files
 * (`values.yaml`, `*.values.yaml`) and Helm release lists (`*.releases.yaml`) are skipped: they are not manifests.
 */
export function manifestFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) {
        const child = path.join(p, e);
        if (fs.statSync(child).isDirectory() || (/\.(ya?ml|json)$/.test(e) && !/(^|\.)(values|releases)\.ya?ml$/.test(e))) walk(child);
      }
    } else out.push(p);
  };
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new Error(`${p}: no such file or folder`);
    walk(p);
  }
  return out;
}

/** Reads Kubernetes objects from YAML (multi-document) or JSON files; what is not an object becomes a problem. */
export function loadManifests(files: readonly string[]): { items: Sourced[]; problems: InputProblem[] } {
  const items: Sourced[] = [];
  const problems: InputProblem[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const lines = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
      const line = lines.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line;
      if (doc.errors.length > 0) {
        const e = doc.errors[0];
        problems.push({ file, line: e.linePos?.[0].line ?? line, message: `not valid YAML: ${e.message.split('\n')[0]}` });
        continue;
      }
      const value = doc.toJS();
      if (value === null || value === undefined) continue;
      const list = value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
      for (const o of list) {
        if (typeof o !== 'object' || Array.isArray(o)) {
          problems.push({ file, line, message: `a document of type ${Array.isArray(o) ? 'array' : typeof o}, not a Kubernetes object` });
        } else if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string' || typeof o.metadata?.name !== 'string') {
          problems.push({
            file,
            line,
            message: `an object without ${['apiVersion', 'kind', 'metadata.name'].filter((k) => (k === 'metadata.name' ? typeof o.metadata?.name !== 'string' : typeof o[k] !== 'string')).join(', ')}`,
          });
        } else {
          items.push({ object: o as KubeObject, source: { file, line } });
        }
      }
    }
  }
  return { items, problems };
}
