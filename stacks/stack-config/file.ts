/** Reading a stack config file (`Pulumi.<stack>.yaml`) without Pulumi: for the CLIs (cost, capacity) and tests. */
import * as fs from 'fs';
import { LineCounter, parseDocument } from 'yaml';
import { isRecord } from './fields';
import { CONFIG_NAMESPACE } from './types';

/** A stack config file that cannot be read as one: its message names the file (and line) and what is wrong. */
export class StackConfigFileError extends Error {}

/** The perfstack values of a stack config file (`Pulumi.<stack>.yaml`), keyed without the namespace. */
export function stackConfigFileValues(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new StackConfigFileError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new StackConfigFileError(`${file}:${e.linePos?.[0].line ?? 1}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  let parsed: unknown;
  try {
    parsed = doc.toJS() ?? {};
  } catch (e) {
    // The yaml library refuses documents that expand aliases excessively (a "billion laughs" file).
    throw new StackConfigFileError(`${file}: cannot be read as YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const config = isRecord(parsed) ? (parsed.config ?? {}) : undefined;
  if (!isRecord(config)) {
    throw new StackConfigFileError(`${file}: is not a Pulumi stack config: expected a map with a 'config:' map of keys`);
  }
  return Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k.startsWith(`${CONFIG_NAMESPACE}:`))
      .map(([k, v]) => [k.slice(CONFIG_NAMESPACE.length + 1), v]),
  );
}
