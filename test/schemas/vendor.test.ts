import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SchemaFile, VENDORED_SCHEMAS, readSchemaManifest } from '../support/k8s-schema';

interface Vendor {
  vendorSchemas(options: { fromDir: string; toDir?: string; entries?: readonly SchemaFile[] }): { copied: string[]; problems: string[] };
  main(argv: string[], out: { write(s: string): void }, err: { write(s: string): void }): number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vendor = require('../../schemas/vendor.js') as Vendor;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { verify } = require('../../schemas/fetch.js') as { verify(entry: SchemaFile, buf: Buffer): string | undefined };

const manifest = readSchemaManifest();

describe('schemas/files (the committed copies a clone without ../shared validates against)', () => {
  it.each(manifest.map((e) => [e.file, e]))('holds %s byte for byte as the manifest records it', (_file, entry) => {
    expect(verify(entry, fs.readFileSync(path.join(VENDORED_SCHEMAS, entry.file)))).toBeUndefined();
  });

  it('holds nothing the manifest does not list, so every committed file has a source and a checksum', () => {
    expect(fs.readdirSync(VENDORED_SCHEMAS).sort()).toEqual(manifest.map((e) => e.file).sort());
  });
});

describe('npm run schemas:vendor', () => {
  let from: string;
  let to: string;
  beforeEach(() => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-vendor-'));
    from = path.join(tmp, 'crds');
    to = path.join(tmp, 'files');
    fs.mkdirSync(from);
    for (const e of manifest.slice(0, 2)) fs.copyFileSync(path.join(VENDORED_SCHEMAS, e.file), path.join(from, e.file));
  });
  afterEach(() => fs.rmSync(path.dirname(from), { recursive: true, force: true }));

  it('copies each listed file whose checksum matches', () => {
    const r = vendor.vendorSchemas({ fromDir: from, toDir: to, entries: manifest.slice(0, 2) });
    expect(r).toEqual({ copied: manifest.slice(0, 2).map((e) => e.file), problems: [] });
    for (const e of manifest.slice(0, 2)) expect(verify(e, fs.readFileSync(path.join(to, e.file)))).toBeUndefined();
  });

  it('refuses a changed file and a missing one, one line each, and copies neither', () => {
    const [changed, kept] = manifest.slice(0, 2);
    fs.appendFileSync(path.join(from, changed.file), '#');
    const missing = manifest[2];
    const r = vendor.vendorSchemas({ fromDir: from, toDir: to, entries: [changed, kept, missing] });
    expect(r.copied).toEqual([kept.file]);
    expect(r.problems).toEqual([
      expect.stringMatching(new RegExp(`^${changed.file.replace(/\./g, '\\.')}: ${changed.bytes + 1} bytes, expected ${changed.bytes}`)),
      `${missing.file}: cannot read ${path.join(from, missing.file)} (ENOENT)`,
    ]);
    expect(fs.readdirSync(to)).toEqual([kept.file]);
  });

  it('exits 2 on an unknown option, naming it', () => {
    const err: string[] = [];
    expect(vendor.main(['--to', 'x'], { write: () => undefined }, { write: (s) => void err.push(s) })).toBe(2);
    expect(err).toEqual(["schemas:vendor: '--to' is not an option; use --from DIR\n"]);
  });
});
