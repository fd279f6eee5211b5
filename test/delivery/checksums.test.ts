import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { verifyChecksums, writeChecksums } from '../../delivery/checksums';

describe('bundle checksums', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sums-'));
    fs.mkdirSync(path.join(dir, 'manifests'));
    fs.writeFileSync(path.join(dir, 'manifests', '00-platform.k8s.yaml'), 'kind: Namespace\n');
    fs.writeFileSync(path.join(dir, 'inventory.json'), '{}\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes an intact bundle, and the aggregate it returns is the one to expect', () => {
    const aggregate = writeChecksums(dir);
    expect(verifyChecksums(dir, aggregate)).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8')).toMatch(
      /^[a-f0-9]{64} {2}inventory\.json\n[a-f0-9]{64} {2}manifests\/00-platform\.k8s\.yaml\n$/,
    );
  });

  it('names a changed file, a missing file, an added file and a wrong aggregate', () => {
    writeChecksums(dir);
    fs.appendFileSync(path.join(dir, 'manifests', '00-platform.k8s.yaml'), '# x\n');
    fs.rmSync(path.join(dir, 'inventory.json'));
    fs.writeFileSync(path.join(dir, 'extra.yaml'), '');
    expect(verifyChecksums(dir, 'f'.repeat(64))).toEqual([
      expect.stringContaining('is not the expected'),
      'inventory.json: missing',
      'manifests/00-platform.k8s.yaml: checksum mismatch (the file was changed after the bundle was built)',
      'extra.yaml: not listed in SHA256SUMS (added after the bundle was built)',
    ]);
  });

  it('refuses a folder that is not a bundle', () => {
    expect(verifyChecksums(dir)).toEqual([expect.stringMatching(/^SHA256SUMS: missing/)]);
  });
});
