import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';
import { synthesized } from './support/synthesized';

const run = promisify(execFile);
const TOKEN = 'projected-token';

/**
 * A loopback stand-in for the Kubernetes API: the pods of the Redis StatefulSet (the first answer has one pod not
 * yet scheduled, as right after the StatefulSet is created) and their nodes' zone labels.
 */
function fakeApi(namespace: string, selector: string, pods: number): http.Server {
  let podCalls = 0;
  return http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401).end();
      return;
    }
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === `/api/v1/namespaces/${namespace}/pods` && url.searchParams.get('labelSelector') === selector) {
      podCalls++;
      // Listed out of ordinal order: the script must sort by ordinal, not by name (redis-10 after redis-9).
      const items = Array.from({ length: pods }, (_, i) => ({
        metadata: { name: `redis-${pods - 1 - i}` },
        spec: podCalls === 1 && i === 0 ? {} : { nodeName: `node-${(pods - 1 - i) % 3}` },
      }));
      json({ items });
      return;
    }
    const node = /^\/api\/v1\/nodes\/(node-\d)$/.exec(url.pathname);
    if (node) {
      json({ metadata: { name: node[1], labels: { 'topology.kubernetes.io/zone': `eu-west-1${'abc'[Number(node[1].slice(5))]}` } } });
      return;
    }
    res.writeHead(404).end();
  });
}

describeWithPrograms('Redis bootstrap zone lookup from the synthesized prod Job, on real python3', ['python3'], () => {
  const configMap = synthesized(prod, 'ConfigMap', 'redis');
  const job = synthesized(prod, 'Job', 'redis-bootstrap');
  const placement = job.spec.template.spec.initContainers[0];
  const [, , , namespace, selector, nodes, headless] = placement.command as string[];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-placement-'));
  const server = fakeApi(namespace, selector, Number(nodes));

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    fs.writeFileSync(path.join(dir, 'token'), `${TOKEN}\n`);
    fs.writeFileSync(path.join(dir, 'placement.py'), configMap.data['placement.py']);
  });
  afterAll(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs in the pinned CloudNativePG image, not a removed kubectl image', () => {
    expect(placement.image).toMatch(/\/cloudnative-pg\/postgresql:\d+\.\d+$/);
    expect(placement.command.slice(0, 3)).toEqual(['python3', '-B', '/scripts/placement.py']);
  });

  it('waits for every pod to be scheduled, then writes pod, zone and address per pod in ordinal order', async () => {
    const out = path.join(dir, 'placement');
    const { port } = server.address() as AddressInfo;
    const { stdout } = await run('python3', ['-B', path.join(dir, 'placement.py'), namespace, selector, nodes, headless, out], {
      env: { ...process.env, KUBE_API: `http://127.0.0.1:${port}`, SA_DIR: dir },
      timeout: 30000,
    });
    expect(stdout).toMatch(/placement: \d+ of \d+ pods scheduled/);
    const expected = Array.from(
      { length: Number(nodes) },
      (_, i) => `redis-${i} eu-west-1${'abc'[i % 3]} redis-${i}.${headless}.${namespace}.svc.cluster.local:6379`,
    );
    expect(fs.readFileSync(out, 'utf8')).toBe(expected.join('\n') + '\n');
  }, 40000);
});
