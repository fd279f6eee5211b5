import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** The list of every file's sha256 in `sha256sum` format, so a site can check it with coreutils alone. */
export const SUMS_FILE = 'SHA256SUMS';
/** One checksum over SHA256SUMS: the value to compare out of band with what the connected side printed. */
export const AGGREGATE_FILE = 'BUNDLE.sha256';

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every regular file under `dir`, as sorted POSIX paths relative to it. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
      else throw new Error(`${path.join(dir, child)}: only regular files and folders belong in a bundle`);
    }
  };
  walk('');
  return out.sort();
}

/** Writes SHA256SUMS over every file of the bundle and the aggregate checksum; returns the aggregate. */
export function writeChecksums(dir: string): string {
  const lines = filesUnder(dir)
    .filter((f) => f !== SUMS_FILE && f !== AGGREGATE_FILE)
    .map((f) => `${sha256File(path.join(dir, f))}  ${f}\n`);
  const sums = lines.join('');
  fs.writeFileSync(path.join(dir, SUMS_FILE), sums);
  const aggregate = createHash('sha256').update(sums).digest('hex');
  fs.writeFileSync(path.join(dir, AGGREGATE_FILE), `${aggregate}  ${SUMS_FILE}\n`);
  return aggregate;
}

/**
 * Checks a bundle: the aggregate over SHA256SUMS, every listed file's checksum, and that no file was added.
 * Returns one line per problem naming the file; empty when the bundle is intact.
 */
export function verifyChecksums(dir: string, expectedAggregate?: string): string[] {
  const problems: string[] = [];
  const sumsPath = path.join(dir, SUMS_FILE);
  if (!fs.existsSync(sumsPath)) return [`${SUMS_FILE}: missing; this is not a perfstack bundle or it is incomplete`];
  const sums = fs.readFileSync(sumsPath, 'utf8');
  const aggregate = createHash('sha256').update(sums).digest('hex');
  const recorded = fs.existsSync(path.join(dir, AGGREGATE_FILE))
    ? fs.readFileSync(path.join(dir, AGGREGATE_FILE), 'utf8').split(/\s/)[0]
    : undefined;
  if (recorded !== aggregate)
    problems.push(`${SUMS_FILE}: aggregate ${aggregate} does not match ${AGGREGATE_FILE} (${recorded ?? 'missing'})`);
  if (expectedAggregate !== undefined && expectedAggregate !== aggregate)
    problems.push(
      `${SUMS_FILE}: aggregate ${aggregate} is not the expected ${expectedAggregate}: the bundle is not the one that was built`,
    );
  const listed = new Set<string>();
  for (const line of sums.split('\n').filter(Boolean)) {
    const m = /^([a-f0-9]{64}) {2}(.+)$/.exec(line);
    if (!m) {
      problems.push(`${SUMS_FILE}: malformed line ${JSON.stringify(line)}`);
      continue;
    }
    const [, sum, file] = m;
    listed.add(file);
    const full = path.join(dir, file);
    if (file.split('/').includes('..')) problems.push(`${file}: path leaves the bundle`);
    else if (!fs.existsSync(full)) problems.push(`${file}: missing`);
    else if (sha256File(full) !== sum) problems.push(`${file}: checksum mismatch (the file was changed after the bundle was built)`);
  }
  for (const f of filesUnder(dir))
    if (f !== SUMS_FILE && f !== AGGREGATE_FILE && !listed.has(f))
      problems.push(`${f}: not listed in ${SUMS_FILE} (added after the bundle was built)`);
  return problems;
}
