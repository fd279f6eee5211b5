import * as path from 'path';
import { filesUnder, sha256File } from '../../delivery/checksums';

/** Every file under `dir` with its sha256, so "the same files" and "unchanged" mean byte for byte. */
export function snapshotTree(dir: string): Record<string, string> {
  return Object.fromEntries(filesUnder(dir).map((f) => [f, sha256File(path.join(dir, f))]));
}
