import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { FIND_REDIS_MASTER } from '../../constructs/resilience/chaos-experiments';
import { staging } from '../../stacks/staging';
import { describeWithPrograms } from './support/programs';
import { synthesized } from './support/synthesized';

const run = promisify(execFile);

/** CLUSTER NODES as Redis 7 prints it with announced hostnames (a failed master, a live one, a replica). */
const CLUSTER_NODES = [
  'a1 10.0.1.5:6379@16379,redis-0.redis-headless.web.svc.cluster.local master,fail - 0 0 1 disconnected',
  'b2 10.0.2.7:6379@16379,redis-4.redis-headless.web.svc.cluster.local master - 0 1700000000000 5 connected 5461-10922',
  'c3 10.0.3.9:6379@16379,redis-2.redis-headless.web.svc.cluster.local myself,slave b2 0 1700000000000 5 connected',
].join('\n');

describeWithPrograms('chaos trigger of staging, on real sh, awk and python3', ['python3'], () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-trigger-'));
  const data = synthesized(staging, 'ConfigMap', 'chaos-experiments').data;
  const calls: { method: string; url: string; body?: Record<string, unknown> }[] = [];
  let existing = true;
  const api = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
      calls.push({ method: req.method!, url: req.url!, body });
      const json = (code: number, o: unknown) => res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(o));
      if (req.method === 'DELETE') {
        existing = false;
        json(200, {});
      } else if (req.method === 'GET') json(existing ? 200 : 404, {});
      else json(201, body);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    fs.writeFileSync(path.join(dir, 'token'), 't\n');
    fs.writeFileSync(path.join(dir, 'trigger.py'), data['trigger.py']);
    fs.writeFileSync(path.join(dir, 'redis-master-kill.json'), data['redis-master-kill.json']);
  });
  afterAll(() => {
    api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the pod of a live master in CLUSTER NODES', async () => {
    fs.writeFileSync(path.join(dir, 'nodes'), CLUSTER_NODES + '\n');
    const script = FIND_REDIS_MASTER.replace('"$REDIS_CLI" -h "$REDIS_HOST" cluster nodes', `cat ${dir}/nodes`).replace(
      /\/work\/target/g,
      `${dir}/target`,
    );
    const { stdout } = await run('sh', ['-c', script]);
    expect(stdout.trim()).toBe('redis-4');
  });

  it('replaces the previous run of the experiment with a new PodChaos aimed at that pod', async () => {
    const job = synthesized(staging, 'CronJob', 'chaos-redis-master-kill').spec.jobTemplate.spec.template.spec.containers[0];
    const [, , , namespace] = job.command as string[];
    const { stdout } = await run(
      'python3',
      ['-B', path.join(dir, 'trigger.py'), namespace, path.join(dir, 'redis-master-kill.json'), path.join(dir, 'target')],
      { env: { ...process.env, KUBE_API: `http://127.0.0.1:${(api.address() as AddressInfo).port}`, SA_DIR: dir } },
    );
    expect(stdout).toContain('trigger: created PodChaos redis-master-kill');
    const base = '/apis/chaos-mesh.org/v1alpha1/namespaces/web/podchaos';
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      `DELETE ${base}/redis-master-kill`,
      `GET ${base}/redis-master-kill`,
      `POST ${base}`,
    ]);
    expect(calls[2].body).toMatchObject({ kind: 'PodChaos', spec: { action: 'pod-kill', selector: { pods: { web: ['redis-4'] } } } });
  });
});
