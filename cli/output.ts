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
};

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Nothing was created there (its folder is missing or is a file): nothing to clean up.
  }
}

/** A report that could not be written: the message names the file and the reason, on one line. */
export class OutputError extends Error {
  constructor(
    public readonly file: string,
    reason: string,
  ) {
    super(`${file}: cannot write (${reason})`);
    this.name = 'OutputError';
  }
}

/**
 * Writes a report the way every CLI does: missing folders are created, and the content goes to a temporary file in
 * the same folder that is renamed over the target, so a crash or a full disk never leaves a partial file and a
 * reader sees either the old report or the new one. Failures throw OutputError (usage error, exit 2).
 */
export function writeOutput(file: string, content: string | Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new OutputError(file, 'it is a folder; name a file');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch (e) {
    removeQuietly(tmp);
    if (e instanceof OutputError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new OutputError(file, REASONS[code] ?? (code || (e as Error).message));
  }
}
