import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { splitAtDocuments, yamlDocuments } from '../../manifests/yaml-stream';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-stream-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};
const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('yamlDocuments', () => {
  it('splits on marker lines only, keeping comments with the next document and each document at its line', () => {
    const file = write('s.yaml', `# head\n---\n${cm('a')}---\n--- # empty\n...\n${cm('b')}data:\n  s: |\n    --- not a marker\n`);
    const docs = [...yamlDocuments(file)];
    expect(docs.map((d) => d.line)).toEqual([1, 10]); // b is a bare document after `...`
    expect(docs[1].text).toContain('--- not a marker');
  });

  it('gives the same documents whatever the block size, multi-byte text included', () => {
    const text = Array.from({ length: 20 }, (_, i) => `${cm(`c${i}`)}data:\n  g: "grüße 世界 ${i}"\n`).join('---\n');
    const file = write('blocks.yaml', text);
    const whole = [...yamlDocuments(file)];
    fc.assert(fc.property(fc.integer({ min: 4, max: 300 }), (block) => expect([...yamlDocuments(file, block)]).toEqual(whole)));
    expect(whole.map((d) => d.text).join('')).toBe(text);
  });
});

describe('splitAtDocuments', () => {
  it('cuts only at document markers, into ranges that cover the file', () => {
    const file = write('split.yaml', Array.from({ length: 50 }, (_, i) => cm(`s-${i}`)).join('---\n'));
    const size = fs.statSync(file).size;
    const ranges = splitAtDocuments(file, size, 4);
    const text = fs.readFileSync(file, 'utf8');
    expect(ranges[0].start).toBe(0);
    expect(ranges[ranges.length - 1].end).toBe(size);
    for (let i = 1; i < ranges.length; i++) {
      expect(ranges[i].start).toBe(ranges[i - 1].end);
      expect(text.slice(ranges[i].start, ranges[i].start + 4)).toBe('---\n');
    }
  });

  it('does not cut a file without markers', () => {
    expect(splitAtDocuments(write('one.json', '{"apiVersion":"v1"}'), 19, 4)).toEqual([{ start: 0, end: 19 }]);
  });
});
