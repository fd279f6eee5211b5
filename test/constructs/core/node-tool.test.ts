import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLIENT_APPLY_MAX_BYTES, CONFIGMAP_MAX_BYTES, NodeTool, bundleNodeTool } from '../../../constructs/core/node-tool';
import { resolveRemediationPolicy } from '../../../constructs/observability/remediation-policy';
import { freePort, waitForPort } from '../../integration/support/ports';
import { schemaValidator } from '../../support/k8s-schema';
import { freshChart, objectsOf } from '../../support/synth';

const props = {
  name: 'runner-program',
  namespace: 'web',
  entry: 'remediation/main.ts',
  image: 'registry.example/library/node:24.20.0-trixie-slim',
};

describe('NodeTool', () => {
  it('bundles each entry once per process into one file that names its source', () => {
    const a = bundleNodeTool('remediation/main.ts');
    expect(bundleNodeTool('remediation/main.ts')).toBe(a);
    expect(a.code.split('\n')[0]).toMatch(/^\/\/ perfstack remediation\/main\.ts, bundled by esbuild \d+\.\d+\.\d+ for node20\+/);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Self-contained: no require of a project file or of a package outside Node.js itself.
    const required = [...a.code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required.filter((r) => !r.startsWith('node:') && !/^[a-z_]+$/.test(r))).toEqual([]);
    expect(required.filter((r) => ['ioredis', 'commander', 'cdk8s', 'constructs'].includes(r))).toEqual([]);
  });

  it('keeps the runner small enough for client-side kubectl apply, far below the 1 MiB ConfigMap limit', () => {
    expect(CONFIGMAP_MAX_BYTES).toBe(1048576);
    expect(bundleNodeTool('remediation/main.ts').bytes).toBeLessThan(CLIENT_APPLY_MAX_BYTES);
  });

  it('runs under node as bundled: the runner starts, records a dry-run decision for a webhook and counts it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-node-tool-'));
    const file = path.join(dir, 'main.js');
    fs.writeFileSync(file, bundleNodeTool('remediation/main.ts').code);
    fs.writeFileSync(path.join(dir, 'token'), 'unused');
    fs.writeFileSync(path.join(dir, 'ca.crt'), '');
    const policy = resolveRemediationPolicy(
      'web',
      { services: [{ service: 'api-gateway', rules: [{ alert: 'LatencyP99High', action: { kind: 'scale', by: 4, minutes: 30 } }] }] },
      { 'api-gateway': { minReplicas: 2, maxReplicas: 20 } },
    );
    fs.writeFileSync(path.join(dir, 'policy.json'), JSON.stringify(policy));
    const port = await freePort();
    const child = spawn(process.execPath, [file, `--policy=${path.join(dir, 'policy.json')}`, `--port=${port}`], {
      env: { ...process.env, SERVICE_ACCOUNT_DIR: dir, KUBERNETES_SERVICE_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    try {
      await waitForPort(port, child);
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe('ok\n');
      const alert = {
        status: 'firing',
        labels: { alertname: 'LatencyP99High', service: 'api-gateway' },
        startsAt: new Date().toISOString(),
        fingerprint: 'f1',
      };
      const res = await fetch(`http://127.0.0.1:${port}/alerts`, {
        method: 'POST',
        body: JSON.stringify({ version: '4', status: 'firing', alerts: [alert] }),
      });
      // Dry-run (the default): decided and recorded; the Event it then writes fails here, without an API server.
      expect(res.status).toBe(500);
      expect(out.join('')).toContain('"verdict":"act","action":"scale","dryRun":true,"outcome":"dry-run"');
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain(
        'perfstack_remediation_decisions_total{service="api-gateway",alertname="LatencyP99High",verdict="act",action="scale",dry_run="true"} 1',
      );
    } finally {
      child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ships the program in a schema-valid ConfigMap and gives the pod its container, volume and checksum', () => {
    const chart = freshChart();
    const tool = new NodeTool(chart, 't', props);
    const [cm] = objectsOf(chart);
    expect([cm.kind, schemaValidator().validate(cm)]).toEqual(['ConfigMap', []]);
    expect(tool.container('runner', ['--port=8080'])).toEqual({
      name: 'runner',
      image: props.image,
      command: ['node', '/opt/perfstack/main.js'],
      args: ['--port=8080'],
    });
    expect(tool.volumeMount).toEqual({ name: 'program', mountPath: '/opt/perfstack', readOnly: true });
    expect(tool.podAnnotations).toEqual({ 'perfstack.io/program-sha256': tool.bundle.sha256 });
  });

  it('refuses at synth a program over its size limit, and a limit above what a ConfigMap holds, one line each', () => {
    const bytes = bundleNodeTool('remediation/main.ts').bytes;
    expect(() => new NodeTool(freshChart(), 't', { ...props, maxBytes: 1000 })).toThrow(
      `test/t: 'entry' ("remediation/main.ts (${bytes} bytes bundled)") must bundle to at most 1000 bytes to fit its ConfigMap;`,
    );
    expect(() => new NodeTool(freshChart(), 't', { ...props, maxBytes: 2 * CONFIGMAP_MAX_BYTES })).toThrow(
      `test/t: 'maxBytes' (2097152) must be at most 1048576 (1 MiB): the API server refuses a larger ConfigMap`,
    );
  });
});
