import * as fs from 'fs';
import { SourceMap } from 'module';
import * as path from 'path';
import { formatProblem } from '../constructs/core/errors';
import { Environment } from './environment';

/** Environments by name, or a function that loads them (requires the environment modules). */
export type EnvironmentSource = Readonly<Record<string, Environment>> | (() => Readonly<Record<string, Environment>>);

export type LoadedEnvironments =
  | { readonly ok: true; readonly environments: Readonly<Record<string, Environment>> }
  | { readonly ok: false; readonly problems: readonly string[] };

/** The repository: the folder above stacks/, whether this runs from source or compiled to lib/stacks/. */
const ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'lib' ? '../..' : '..');

/**
 * Loads the environments. The modules are user input: an error thrown while they evaluate (cdk8s refuses
 * `Size.mebibytes(-1)` and `Duration.seconds(-5)` the moment they are written) is a mistake in them, reported as
 * one line at the file and line that made it, not as a stack trace.
 */
export function loadEnvironments(source: EnvironmentSource): LoadedEnvironments {
  if (typeof source !== 'function') return { ok: true, environments: source };
  try {
    return { ok: true, environments: source() };
  } catch (e) {
    return { ok: false, problems: [moduleErrorLine(e)] };
  }
}

/** `stacks/prod.ts:31: 'Duration' (-5) cannot be negative; a Duration is >= 0` from an error thrown while a module loads. */
export function moduleErrorLine(e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const where = userFrame(err.stack ?? '') ?? 'environment modules';
  return inputRefusalLine(where, err) ?? `${where}: the environment module failed to load: ${err.message.split('\n')[0]}`;
}

/**
 * The one-line report of an error cdk8s throws the moment a stack file writes an impossible value
 * (`Duration.millis(-200)`, a fractional conversion), at the stack file and line that wrote it; undefined for any
 * other error, which is a bug to show whole. Used for errors thrown after loading too (a stack file's function
 * called while the App is built).
 */
export function stackFileErrorLine(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const where = userFrame(e.stack ?? '');
  return where !== undefined && where.startsWith('stacks/') ? inputRefusalLine(where, e) : undefined;
}

function inputRefusalLine(where: string, err: Error): string | undefined {
  const firstLine = err.message.split('\n')[0];
  const negative = /^(Duration|Storage) amounts cannot be negative\. Received: (.*)$/.exec(firstLine);
  if (negative) {
    const input = negative[1] === 'Duration' ? 'Duration' : 'Size';
    return formatProblem(where, { input, value: Number(negative[2]), fix: `cannot be negative; a ${input} is >= 0` });
  }
  const whole = /^'(.*)' cannot be converted into a whole number of (\w+)\.?$/.exec(firstLine);
  if (whole) return formatProblem(where, { input: 'conversion', value: whole[1], fix: `is not a whole number of ${whole[2]}` });
  return undefined;
}

/**
 * The first stack frame in the project's own files (not node_modules, not this loader): where the mistake is, as
 * the source file the user edits. A frame in compiled lib/ is mapped back through its source map (tsc writes one
 * beside each file), so `npm run synth` names `stacks/services.ts:25`, not `lib/stacks/services.js:21`.
 */
function userFrame(stack: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:[A-Za-z]:)?[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (file.includes('node_modules') || file.startsWith('node:') || !path.isAbsolute(file) || file === __filename) continue;
    const source = originalPosition(file, Number(m[2]), Number(m[3])) ?? { file, line: Number(m[2]) };
    return `${path.relative(ROOT, source.file).split(path.sep).join('/')}:${source.line}`;
  }
  return undefined;
}

/** The TypeScript file and line a compiled line came from, when a source map lies beside the JavaScript file. */
function originalPosition(file: string, line: number, column: number): { file: string; line: number } | undefined {
  let payload: { sources?: string[]; sourceRoot?: string };
  try {
    payload = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as typeof payload;
  } catch {
    return undefined;
  }
  const entry = new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]).findEntry(line - 1, column - 1) as {
    originalSource?: string;
    originalLine?: number;
  };
  if (entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
  const original = entry.originalSource.replace(/^file:\/\//, '');
  return { file: path.resolve(path.dirname(file), payload.sourceRoot ?? '', original), line: entry.originalLine + 1 };
}

/**
 * Each environment writes `dist/<name>/`: two environments with one name would overwrite each other, and a key that
 * differs from the name would swap the wrong folder in.
 */
export function environmentNameProblems(environments: Readonly<Record<string, Environment>>): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const [key, env] of Object.entries(environments)) {
    const name = (env as { name?: unknown } | undefined)?.name;
    if (name !== key) {
      problems.push(
        formatProblem(key, { input: 'name', value: name, fix: `must equal the environment's key '${key}' (it names dist/${key}/)` }),
      );
    }
    if (typeof name !== 'string') continue;
    const other = seen.get(name);
    if (other !== undefined) {
      problems.push(
        formatProblem(key, {
          input: 'name',
          value: name,
          fix: `is also the name of environment '${other}'; both would write dist/${name}/, so names must be unique`,
        }),
      );
    } else seen.set(name, key);
  }
  return problems;
}
