import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadManifests, manifestFiles, yamlDocuments } from '../../manifests/load';
import { main } from '../../policies/policy-cli';
import { runCli } from '../support/cli';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-load-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string | Buffer): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const policy = (argv: string[]) => runCli(main, argv);

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

const STREAM = [
  '# leading comment', // 1
  '%YAML 1.2', // 2
  '---', // 3
  cm('a').trimEnd(), // 4-7
  '...', // 8
  '# between', // 9
  '---', // 10
  '# comment inside', // 11
  '', // 12
  cm('b').trimEnd(), // 13-16
  '---', // 17
  '--- # an empty document', // 18
  '...', // 19
  cm('c').trimEnd(), // 20-23: a bare document after `...`
  'data:', // 24
  '  script: |', // 25
  '    ---not a marker: indented, and followed by text', // 26
  '---', // 27
  'apiVersion: v1', // 28
  'kind: ConfigMap', // 29
  'metadata: { name: [unclosed', // 30
].join('\n');

describe('reading manifests', () => {
  it.each([1 << 20, 7, 64])('splits a stream on its markers with each object at its line (block of %d bytes)', (block) => {
    const file = write('stream.yaml', STREAM);
    expect([...yamlDocuments(file, block)].map((d) => d.line)).toEqual([1, 9, 20, 27]);
    const { items, problems } = loadManifests([file]);
    expect(items.map((i) => `${i.object.metadata.name}:${i.source?.line}`)).toEqual(['a:4', 'b:13', 'c:20']);
    expect(items[2].object.data.script).toBe('---not a marker: indented, and followed by text\n');
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toBeGreaterThanOrEqual(30);
    expect(problems[0].message).toMatch(/^not valid YAML: /);
  });

  it('reads CRLF line ends, a byte order mark, multi-byte text across blocks, and JSON lists', () => {
    const crlf = write('crlf.yaml', '\ufeff' + (cm('x') + '---\n' + cm('y')).replace(/\n/g, '\r\n'));
    expect(loadManifests([crlf]).items.map((i) => `${i.object.metadata.name}:${i.source?.line}`)).toEqual(['x:1', 'y:6']);
    const utf8 = write('utf8.yaml', `${cm('z')}data:\n  greeting: "${'grüße, 世界 '.repeat(50)}"\n---\n${cm('w')}`);
    const docs = loadManifests([utf8]);
    expect(docs.items[0].object.data.greeting).toBe('grüße, 世界 '.repeat(50));
    expect([...yamlDocuments(utf8, 5)].map((d) => d.text).join('')).toBe(fs.readFileSync(utf8, 'utf8'));
    const list = write(
      'list.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [JSON.parse(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' } }))],
      }),
    );
    expect(loadManifests([list]).items.map((i) => i.object.metadata.name)).toEqual(['j']);
  });

  it('keeps YAML 1.2 core scalars: no timestamps, no YAML 1.1 booleans', () => {
    const file = write('core.yaml', `${cm('s')}data:\n  date: 2026-01-01\n  yes: yes\n  octal: "0755"\n`);
    expect(loadManifests([file]).items[0].object.data).toEqual({ date: '2026-01-01', yes: 'yes', octal: '0755' });
  });

  it('refuses an alias bomb and an alias inside its own anchor, naming the file and line', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = write('bomb.yaml', `${cm('ok')}---\n${cm('lol')}data:\n${levels.map((l) => `  ${l}`).join('\n')}\n`);
    const r = policy([bomb]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`policy: ${bomb}:6: aliases expand this document`);
    expect(r.err).toContain('alias bomb');
    const cycle = write('cycle.yaml', `${cm('cyc')}data: &x\n  self: *x\n`);
    expect(policy([cycle]).err).toContain(`policy: ${cycle}:1: an alias refers to the node that holds it`);
    const fine = write('anchors.yaml', `${cm('fine')}  labels: &l { team: a }\n  annotations: *l\n`);
    expect(loadManifests([fine]).problems).toEqual([]);
  });

  it('refuses empty files, files of comments only, and folders without manifests, naming each, with exit 2', () => {
    const empty = write('empty/nothing.yaml', '');
    const comments = write('empty/comments.yaml', '# nothing\n---\n# here\n');
    const r = policy([empty, comments]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`policy: ${empty}:1: holds no Kubernetes object`);
    expect(r.err).toContain(`policy: ${comments}:1: holds no Kubernetes object`);
    const folder = path.join(dir, 'no-manifests');
    write('no-manifests/values.yaml', 'replicas: 2\n');
    write('no-manifests/README.md', '# hi\n');
    const f = policy([folder]);
    expect(f.code).toBe(2);
    expect(f.err).toBe(
      `policy: '<paths>' (${JSON.stringify(folder)}) holds no .yaml, .yml or .json manifest (Helm values and release files are skipped); give a file or a folder of Kubernetes manifests\n`,
    );
    expect(() => manifestFiles([folder, path.join(dir, 'empty')])).toThrow(/no-manifests/);
  });

  it('reads a large file in bounded blocks: no document is lost or split at a block edge', () => {
    const many = Array.from({ length: 3000 }, (_, i) => cm(`cm-${i}`)).join('---\n');
    const file = write('many.yaml', many);
    const { items, problems } = loadManifests([file]);
    expect(problems).toEqual([]);
    expect(items).toHaveLength(3000);
    expect(items[2999].source?.line).toBe(2999 * 5 + 1);
    expect([...yamlDocuments(file, 4096)]).toHaveLength(3000);
  });
});

describe('reading a large file in worker threads', () => {
  it('gives the same objects, problems and lines as one thread, whatever the split', () => {
    const docs = Array.from({ length: 400 }, (_, i) =>
      i % 97 === 5 ? `# a comment before a document\n${cm(`cm-${i}`)}` : i % 131 === 7 ? 'apiVersion: v1\nkind: [broken\n' : cm(`cm-${i}`),
    );
    const file = write('parallel.yaml', `# head\n${docs.join('---\n')}...\n# tail\n`);
    const one = loadManifests([file], { threads: 1 });
    expect(one.items).toHaveLength(397);
    expect(one.problems).toHaveLength(3);
    for (const threads of [2, 3]) {
      const many = loadManifests([file], { threads, parallelBytes: 1 });
      expect(many).toEqual(one);
    }
  });
});
