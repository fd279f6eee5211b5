import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { layoutDigest } from '../../delivery/skopeo';

/** An OCI layout with one manifest blob under `refName`, as `skopeo copy ... oci:<layout>:<refName>` leaves it. */
function layoutWith(refName: string, manifest: string): { dir: string; digest: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-layout-'));
  const hex = createHash('sha256').update(manifest).digest('hex');
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', hex), manifest);
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${'0'.repeat(64)}`,
          size: 2,
          annotations: { 'org.opencontainers.image.ref.name': 'other' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${hex}`,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': refName },
        },
      ],
    }),
  );
  return { dir, digest: `sha256:${hex}` };
}

describe('layoutDigest', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const layout = (refName: string, manifest: string) => {
    const l = layoutWith(refName, manifest);
    dirs.push(l.dir);
    return l;
  };

  it("is the digest index.json records for the image's name, the sha256 of its manifest's bytes", () => {
    const { dir, digest } = layout('library/redis:7.4.2', '{"schemaVersion":2}');
    expect(layoutDigest(dir, 'library/redis:7.4.2')).toBe(digest);
  });

  it('refuses a name the layout does not hold, a blob whose bytes changed, and a folder that is no layout', () => {
    const { dir, digest } = layout('library/redis:7.4.2', '{"schemaVersion":2}');
    expect(() => layoutDigest(dir, 'library/redis:7.4.3')).toThrow(`${dir}: index.json names 'library/redis:7.4.3' nowhere`);
    fs.appendFileSync(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), ' ');
    expect(() => layoutDigest(dir, 'library/redis:7.4.2')).toThrow(`the blob of 'library/redis:7.4.2' does not match its digest ${digest}`);
    expect(() => layoutDigest(path.join(dir, 'blobs'), 'x')).toThrow('not an OCI layout');
  });

  it('refuses a digest that is not sha256 hex (never a path to follow) and a name listed twice', () => {
    const { dir } = layout('app:1', '{}');
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
    const entry = index.manifests[1];
    for (const digest of ['sha256:../../../etc/passwd', 'sha256', 'md5:' + 'a'.repeat(32)]) {
      fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ ...index, manifests: [{ ...entry, digest }] }));
      expect(() => layoutDigest(dir, 'app:1')).toThrow(`${dir}: 'app:1' has no sha256 digest in index.json`);
    }
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ ...index, manifests: [entry, entry] }));
    expect(() => layoutDigest(dir, 'app:1')).toThrow(`${dir}: index.json names 'app:1' 2 times`);
  });
});
