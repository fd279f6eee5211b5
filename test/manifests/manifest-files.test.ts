import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { manifestFiles } from '../../manifests/manifest-files';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-files-'));
  for (const f of [
    'b/02.yaml',
    'b/01.yml',
    'a.json',
    'b/values.yaml',
    'b/prod.values.yaml',
    'b/operators.releases.yaml',
    'b/notes.md',
    'c/x.txt',
  ]) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), '{}');
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('manifestFiles', () => {
  it('lists the manifests under folders, sorted, skipping Helm values and release lists', () => {
    expect(manifestFiles([dir]).map((f) => path.relative(dir, f))).toEqual(['a.json', 'b/01.yml', 'b/02.yaml']);
  });

  it('takes a file named directly, whatever its name', () => {
    const file = path.join(dir, 'b/values.yaml');
    expect(manifestFiles([file])).toEqual([file]);
  });

  it('names a missing path, and every folder that holds no manifest', () => {
    const nope = path.join(dir, 'nope');
    expect(() => manifestFiles([nope], '--manifests')).toThrow(`'--manifests' (${JSON.stringify(nope)}) is no such file or folder`);
    const c = path.join(dir, 'c');
    expect(() => manifestFiles([c, dir])).toThrow(`'<paths>' (${JSON.stringify(c)}) holds no .yaml, .yml or .json manifest`);
  });
});
