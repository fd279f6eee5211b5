import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../delivery/verify-cli';
import { writeChecksums } from '../../delivery/checksums';
import { runCli } from '../support/cli';

describe('npm run bundle:verify', () => {
  let dir: string;
  let aggregate: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-verify-'));
    fs.mkdirSync(path.join(dir, 'manifests'));
    fs.writeFileSync(path.join(dir, 'manifests/app.yaml'), 'kind: ConfigMap\n');
    aggregate = writeChecksums(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('says an untouched bundle with the expected aggregate is intact', () => {
    expect(runCli(main, [dir, '--expect', aggregate])).toEqual({ code: 0, out: `bundle:verify: ${dir} is intact\n`, err: '' });
  });

  it('exits 1 and names the file changed after the bundle was built', () => {
    fs.writeFileSync(path.join(dir, 'manifests/app.yaml'), 'kind: Secret\n');
    const r = runCli(main, [dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^bundle:verify: .*manifests\/app\.yaml/m);
  });

  it('exits 1 when the aggregate is not the one the connected side printed', () => {
    const r = runCli(main, [dir, '--expect', '0'.repeat(64)]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('is not the expected');
  });

  it('exits 2 with one line when the folder does not exist', () => {
    const missing = path.join(dir, 'nope');
    expect(runCli(main, [missing])).toEqual({
      code: 2,
      out: '',
      err: `bundle:verify: '<dir>' (${JSON.stringify(missing)}) is not a folder\n`,
    });
  });
});
