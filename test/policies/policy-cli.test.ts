import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../policies/policy-cli';
import { runCli } from '../support/cli';

const FIX = path.resolve(__dirname, '../../policies/fixtures');

const run = (argv: string[]) => runCli(main, argv);

describe('policy CLI', () => {
  it('reports each planted defect in a folder of bad manifests, grouped by object, and exits 1', () => {
    const r = run([path.join(FIX, 'bad')]);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines).toContain(`Deployment/shop/shop  (${path.join(FIX, 'bad', 'deployment.yaml')}:2)`);
    for (const rule of [
      'workload-resources',
      'workload-security-context',
      'image-pinned',
      'autoscaled-replicas',
      'no-inline-secrets',
      'cost-labels',
    ]) {
      expect(r.out).toMatch(new RegExp(`error\\s+${rule}\\s`));
    }
    expect(r.out).toMatch(/^\d+ objects checked: 6 error\(s\)/m);
  });

  it('writes SARIF 2.1.0 with a rule, a level and a file and line for each result', () => {
    const r = run([path.join(FIX, 'bad'), '--format', 'sarif']);
    const sarif = JSON.parse(r.out);
    expect(sarif.version).toBe('2.1.0');
    const run0 = sarif.runs[0];
    expect(run0.tool.driver.name).toBe('perfstack-policy');
    const ruleIds = new Set(run0.tool.driver.rules.map((x: { id: string }) => x.id));
    expect(run0.results.length).toBeGreaterThan(5);
    for (const res of run0.results) {
      expect(ruleIds.has(res.ruleId)).toBe(true);
      expect(['error', 'warning', 'note']).toContain(res.level);
      expect(typeof res.message.text).toBe('string');
      expect(res.locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
    }
  });

  it('writes JUnit and JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-policy-'));
    const junit = path.join(dir, 'missing', 'folder', 'policy.xml');
    expect(run([path.join(FIX, 'bad'), '--format', 'junit', '--output', junit]).code).toBe(1);
    expect(fs.readFileSync(junit, 'utf8')).toMatch(
      /<testcase classname="policy" name="image-pinned"><failure message="Deployment\/shop\/shop: container/,
    );
    const json = JSON.parse(run([path.join(FIX, 'bad'), '--format', 'json']).out);
    expect(json.errors).toBe(6);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the file and line of malformed YAML, non-object documents and objects without a kind, and exits 2', () => {
    const r = run([path.join(FIX, 'unreadable')]);
    const file = path.join(FIX, 'unreadable', 'broken.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:7: a document of type array, not a Kubernetes object`);
    expect(r.err).toContain(`${file}:10: an object without apiVersion`);
    expect(r.err).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: not valid YAML`));
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('applies an air-gapped registry given as a flag, and digests when asked', () => {
    const r = run([path.join(FIX, 'bad'), '--registry', 'registry.airgap.internal:5000', '--require-digest']);
    expect(r.out).toMatch(
      /airgap-registry\s+container 'shop' pulls 'registry.example.com\/shop:latest' from outside registry.airgap.internal:5000/,
    );
    expect(r.out).toMatch(/airgap-registry\s+container 'shop' image 'registry.example.com\/shop:latest' is not pinned by digest/);
  });

  it('refuses a missing path and a malformed --zones clearly, exiting 2', () => {
    expect(run(['nowhere'])).toMatchObject({ code: 2, err: `policy: '<paths>' ("nowhere") is no such file or folder\n` });
    expect(run([path.join(FIX, 'bad'), '--zones', 'three'])).toMatchObject({
      code: 2,
      err: `policy: '--zones' ("three") must be a whole number >= 1\n`,
    });
  });

  describe('context from the Namespace annotations', () => {
    const namespace = (name: string, annotations: Record<string, string>) =>
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  annotations:\n` +
      Object.entries(annotations)
        .map(([k, v]) => `    ${k}: "${v}"\n`)
        .join('');
    const deployment = fs.readFileSync(path.join(FIX, 'bad', 'deployment.yaml'), 'utf8');
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-policy-ctx-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('applies the registry a Namespace declares, as the stacks write it, and lets a flag override it', () => {
      fs.writeFileSync(path.join(dir, 'ns.yaml'), namespace('shop', { 'perfstack.io/registry': 'registry.site:5000' }));
      fs.writeFileSync(path.join(dir, 'deployment.yaml'), deployment);
      expect(run([dir]).out).toMatch(/airgap-registry\s+container 'shop' pulls '.*' from outside registry.site:5000/);
      expect(run([dir, '--registry', 'other:5000']).out).toMatch(/from outside other:5000/);
    });

    it('refuses Namespaces that declare different contexts, exiting 2', () => {
      fs.writeFileSync(path.join(dir, 'a.yaml'), namespace('a', { 'perfstack.io/production': 'true' }));
      fs.writeFileSync(path.join(dir, 'b.yaml'), namespace('b', { 'perfstack.io/production': 'false' }));
      const r = run([dir]);
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        "policy: Namespace/b: 'perfstack.io/production' (false) disagrees with Namespace/a (true); check one environment at a time\n",
      );
    });
  });
});
