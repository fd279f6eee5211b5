import * as fs from 'fs';
import * as path from 'path';

/** Where generated reports go when the user names no file; git-ignored, so a run never dirties the working tree. */
export const REPORTS_DIR = 'reports';

/** The default path of a generated report: `reports/<name>`. */
export function reportPath(name: string): string {
  return path.join(REPORTS_DIR, name);
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a parent is a file, not a folder',
  EEXIST: 'a parent is a file, not a folder',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links',
  ENXIO: 'no process reads it',
};

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Nothing was created there (its folder is missing or is a file): nothing to clean up.
  }
}

/**
 * A report that could not be written: one line naming the flag that gave the path (when known), the path and the
 * reason: `'--plot' ("/ro/x.svg") cannot be written: permission denied`.
 */
export class OutputError extends Error {
  constructor(
    public readonly file: string,
    reason: string,
    public readonly flag?: string,
  ) {
    super(flag ? `'${flag}' (${JSON.stringify(file)}) cannot be written: ${reason}` : `${file}: cannot write (${reason})`);
    this.name = 'OutputError';
  }
}

/** How a target is written: replaced through a temporary file beside `file`, or written where it is. */
export type OutputTarget = { readonly mode: 'replace'; readonly file: string } | { readonly mode: 'in-place'; readonly file: string };

/** Symbolic links followed at most, as the kernel does (MAXSYMLINKS). */
const MAX_LINKS = 40;

/**
 * Decides how `file` may be written without damaging what is there. A regular file, or nothing, is replaced
 * through a temporary file and a rename (never a partial report). A symbolic link is followed, so the link stays
 * and the file it names is replaced. A FIFO, a character device (`/dev/null`, a terminal) and anything under
 * `/dev` or `/proc` (`/dev/stdout`, `/proc/self/fd/1`, whatever they point at) are written where they are: renaming
 * over them would replace the device, or the file a shell redirected into, with a new file. A folder, a socket and a
 * block device are refused.
 */
export function outputTarget(file: string, flag?: string): OutputTarget {
  let at = path.resolve(file);
  if (/^\/(dev|proc)\//.test(at)) return { mode: 'in-place', file: at };
  for (let hops = 0; ; hops++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { mode: 'replace', file: at };
      throw e;
    }
    if (st.isSymbolicLink()) {
      if (hops >= MAX_LINKS) throw new OutputError(file, REASONS.ELOOP, flag);
      at = path.resolve(path.dirname(at), fs.readlinkSync(at));
      if (/^\/(dev|proc)\//.test(at)) return { mode: 'in-place', file: at };
      continue;
    }
    if (st.isFile()) return { mode: 'replace', file: at };
    if (st.isFIFO() || st.isCharacterDevice()) return { mode: 'in-place', file: at };
    if (st.isDirectory()) throw new OutputError(file, 'it is a folder; name a file', flag);
    if (st.isSocket()) throw new OutputError(file, 'it is a socket; name a file', flag);
    throw new OutputError(file, 'it is a block device; name a file', flag);
  }
}

/**
 * Writes a report the way every CLI does, never damaging what the path names (see {@link outputTarget}): missing
 * folders are created, and a regular file gets the content through a temporary file in its folder renamed over it,
 * so a crash or a full disk never leaves a partial file and a reader sees either the old report or the new one.
 * Failures throw OutputError (usage error, exit 2) naming `flag`, the option that gave the path.
 */
export function writeOutput(file: string, content: string | Uint8Array, flag?: string): void {
  let tmp: string | undefined;
  try {
    const target = outputTarget(file, flag);
    if (target.mode === 'in-place') {
      fs.writeFileSync(target.file, content);
      return;
    }
    const dir = path.dirname(target.file);
    tmp = path.join(dir, `.${path.basename(target.file)}.${process.pid}.tmp`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, target.file);
  } catch (e) {
    if (tmp !== undefined) removeQuietly(tmp);
    if (e instanceof OutputError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new OutputError(file, REASONS[code] ?? (code || (e as Error).message), flag);
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a folder';
}

/**
 * The folder a CLI replaces whole (`synth --out`, `bundle --out`): the real folder, symbolic links followed (the link
 * is never replaced), or nothing yet. Anything else there (a file, a FIFO, a device, a socket) is refused with an
 * OutputError naming the flag, so it is neither deleted nor written into.
 */
export function folderTarget(dir: string, flag: string): string {
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code !== 'ENOENT') throw new OutputError(dir, REASONS[code] ?? code, flag);
    let link = false;
    try {
      link = fs.lstatSync(dir).isSymbolicLink();
    } catch {
      // Nothing there: it will be created.
    }
    if (link) throw new OutputError(dir, 'it is a symbolic link to nothing; name an existing folder or a new path', flag);
    return path.resolve(dir);
  }
  const st = fs.statSync(real);
  if (!st.isDirectory()) throw new OutputError(dir, `it is ${kindOf(st)}; name a folder`, flag);
  return real;
}
