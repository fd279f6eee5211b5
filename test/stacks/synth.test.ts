import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Environment } from '../../stacks/environment';
import { environmentSchema } from '../../stacks/environment-schema';
import { ENVIRONMENTS } from '../../stacks/environments';
import { main } from '../../stacks/synth-cli';
import { ManifestYamlThread } from '../../stacks/manifest-yaml';
import { prod } from '../../stacks/prod';
import { buildPlatform } from '../../stacks/platform';
import { YAML_THREAD_FROM, appCharts, chartObjects, renderEnvironment, synthesizeCharts } from '../../stacks/synth';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { captureStdio } from '../support/cli';
import { snapshotTree } from '../support/files';
import { scaledProd } from '../support/environments';

function withService(change: (s: Environment['services'][number]) => object, env: Environment = prod): Environment {
  return { ...env, services: env.services.map((s) => (s.name === 'api-gateway' ? ({ ...s, ...change(s) } as typeof s) : s)) };
}

describe('synth', () => {
  let tmp: string;
  let out: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-synth-'));
    out = path.join(tmp, 'dist');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes one file per chart for every environment, foundations first', () => {
    const r = captureStdio(() => main(['--out', out]));
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(Object.keys(ENVIRONMENTS).sort());
    expect(fs.readdirSync(path.join(out, 'prod'))).toEqual([
      '00-platform.k8s.yaml',
      '01-api-gateway.k8s.yaml',
      '01-audit-service.k8s.yaml',
      '01-data.k8s.yaml',
      '01-loadtest.k8s.yaml',
      '01-nlp-service.k8s.yaml',
      '01-web.k8s.yaml',
      '02-gateway.k8s.yaml',
      '02-mesh.k8s.yaml',
      '02-resilience.k8s.yaml',
      'helm',
    ]);
    expect(fs.readdirSync(path.join(out, 'prod', 'helm'))).toEqual(['kube-prometheus-stack.values.yaml']);
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  it('validates each Environment once per run (validateEnvironment is the one parser of the Environment schema)', () => {
    const parses = jest.spyOn(environmentSchema, 'safeParse');
    try {
      expect(captureStdio(() => main(['--env', 'prod', 'dev', '--out', out])).code).toBe(0);
      expect(parses.mock.calls.map(([env]) => (env as Environment).name)).toEqual(['prod', 'dev']);
    } finally {
      parses.mockRestore();
    }
  });

  it('is byte-identical across runs', () => {
    captureStdio(() => main(['--out', out]));
    const first = snapshotTree(out);
    captureStdio(() => main(['--out', out]));
    expect(snapshotTree(out)).toEqual(first);
    expect(renderEnvironment(prod)).toEqual(renderEnvironment(prod));
  });

  it('writes the YAML of an environment of YAML_THREAD_FROM services on a second thread, the same files as inline', () => {
    const large = scaledProd(YAML_THREAD_FROM);
    const written = jest.spyOn(ManifestYamlThread.prototype, 'write');
    try {
      const inline = renderEnvironment(large, { yamlThread: false });
      expect(written).not.toHaveBeenCalled();
      expect(inline.length).toBeGreaterThan(YAML_THREAD_FROM);
      expect(renderEnvironment(large)).toEqual(inline);
      // Every chart went through the thread by default; a smaller environment stays in this thread.
      expect(written).toHaveBeenCalledTimes(inline.filter((f) => f.path.endsWith('.k8s.yaml')).length);
      written.mockClear();
      renderEnvironment(scaledProd(YAML_THREAD_FROM - 1));
      expect(written).not.toHaveBeenCalled();
    } finally {
      written.mockRestore();
    }
  });

  it('renders each chart exactly as cdk8s chart.toJson() does, in dependency order', () => {
    const { app } = buildPlatform(prod);
    const charts = synthesizeCharts(prod);
    expect(charts.map((c) => c.objects)).toEqual(app.charts.map((c) => c.toJson()));
    expect(charts.map((c) => c.depth)).toEqual([0, 1, 1, 1, 1, 2, 2, 1, 1, 2]);
    for (const env of Object.values(ENVIRONMENTS)) {
      const built = buildPlatform(env).app;
      expect(appCharts(built)).toEqual(built.charts);
      expect(built.charts.map(chartObjects)).toEqual(built.charts.map((c) => c.toJson()));
    }
  });

  it('orders shared, nested and cross-chart dependencies as cdk8s does, and names a cycle', () => {
    const app = new App();
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    const obj = (scope: Construct, id: string) => new ApiObject(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id } });
    const [w, x, y, z] = ['w', 'x', 'y', 'z'].map((id) => obj(a, id));
    const group = new Construct(a, 'group');
    const g2 = ['g1', 'g2'].map((id) => obj(group, id))[1];
    w.node.addDependency(y, z, y);
    y.node.addDependency(x);
    z.node.addDependency(x, g2);
    group.node.addDependency(x);
    const [u, v] = ['u', 'v'].map((id) => obj(b, id));
    u.node.addDependency(v, x); // x is another chart's: outside b's graph
    for (const chart of [a, b]) expect(chartObjects(chart)).toEqual(chart.toJson());
    b.node.addDependency(a);
    a.node.addDependency(new Chart(app, 'c'));
    expect(appCharts(app)).toEqual(app.charts);
    expect(appCharts(app).map((c) => c.node.id)).toEqual(['c', 'a', 'b']);
    expect(chartObjects(a).map((o) => (o.metadata as { name: string }).name)).toEqual(['x', 'y', 'g2', 'z', 'w', 'g1']);

    x.node.addDependency(w);
    expect(() => chartObjects(a)).toThrow('Dependency cycle detected: a/x => a/w => a/y => a/x');
    // A cycle that no construct outside it leads to is a cycle too, not a silent omission.
    const [p, q] = ['p', 'q'].map((id) => obj(b, id));
    p.node.addDependency(q);
    q.node.addDependency(p);
    expect(() => chartObjects(b)).toThrow('Dependency cycle detected: b/p => b/q => b/p');
    const other = new App();
    const [d, e] = ['d', 'e'].map((id) => new Chart(other, id));
    new Chart(other, 'f');
    d.node.addDependency(e);
    e.node.addDependency(d);
    expect(() => appCharts(other)).toThrow('Dependency cycle detected: d => e => d');
    expect(() => other.charts).toThrow('Dependency cycle detected');
  });

  it('replaces only the environments asked for', () => {
    captureStdio(() => main(['--out', out]));
    const before = snapshotTree(out);
    fs.writeFileSync(path.join(out, 'prod', 'stale.yaml'), 'stale');
    expect(captureStdio(() => main(['--out', out, '--env', 'prod'])).code).toBe(0);
    expect(snapshotTree(out)).toEqual(before);
  });

  describe.each([
    [
      'min > max replicas',
      withService(() => ({ replicas: { min: 21, max: 20 } })),
      "prod/api-gateway/Service: 'replicas.min' (21) must be <= 'replicas.max' (20)",
    ],
    [
      'VPA Auto against an HPA on CPU',
      withService(() => ({ verticalScaling: { updateMode: 'Auto' } })),
      "prod/api-gateway/Service: 'verticalScaling.updateMode' (\"Auto\") would change the cpu and memory requests that the autoscaler scales on; use updateMode 'Off'",
    ],
    ['zero zones', { ...prod, zones: [] }, "prod: 'zones' ([]) must list at least one zone"],
    ['a missing image', withService(() => ({ tag: '' })), 'prod: \'services.api-gateway.tag\' ("") is required: a released version'],
  ] as [string, Environment, string][])('with %s', (_, env, message) => {
    it('exits 1 with the path, the value and the fix, no stack trace, and dist/ untouched', () => {
      // What an earlier good run left: a failed run must leave it exactly as it was.
      fs.mkdirSync(path.join(out, 'prod', 'helm'), { recursive: true });
      fs.writeFileSync(path.join(out, 'prod', '00-platform.k8s.yaml'), 'kind: Namespace\n');
      fs.writeFileSync(path.join(out, 'prod', 'helm', 'kube-prometheus-stack.values.yaml'), 'grafana: {}\n');
      const before = snapshotTree(out);
      const r = captureStdio(() => main(['--out', out], { ...ENVIRONMENTS, prod: env }));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('nothing written');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(snapshotTree(out)).toEqual(before);
      expect(fs.readdirSync(tmp)).toEqual(['dist']);
    });
  });

  it('validates an environment built in JavaScript or read from JSON at run time, with the same one-line errors', () => {
    const cloud = JSON.parse('{"kind":"aws","region":"eu-west-1","accountId":"4444","vpcCidr":"10.40.0.0/8","spotPercent":60,"cdn":false}');
    const r = captureStdio(() => main(['--out', out], { ...ENVIRONMENTS, prod: { ...prod, cloud } }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`prod: 'cloud.accountId' ("4444") must be a 12-digit AWS account id`);
    expect(r.stderr).toContain(`prod: 'cloud.vpcCidr' ("10.40.0.0/8") must be an IPv4 CIDR from /16 to /20`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('rejects an unknown flag as a usage error, exit 2 as in every perfstack CLI', () => {
    const r = captureStdio(() => main(['--colour', 'red', '--out', out]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--colour'/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('rejects an unknown environment from the command line, exit 2, no stack trace', () => {
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep'), 'x');
    // In process; test/integration/compiled-entry.test.ts runs the same mistake through the compiled entry.
    const r = captureStdio(() => main(['--env', 'qa', '--out', out]));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`synth: '--env' ("qa") is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')}\n`);
    expect(fs.readdirSync(out)).toEqual(['keep']);
  });
});
