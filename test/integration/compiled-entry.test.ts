import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

/** cdk8s.yaml's `app` runs the compiled entry: build it as `npm run build` does and synthesize with it. */
describe('the compiled stacks entry', () => {
  let tmp: string;
  let out: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-compiled-'));
    out = path.join(tmp, 'dist');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('runs from the compiled entry that cdk8s.yaml names', () => {
    // Inside the repo's node_modules so the compiled code resolves its dependencies as lib/ would.
    const lib = path.join(ROOT, 'node_modules/.cache/perfstack-lib');
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', ROOT, '--outDir', lib, '--incremental', 'false'],
      { stdio: 'pipe' },
    );
    const r = spawnSync(process.execPath, [path.join(lib, 'stacks/main.js'), '--env', 'dev'], {
      encoding: 'utf8',
      env: { ...process.env, CDK8S_OUTDIR: out },
    });
    expect(r.status).toBe(0);
    expect(fs.readdirSync(path.join(out, 'dev'))).toContain('01-api-gateway.k8s.yaml');
  }, 120000);
});
