/** One YAML document read as Kubernetes objects, or as the problems that stop it, each with its file and line. */
import { CORE_SCHEMA, YAMLException, load } from 'js-yaml';
import { aliasProblem } from './alias-guard';
import { KubeObject } from './types';
import { RawDocument, firstContentLine } from './yaml-stream';

/** A document that could not be read as a Kubernetes object, with where it is. */
export interface InputProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** The line of the first content of a document: where its object starts. */
function contentLine(doc: RawDocument): number {
  const i = firstContentLine(doc.text, 0, doc.text.length);
  return doc.line + Math.max(i, 0);
}

/** Reads one document; a value, or the problem that stops it. */
function parseDocument(file: string, doc: RawDocument): { value: unknown } | InputProblem {
  let value: unknown;
  try {
    value = load(doc.text, { schema: CORE_SCHEMA, filename: file });
  } catch (e) {
    if (!(e instanceof YAMLException)) throw e;
    return { file, line: doc.line + (e.mark?.line ?? 0), message: `not valid YAML: ${(e.reason ?? e.message).split('\n')[0]}` };
  }
  const problem = aliasProblem(doc.text, value);
  return problem === undefined ? { value } : { file, line: contentLine(doc), message: problem };
}

/** What one document yields: objects with their line, and problems. */
export interface ReadDocument {
  readonly objects: { readonly object: KubeObject; readonly line: number }[];
  readonly problems: InputProblem[];
}

/** Parses one document and sorts what it holds into Kubernetes objects and problems. */
export function readDocument(file: string, doc: RawDocument): ReadDocument {
  const parsed = parseDocument(file, doc);
  if (!('value' in parsed)) return { objects: [], problems: [parsed] };
  const value = parsed.value as { kind?: unknown; items?: unknown } | null | undefined;
  if (value === null || value === undefined) return { objects: [], problems: [] };
  const line = contentLine(doc);
  const out: ReadDocument = { objects: [], problems: [] };
  const list = value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
  for (const o of list) {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      out.problems.push({
        file,
        line,
        message: `a document of type ${Array.isArray(o) ? 'array' : o === null ? 'null' : typeof o}, not a Kubernetes object`,
      });
    } else if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string' || typeof o.metadata?.name !== 'string') {
      out.problems.push({
        file,
        line,
        message: `an object without ${['apiVersion', 'kind', 'metadata.name'].filter((k) => (k === 'metadata.name' ? typeof o.metadata?.name !== 'string' : typeof o[k] !== 'string')).join(', ')}`,
      });
    } else {
      out.objects.push({ object: o as KubeObject, line });
    }
  }
  return out;
}
