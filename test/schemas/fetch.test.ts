import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { SchemaFile, readSchemaManifest, schemaSetFor, schemasDir } from '../support/k8s-schema';
import { KUBERNETES_VERSIONS } from '../../stacks/kubernetes-versions';

interface FetchResult {
  fetched: string[];
  cached: string[];
  problems: string[];
}
interface Fetcher {
  verify(entry: SchemaFile, buf: Buffer): string | undefined;
  sourceUrl(entry: SchemaFile, mirror?: string): string;
  fetchSchemas(options: {
    outDir: string;
    mirror?: string;
    entries?: readonly SchemaFile[];
    fetchImpl?: (url: string) => Promise<Response>;
  }): Promise<FetchResult>;
  main(
    argv: string[],
    env: Record<string, string | undefined>,
    out: { write(s: string): void },
    err: { write(s: string): void },
  ): Promise<number>;
}
// Plain Node (no TypeScript) so that `npm run schemas:fetch` needs nothing but node on a fresh runner.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fetcher = require('../../schemas/fetch.js') as Fetcher;

const manifest = readSchemaManifest();
const dir = schemasDir();

describe('schemas/manifest.json', () => {
  it.each(manifest.map((e) => [e.file, e]))('matches %s byte for byte (size and sha256)', (_file, entry) => {
    expect(fetcher.verify(entry, fs.readFileSync(path.join(dir, entry.file)))).toBeUndefined();
  });

  it('names every schema file the tests read, and each at a pinned upstream commit', () => {
    // ../shared/crds may hold files of other branches; what is committed is checked against the manifest in vendor.test.ts.
    for (const v of KUBERNETES_VERSIONS) {
      const set = schemaSetFor(v);
      for (const f of [set.kubernetes, ...set.crds]) expect(manifest.map((e) => e.file)).toContain(f);
    }
    for (const e of manifest) {
      expect(e.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(e.url).toBe(`https://raw.githubusercontent.com/${e.repository}/${e.commit}/${e.path}`);
      expect(e.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('tells a changed file from the original', () => {
    const entry = manifest[0];
    const buf = Buffer.from(fs.readFileSync(path.join(dir, entry.file)));
    buf[buf.length - 2] ^= 1;
    expect(fetcher.verify(entry, buf)).toMatch(
      new RegExp(`^${entry.file.replace(/\./g, '\\.')}: sha256 [0-9a-f]{64}, expected ${entry.sha256}`),
    );
    expect(fetcher.verify(entry, buf.subarray(1))).toMatch(/bytes, expected/);
  });
});

describe('npm run schemas:fetch', () => {
  // A stand-in for raw.githubusercontent.com on loopback: serves each manifest path from the local copies.
  let server: http.Server;
  let mirror: string;
  let tamper: string | undefined;
  const served: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const entry = manifest.find((e) => e.url.endsWith(req.url ?? ''));
      served.push(req.url ?? '');
      if (!entry) {
        res.writeHead(404).end();
        return;
      }
      const body = fs.readFileSync(path.join(dir, entry.file));
      res.writeHead(200).end(entry.file === tamper ? Buffer.concat([body.subarray(0, -1), Buffer.from('!')]) : body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-schemas-'));

  it('rewrites each upstream URL onto a mirror', () => {
    expect(fetcher.sourceUrl(manifest[0], 'http://mirror.local/raw/')).toBe(
      `http://mirror.local/raw/${manifest[0].repository}/${manifest[0].commit}/${manifest[0].path}`,
    );
    expect(fetcher.sourceUrl(manifest[0])).toBe(manifest[0].url);
  });

  it('downloads and verifies every file, then keeps the verified files on the next run', async () => {
    const out = tmp();
    try {
      const first = await fetcher.fetchSchemas({ outDir: out, mirror });
      expect(first.problems).toEqual([]);
      expect(first.fetched.sort()).toEqual(manifest.map((e) => e.file).sort());
      for (const e of manifest) expect(fetcher.verify(e, fs.readFileSync(path.join(out, e.file)))).toBeUndefined();
      served.length = 0;
      const second = await fetcher.fetchSchemas({ outDir: out, mirror });
      expect([second.fetched, second.cached.length, served]).toEqual([[], manifest.length, []]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses a file whose checksum differs: exit 1, one line naming it, nothing written for it', async () => {
    const out = tmp();
    tamper = manifest[1].file;
    const err: string[] = [];
    const stdout: string[] = [];
    try {
      const code = await fetcher.main(
        ['--out', out],
        { PERFSTACK_SCHEMAS_MIRROR: mirror },
        { write: (s) => void stdout.push(s) },
        { write: (s) => void err.push(s) },
      );
      expect(code).toBe(1);
      expect(err).toEqual([
        expect.stringMatching(new RegExp(`^schemas:fetch: ${tamper.replace(/\./g, '\\.')}: sha256 [0-9a-f]{64}, expected`)),
      ]);
      expect(fs.existsSync(path.join(out, tamper))).toBe(false);
      expect(stdout.join('')).toMatch(`${manifest.length - 1} downloaded, 0 already present, 1 failed`);
    } finally {
      tamper = undefined;
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('tries a download again after a reset connection, and gives up after three', async () => {
    const out = tmp();
    try {
      const entry = manifest.find((e) => e.file.endsWith('.yaml'))!;
      const body = fs.readFileSync(path.join(dir, entry.file));
      const reset = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
      let calls = 0;
      const flaky = async () => {
        calls += 1;
        if (calls < 3) throw reset();
        return new Response(body);
      };
      expect(await fetcher.fetchSchemas({ outDir: out, entries: [entry], fetchImpl: flaky })).toMatchObject({
        fetched: [entry.file],
        problems: [],
      });
      expect(calls).toBe(3);
      fs.rmSync(path.join(out, entry.file));
      calls = 0;
      const down = async () => {
        calls += 1;
        throw reset();
      };
      const r = await fetcher.fetchSchemas({ outDir: out, entries: [entry], fetchImpl: down });
      expect(calls).toBe(3);
      expect(r.problems).toEqual([`${entry.file}: cannot download ${entry.url}: fetch failed (ECONNRESET)`]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('reports an unreachable file and a usage error', async () => {
    const out = tmp();
    try {
      const gone = {
        ...manifest[0],
        url: 'https://raw.githubusercontent.com/nobody/nothing/0000000000000000000000000000000000000000/x.yaml',
      };
      const r = await fetcher.fetchSchemas({ outDir: out, mirror, entries: [gone] });
      expect(r.problems).toEqual([
        `${gone.file}: cannot download ${mirror}/nobody/nothing/0000000000000000000000000000000000000000/x.yaml: HTTP 404`,
      ]);
      const err: string[] = [];
      expect(await fetcher.main(['--bogus'], {}, { write: () => undefined }, { write: (s) => void err.push(s) })).toBe(2);
      expect(err).toEqual(["schemas:fetch: '--bogus' is not an option; use --out DIR\n"]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
