import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { renderPlacementScript } from '../../../constructs/data/redis-placement';
import { describeWithPrograms } from '../../integration/support/programs';

const run = promisify(execFile);

/** What the loopback API serves: pods (name -> node) and node zone labels, and how it misbehaves. */
interface Api {
  readonly pods: Readonly<Record<string, string>>;
  readonly zones: Readonly<Record<string, string | undefined>>;
  /** Answer the first pod list with a 500, as an API server restarting would. @default false */
  readonly failFirst?: boolean;
  /** Rotate the token file after the pod list, and accept only the new token from then on. @default false */
  readonly rotate?: boolean;
}

/**
 * The script as rendered, run on real python3 against a loopback Kubernetes API (the integration test runs the copy
 * in the synthesized prod ConfigMap against prod's StatefulSet; these are the edges).
 */
describeWithPrograms('the Redis placement script, on real python3', ['python3'], (bin) => {
  // The interpreter itself, not a version manager's shim in front of it (pyenv's costs seconds per start).
  const python = execFileSync(bin.python3, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-placement-unit-'));
    fs.writeFileSync(path.join(dir, 'placement.py'), renderPlacementScript());
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function place(api: Api): Promise<{ file: string; stdout: string; stderr: string; requests: string[] }> {
    let token = 'token-1';
    fs.writeFileSync(path.join(dir, 'token'), `${token}\n`);
    const requests: string[] = [];
    let podCalls = 0;
    const server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://localhost');
      requests.push(`${req.headers.authorization} ${url.pathname}`);
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
      const json = (body: unknown) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/api/v1/namespaces/data/pods' && url.searchParams.get('labelSelector') === 'app=redis,tier=cache') {
        if (api.failFirst && podCalls++ === 0) return void res.writeHead(500).end();
        // Rotated before the answer: the next request can only carry the new token if the file is read again.
        if (api.rotate) {
          token = 'token-2';
          fs.writeFileSync(path.join(dir, 'token'), `${token}\n`);
        }
        return json({ items: Object.entries(api.pods).map(([name, nodeName]) => ({ metadata: { name }, spec: { nodeName } })) });
      }
      const node = /^\/api\/v1\/nodes\/([^/]+)$/.exec(url.pathname);
      if (node && node[1] in api.zones) {
        const zone = api.zones[node[1]];
        return json({ metadata: { name: node[1], labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} } });
      }
      return void res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const file = path.join(dir, 'placement');
      const { stdout, stderr } = await run(
        python,
        [
          '-B',
          path.join(dir, 'placement.py'),
          'data',
          'app=redis,tier=cache',
          String(Object.keys(api.pods).length),
          'redis-headless',
          file,
        ],
        { env: { ...process.env, KUBE_API: `http://127.0.0.1:${port}`, SA_DIR: dir }, timeout: 20000 },
      );
      return { file: fs.readFileSync(file, 'utf8'), stdout, stderr, requests };
    } finally {
      server.close();
    }
  }

  it('writes pod, zone and cluster-local address per pod, by ordinal (redis-10 after redis-9), and prints the same', async () => {
    const pods = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`redis-${10 - i}`, `node-${i % 2}`]));
    const r = await place({ pods, zones: { 'node-0': 'eu-west-1a', 'node-1': 'eu-west-1b' } });
    const lines = r.file.trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(Array.from({ length: 11 }, (_, i) => `redis-${i}`));
    expect(lines[0]).toBe('redis-0 eu-west-1a redis-0.redis-headless.data.svc.cluster.local:6379');
    expect(lines[9]).toBe('redis-9 eu-west-1b redis-9.redis-headless.data.svc.cluster.local:6379');
    expect(r.stdout).toBe(r.file);
  });

  it("asks for each node's zone once, however many pods run on it", async () => {
    const r = await place({ pods: { 'redis-0': 'n', 'redis-1': 'n', 'redis-2': 'n' }, zones: { n: 'eu-west-1c' } });
    expect(r.requests.filter((q) => q.endsWith('/api/v1/nodes/n'))).toHaveLength(1);
  });

  it("writes the zone 'none' for a node without a zone label, rather than failing the bootstrap", async () => {
    const r = await place({ pods: { 'redis-0': 'labelled', 'redis-1': 'bare' }, zones: { labelled: 'eu-west-1a', bare: undefined } });
    expect(r.file).toBe(
      'redis-0 eu-west-1a redis-0.redis-headless.data.svc.cluster.local:6379\nredis-1 none redis-1.redis-headless.data.svc.cluster.local:6379\n',
    );
  });

  it('reads the projected token for every request, so a rotated token is picked up', async () => {
    const r = await place({ pods: { 'redis-0': 'n' }, zones: { n: 'eu-west-1a' }, rotate: true });
    // The first request reads token-1; it is rotated after that, and every later request carries the new one.
    expect(r.requests[0]).toBe('Bearer token-1 /api/v1/namespaces/data/pods');
    expect(r.requests.slice(1).length).toBeGreaterThan(0);
    expect(r.requests.slice(1).every((q) => q.startsWith('Bearer token-2 '))).toBe(true);
    expect(r.requests).toContain('Bearer token-2 /api/v1/nodes/n');
  });

  it('retries when the API answers with an error, saying so on stderr', async () => {
    const r = await place({ pods: { 'redis-0': 'n' }, zones: { n: 'eu-west-1a' }, failFirst: true });
    expect(r.stderr).toMatch(/placement: API not reachable yet: HTTP Error 500/);
    expect(r.file).toBe('redis-0 eu-west-1a redis-0.redis-headless.data.svc.cluster.local:6379\n');
  }, 30000);
});
