import { execFile, execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

/** How skopeo reaches a registry: plain HTTP is for loopback test registries and site mirrors without TLS. */
export interface RegistryAccess {
  /** @default true */
  readonly tlsVerify?: boolean;
}

const MAX_BUFFER = 64 * 1024 * 1024;

/** What a failed skopeo run means for the user, in one line. */
function failure(args: readonly string[], e: unknown): SkopeoError {
  const err = e as { code?: string | number; stderr?: Buffer; message: string };
  if (err.code === 'ENOENT') return new SkopeoError('skopeo is not installed (Debian/Ubuntu: apt-get install skopeo)');
  const detail = (err.stderr?.toString() ?? err.message).trim().split('\n').pop();
  return new SkopeoError(`skopeo ${args[0]} failed: ${detail}`);
}

function skopeo(args: readonly string[]): Buffer {
  try {
    return execFileSync('skopeo', [...args], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: MAX_BUFFER });
  } catch (e) {
    throw failure(args, e);
  }
}

/** {@link skopeo} without blocking: for lookups that wait on a registry and may run side by side. */
async function skopeoAsync(args: readonly string[]): Promise<Buffer> {
  try {
    return (await promisify(execFile)('skopeo', [...args], { encoding: 'buffer', maxBuffer: MAX_BUFFER })).stdout;
  } catch (e) {
    throw failure(args, e);
  }
}

/** A failure talking to a registry or an image layout; its message is one line for the user. */
export class SkopeoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SkopeoError';
  }
}

const tls = (flag: string, access: RegistryAccess) => `--${flag}=${access.tlsVerify ?? true}`;

/**
 * The digest the reference points to now: the sha256 of the manifest (or index, for multi-platform images) as
 * stored, which is what a `@sha256:` pull asks for. Computed from the raw bytes, never re-serialized.
 */
export async function resolveDigest(reference: string, access: RegistryAccess = {}): Promise<string> {
  const raw = await skopeoAsync(['inspect', '--raw', tls('tls-verify', access), `docker://${reference}`]);
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/**
 * Copies one image, every platform of it, by digest into an OCI layout under `refName`. `--preserve-digests`
 * refuses any conversion that would change the digest the manifests reference.
 */
export function copyToLayout(source: string, layout: string, refName: string, access: RegistryAccess = {}): void {
  skopeo([
    'copy',
    '--quiet',
    '--all',
    '--preserve-digests',
    tls('src-tls-verify', access),
    `docker://${source}`,
    `oci:${layout}:${refName}`,
  ]);
}

/**
 * The digest of an image stored in an OCI layout under `refName`: its entry in the layout's index.json (what
 * `skopeo inspect --raw oci:` reads, without a process per image), checked against the bytes of the blob it names.
 */
export function layoutDigest(layout: string, refName: string): string {
  let index: { manifests?: { digest?: string; annotations?: Record<string, string> }[] };
  try {
    index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8'));
  } catch (e) {
    throw new SkopeoError(`${layout}: not an OCI layout (${(e as Error).message})`);
  }
  const entries = index.manifests?.filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] === refName) ?? [];
  if (entries.length !== 1)
    throw new SkopeoError(`${layout}: index.json names '${refName}' ${entries.length === 0 ? 'nowhere' : `${entries.length} times`}`);
  const [entry] = entries;
  // Checked before it becomes a path: a digest is sha256 and 64 hex digits, nothing a path could climb out with.
  if (!/^sha256:[a-f0-9]{64}$/.test(entry.digest ?? ''))
    throw new SkopeoError(`${layout}: '${refName}' has no sha256 digest in index.json`);
  const blob = path.join(layout, 'blobs', 'sha256', entry.digest!.slice('sha256:'.length));
  const actual = fs.existsSync(blob) ? `sha256:${createHash('sha256').update(fs.readFileSync(blob)).digest('hex')}` : 'no blob';
  if (actual !== entry.digest) throw new SkopeoError(`${layout}: the blob of '${refName}' does not match its digest ${entry.digest}`);
  return entry.digest!;
}
