/* eslint jest/no-standalone-expect: ["error", { "additionalTestBlockFunctions": ["maybe"] }] */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { main } from '../../delivery/bundle-cli';
import { buildBundle } from '../../delivery/bundle';
import { parseImageRef } from '../../manifests/images';
import { imagesIn } from '../../delivery/images';
import { operatorCharts } from '../../delivery/operator-charts';
import { airgap } from '../../stacks/airgap';
import { OciRegistry, chartRepository, pushTestImages } from './support/oci-registry';
import { freePort, freePorts } from './support/ports';
import { describeWithPrograms } from './support/programs';
import { filesOf } from '../support/environments';
import { standardInstallYaml } from '../support/gateway-api-install';
import { main as verifyMain } from '../../delivery/verify-cli';
import { GATEWAY_API_CRDS_FILE } from '../../delivery/gateway-api-crds';

const ROOT = path.resolve(__dirname, '../..');

/** stderr without the warning that helm is missing (it is, here). */
const withoutWarnings = (lines: readonly string[]) =>
  lines
    .join('')
    .split('\n')
    .filter((l) => l && !l.startsWith('bundle: warning: helm is not installed'))
    .join('\n');

/** Runs install.sh with fake helm and kubectl first on PATH that log their arguments, so the order is observable. */
function runInstall(bundle: string, args: readonly string[], log: string): { status: number; stdout: string; stderr: string } {
  const bin = path.join(path.dirname(log), 'fakebin');
  fs.mkdirSync(bin, { recursive: true });
  for (const tool of ['helm', 'kubectl'])
    fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${log}\n`, { mode: 0o755 });
  const r = spawnSync(path.join(bundle, 'install.sh'), [...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `npm run bundle` of the airgap environment into `out`, everything from loopback mirrors (`repo` serves the CRD file too). */
const bundleArgs = (out: string, mirror: string, repo: { url: string }) => [
  ...['--env', 'airgap', '--out', out, '--from', mirror, '--plain-http'],
  ...['--chart-mirror', repo.url, '--gateway-api-crds', `${repo.url}standard-install.yaml`],
];

describeWithPrograms('air-gap bundle with real registries', ['skopeo', 'docker-registry', 'umoci'], () => {
  let work: string;
  let upstream: OciRegistry;
  let site: OciRegistry;
  let bundle: string;
  let aggregate: string;
  let repo: { url: string; close: () => void };
  const charts = operatorCharts(airgap);

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-bundle-'));
    const [upstreamPort, sitePort] = await freePorts(2);
    upstream = new OciRegistry(path.join(work, 'upstream'), upstreamPort);
    site = new OciRegistry(path.join(work, 'site'), sitePort);
    await Promise.all([upstream.start(), site.start()]);
    // The connected mirror holds every image the environment and its operators run, each distinct.
    const objects = filesOf('airgap')
      .filter((f) => f.path.endsWith('.k8s.yaml'))
      .flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS()));
    const refs = [...imagesIn(objects), ...charts.images].map((r) => {
      const p = parseImageRef(r)!;
      return `${p.path}:${p.tag}`;
    });
    await pushTestImages(path.join(work, 'images'), upstream.address, [...new Set(refs)]);
    repo = await chartRepository(path.join(work, 'charts'), charts.charts);
    // The connected mirror of Gateway API's release file, served beside the charts.
    fs.writeFileSync(path.join(work, 'charts', 'standard-install.yaml'), standardInstallYaml());
    bundle = path.join(work, 'bundle');
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      bundleArgs(bundle, upstream.address, repo),
      (s) => out.push(s),
      (s) => err.push(s),
    );
    if (code !== 0) throw new Error(`bundle exited ${code}: ${err.join('')}`);
    aggregate = /aggregate sha256 ([a-f0-9]{64})/.exec(out.join(''))![1];
    // 30-35 s on this 2-core machine at a load average of 7-8; past 120 s (its old limit) at 20, three test runs at once.
  }, 300000);

  afterAll(async () => {
    await Promise.all([upstream?.stop(), site?.stop()]);
    repo?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('references every image of every bundled manifest by digest, and stores each in its OCI layout', () => {
    const inventory = JSON.parse(fs.readFileSync(path.join(bundle, 'inventory.json'), 'utf8'));
    const objects = fs
      .readdirSync(path.join(bundle, 'manifests'))
      .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(bundle, 'manifests', f), 'utf8')).map((d) => d.toJS()));
    const refs = imagesIn(objects);
    expect(refs.length).toBeGreaterThanOrEqual(8);
    for (const r of refs) expect(r).toMatch(/^registry\.airgap\.internal:5000\/[^@]+:[^@]+@sha256:[a-f0-9]{64}$/);
    const layout = JSON.parse(fs.readFileSync(path.join(bundle, 'images', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const stored = new Set(layout.manifests.map((m) => m.digest));
    for (const r of refs) expect(stored).toContain(r.split('@')[1]);
    // The SBOM-style inventory names each image with version, digest and source.
    for (const i of inventory.images)
      expect(i).toEqual({
        name: expect.any(String),
        version: expect.any(String),
        digest: expect.stringMatching(/^sha256:/),
        source: expect.stringContaining(upstream.address),
        reference: expect.stringContaining('@sha256:'),
      });
    expect(inventory.images.map((i: { reference: string }) => i.reference).sort()).toEqual(expect.arrayContaining(refs));
  });

  it('verifies, pushes every image into the site registry by digest, then installs charts and applies manifests in order', async () => {
    const log = path.join(work, 'install.log');
    const r = runInstall(bundle, ['install', '--expect', aggregate, '--registry', site.address, '--dest-tls-verify=false'], log);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const inventory = JSON.parse(fs.readFileSync(path.join(bundle, 'inventory.json'), 'utf8'));
    for (const i of inventory.images) expect(await site.has(i.name, i.digest)).toBe(true);
    const calls = fs.readFileSync(log, 'utf8').trim().split('\n');
    const manifests = fs.readdirSync(path.join(bundle, 'manifests')).sort();
    const helm = calls.filter((c) => c.startsWith('helm '));
    const kubectl = calls.filter((c) => c.startsWith('kubectl '));
    expect(helm.map((c) => c.split(' ')[3])).toEqual(charts.charts.map((c) => c.release));
    expect(kubectl.map((c) => path.basename(c.split(' ').pop()!))).toEqual([path.basename(GATEWAY_API_CRDS_FILE), ...manifests]);
    expect(manifests[0]).toMatch(/^00-/);
    // Gateway API's standard CRDs first, server-side, then the charts (operators and their CRDs), then the manifests.
    expect(calls[0]).toBe(`kubectl apply --server-side --field-manager=perfstack -f ${GATEWAY_API_CRDS_FILE}`);
    expect(calls.slice(1, helm.length + 1)).toEqual(helm);
    expect(calls.slice(helm.length + 1)).toEqual(kubectl.slice(1));
  }, 300000);

  it("carries Gateway API's v1.6.1 standard-channel CRDs from the pinned release file, listed with their sha256", () => {
    const inventory = JSON.parse(fs.readFileSync(path.join(bundle, 'inventory.json'), 'utf8'));
    const content = fs.readFileSync(path.join(bundle, GATEWAY_API_CRDS_FILE), 'utf8');
    expect(content).toBe(standardInstallYaml());
    const crds = parseAllDocuments(content).map((d) => d.toJS());
    expect(crds.map((c) => c.spec.names.kind)).toEqual(expect.arrayContaining(['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute']));
    for (const c of crds) expect(c.metadata.annotations['gateway.networking.k8s.io/channel']).toBe('standard');
    const sha256 = execFileSync('sha256sum', [path.join(bundle, GATEWAY_API_CRDS_FILE)], { encoding: 'utf8' }).split(' ')[0];
    expect(inventory.crds).toEqual([
      { name: 'gateway-api-crds', version: 'v1.6.1', source: `${repo.url}standard-install.yaml`, file: GATEWAY_API_CRDS_FILE, sha256 },
    ]);
    expect(fs.readFileSync(path.join(bundle, 'SHA256SUMS'), 'utf8')).toContain(`${sha256}  ${GATEWAY_API_CRDS_FILE}\n`);
  });

  it('fails bundle:verify and install.sh verify when the CRD file was changed, and applies nothing', () => {
    const copy = path.join(work, 'tampered-crds');
    fs.cpSync(bundle, copy, { recursive: true });
    fs.appendFileSync(path.join(copy, GATEWAY_API_CRDS_FILE), '# edited\n');
    const err: string[] = [];
    expect(
      verifyMain(
        [copy],
        () => undefined,
        (s) => err.push(s),
      ),
    ).toBe(1);
    expect(err.join('')).toContain(`${GATEWAY_API_CRDS_FILE}: checksum mismatch`);
    const log = path.join(work, 'tampered-crds.log');
    const r = runInstall(copy, ['install', '--skip-images'], log);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${GATEWAY_API_CRDS_FILE}: checksum mismatch`);
    expect(fs.existsSync(log)).toBe(false);
  });

  it('refuses an experimental-channel Gateway API file on the connected side and writes nothing', async () => {
    fs.writeFileSync(
      path.join(work, 'charts', 'experimental-install.yaml'),
      standardInstallYaml().replace(/channel: standard/g, 'channel: experimental'),
    );
    const out = path.join(work, 'experimental');
    const err: string[] = [];
    const args = bundleArgs(out, upstream.address, repo).map((a) => a.replace('standard-install', 'experimental-install'));
    expect(
      await main(
        args,
        () => undefined,
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err.join('')).toContain(
      'CustomResourceDefinition gateways.gateway.networking.k8s.io is channel experimental, expected standard',
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('fails verification naming a changed, a removed and an added file, and installs nothing', () => {
    const copy = path.join(work, 'tampered');
    fs.cpSync(bundle, copy, { recursive: true });
    const manifest = fs.readdirSync(path.join(copy, 'manifests')).sort()[1];
    fs.appendFileSync(path.join(copy, 'manifests', manifest), '# edited\n');
    fs.rmSync(path.join(copy, 'inventory.json'));
    fs.writeFileSync(path.join(copy, 'manifests', '99-extra.k8s.yaml'), 'kind: Secret\n');
    const log = path.join(work, 'tampered.log');
    const r = runInstall(copy, ['install', '--registry', site.address, '--dest-tls-verify=false'], log);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`manifests/${manifest}: checksum mismatch`);
    expect(r.stderr).toContain('inventory.json');
    expect(r.stderr).toContain('manifests/99-extra.k8s.yaml: not listed in SHA256SUMS');
    expect(fs.existsSync(log)).toBe(false);
  });

  it('refuses a bundle whose aggregate is not the one the connected side printed', () => {
    const r = runInstall(bundle, ['verify', '--expect', '0'.repeat(64)], path.join(work, 'expect.log'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is not the expected');
  });

  it('builds the same bundle byte for byte from the same inputs', async () => {
    const again = path.join(work, 'again');
    const err: string[] = [];
    const code = await main(
      bundleArgs(again, upstream.address, repo),
      () => undefined,
      (s) => err.push(s),
    );
    expect({ code, err: withoutWarnings(err) }).toEqual({ code: 0, err: '' });
    expect(fs.readFileSync(path.join(again, 'SHA256SUMS'), 'utf8')).toBe(fs.readFileSync(path.join(bundle, 'SHA256SUMS'), 'utf8'));
  }, 300000);

  it('carries operator charts from a Helm repository, checked against the index digest', async () => {
    const local = await chartRepository(path.join(work, 'one-chart'), [{ chart: 'demo-operator', version: '1.2.3' }]);
    try {
      const dir = path.join(work, 'with-chart');
      const { inventory } = await buildBundle(dir, {
        environment: 'airgap',
        kubernetesVersion: airgap.kubernetesVersion,
        registry: airgap.imageRegistry,
        files: [],
        charts: [
          {
            release: 'demo',
            repository: local.url,
            chart: 'demo-operator',
            version: '1.2.3',
            namespace: 'demo-system',
            values: { image: { registry: airgap.imageRegistry } },
          },
        ],
        sources: { fallback: upstream.address },
        access: { tlsVerify: false },
      });
      expect(inventory.charts).toEqual([
        expect.objectContaining({
          release: 'demo',
          file: 'charts/demo-operator-1.2.3.tgz',
          sha256: expect.stringMatching(/^[a-f0-9]{64}$/),
        }),
      ]);
      expect(fs.readFileSync(path.join(dir, 'charts', 'order.tsv'), 'utf8')).toBe(
        'demo\tdemo-system\tcharts/demo-operator-1.2.3.tgz\tcharts/values/demo.yaml\n',
      );
      // No Gateway API CRD file was asked for: none carried, nothing for install.sh to apply before the charts.
      expect(inventory.crds).toEqual([]);
      expect(fs.existsSync(path.join(dir, 'crds'))).toBe(false);
    } finally {
      local.close();
    }
  });

  it('bundles the images a chart renders with its values too, when helm is installed', async () => {
    const local = await chartRepository(path.join(work, 'rendered-chart'), [{ chart: 'monitoring', version: '2.0.0' }]);
    const bin = path.join(work, 'helm-bin');
    fs.mkdirSync(bin, { recursive: true });
    // helm template as it prints a chart whose values put its images under the site registry.
    fs.writeFileSync(
      path.join(bin, 'helm'),
      `#!/bin/sh\n[ "$1" = template ] || exit 3\nprintf 'kind: Deployment\\nspec:\\n  template:\\n    spec:\\n      containers:\\n        - image: ${airgap.imageRegistry}/grafana/grafana:12.0.0\\n'\n`,
      { mode: 0o755 },
    );
    await pushTestImages(path.join(work, 'grafana-image'), upstream.address, ['grafana/grafana:12.0.0']);
    try {
      const { inventory } = await buildBundle(path.join(work, 'with-rendered'), {
        environment: 'airgap',
        kubernetesVersion: airgap.kubernetesVersion,
        registry: airgap.imageRegistry,
        files: [],
        charts: [{ release: 'monitoring', repository: local.url, chart: 'monitoring', version: '2.0.0', namespace: 'monitoring' }],
        sources: { fallback: upstream.address },
        access: { tlsVerify: false },
        helm: path.join(bin, 'helm'),
      });
      expect(inventory.chartImagesRendered).toBe(true);
      expect(inventory.images.map((i) => i.reference)).toEqual([
        expect.stringMatching(/^registry\.airgap\.internal:5000\/grafana\/grafana:12\.0\.0@sha256:/),
      ]);
    } finally {
      local.close();
    }
  });

  it('names every image the mirror lacks and writes nothing', async () => {
    const out = path.join(work, 'missing');
    const err: string[] = [];
    const empty = new OciRegistry(path.join(work, 'empty'), await freePort());
    await empty.start();
    try {
      const code = await main(
        bundleArgs(out, empty.address, repo),
        () => undefined,
        (s) => err.push(s),
      );
      expect(code).toBe(2);
      expect(err.join('')).toMatch(/image 'registry\.airgap\.internal:5000\/valkey\/valkey:[^']+': skopeo inspect failed/);
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      await empty.stop();
    }
  });

  // Last, while the mirror above still holds the images: the offline bundle is made from a copy of its storage.
  describeWithPrograms('synth and bundle without any network', ['unshare', 'ip'], () => {
    const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;
    const maybe = canUnshare ? it : it.skip;
    if (!canUnshare) process.stderr.write('\n*** SKIPPED: this machine does not allow network namespaces (unshare -n)\n\n');
    // Both run the compiled code, tests included: the project's build, 0.4 s when npm test has just made it, keeps
    // this file honest when it runs alone after an edit.
    beforeAll(() => {
      if (canUnshare)
        execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: ROOT, stdio: 'pipe' });
    }, 300000);

    maybe(
      'synthesizes every environment in a network namespace with no interface up',
      () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-offline-'));
        try {
          // The compiled entry, as `npm run synth` and `npx cdk8s synth` run it.
          const r = spawnSync('unshare', ['-n', process.execPath, path.join(ROOT, 'lib/stacks/synth-cli.js'), '--out', out], {
            encoding: 'utf8',
            cwd: ROOT,
          });
          expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
          expect(fs.readdirSync(out).sort()).toEqual(expect.arrayContaining(['airgap']));
        } finally {
          fs.rmSync(out, { recursive: true, force: true });
        }
      },
      60000,
    );

    maybe(
      'builds and verifies a bundle in a network namespace where only loopback exists',
      () => {
        const offline = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-offline-bundle-'));
        fs.cpSync(path.join(work, 'upstream', 'data'), path.join(offline, 'reg', 'data'), { recursive: true });
        fs.mkdirSync(path.join(offline, 'charts'), { recursive: true });
        fs.writeFileSync(path.join(offline, 'charts', 'standard-install.yaml'), standardInstallYaml());
        const script = path.join(offline, 'offline.sh');
        // Everything the bundle needs is on loopback inside the namespace: the mirror registry and its images.
        fs.writeFileSync(
          script,
          `set -e
ip link set lo up
cd ${ROOT}
${process.execPath} -e "
const { OciRegistry, chartRepository } = require('./lib/test/integration/support/oci-registry');
const { airgap } = require('./lib/stacks/airgap');
const { operatorCharts } = require('./lib/delivery/operator-charts');
(async () => {
  const r = new OciRegistry('${offline}/reg', 5999);
  await r.start();
  const repo = await chartRepository('${offline}/charts', operatorCharts(airgap).charts);
  const code = await require('./lib/delivery/bundle-cli').main(['--env', 'airgap', '--out', '${offline}/bundle', '--from', r.address, '--plain-http', '--chart-mirror', repo.url, '--gateway-api-crds', repo.url + 'standard-install.yaml']);
  await r.stop();
  repo.close();
  process.exit(code);
})();
"
${offline}/bundle/install.sh verify
`,
        );
        try {
          const r = spawnSync('unshare', ['-n', 'bash', script], { encoding: 'utf8' });
          expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
          expect(r.stdout).toContain('bundle verified');
        } finally {
          fs.rmSync(offline, { recursive: true, force: true });
        }
      },
      120000,
    );
  });
});
