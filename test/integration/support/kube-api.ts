/**
 * A loopback stand-in for the few Kubernetes API calls the Redis rebalancer makes: list the cluster's pods, get a
 * node's zone label, create an Event. Pods are the harness's nodes: pod IP 127.0.0.1, their own port as the `redis`
 * container port, one Kubernetes node per zone.
 */
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';

export const TOKEN = 'projected-token';

export interface FakePod {
  readonly name: string;
  readonly zone: string;
  readonly port: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export class FakeKubeApi {
  /** Events the client created, in order. */
  public readonly events: Json[] = [];
  private readonly server: http.Server;

  constructor(
    private readonly namespace: string,
    private readonly pods: () => readonly FakePod[],
  ) {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  /** Listens on a free loopback port and writes the service-account token into `saDir`; returns the API's URL. */
  public async start(saDir: string): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    fs.writeFileSync(path.join(saDir, 'token'), `${TOKEN}\n`);
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url!, 'http://localhost');
    const json = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
    if (req.method === 'GET' && url.pathname === `/api/v1/namespaces/${this.namespace}/pods`) {
      const items = this.pods().map((p) => ({
        metadata: { name: p.name, uid: `uid-${p.name}` },
        spec: { nodeName: `node-${p.zone}`, containers: [{ name: 'redis', ports: [{ name: 'redis', containerPort: p.port }] }] },
        status: { podIP: '127.0.0.1' },
      }));
      return json(200, { items });
    }
    const node = /^\/api\/v1\/nodes\/node-(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && node) return json(200, { metadata: { labels: { 'topology.kubernetes.io/zone': node[1] } } });
    if (req.method === 'POST' && url.pathname === `/api/v1/namespaces/${this.namespace}/events`) {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const event = JSON.parse(body);
        this.events.push(event);
        json(201, event);
      });
      return;
    }
    res.writeHead(404).end();
  }
}
