import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NODE_RECORDS, SCALING_RECORDS } from '../../constructs/observability/performance-record-names';
import { main } from '../../reporting/scaling-audit-cli';
import { freePort } from '../integration/support/ports';
import { runAsyncCli } from '../support/cli';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

/** A metrics-export records file of api-gateway: one scale-up from 2 to 4 at T0 + 30 s. */
function exportFile(dir: string): string {
  const series = (name: string, values: number[], labels: Record<string, string> = {}) => ({
    metric: { __name__: name, namespace: 'web', service: 'api-gateway', ...labels },
    values: values.map((v, i) => [(T0 + i * 15_000) / 1000, String(v)]),
  });
  const load = { metric: 'http_requests_per_second', type: 'average' };
  const result = [
    series(SCALING_RECORDS.current, [2, 2, 2, 4, 4]),
    series(SCALING_RECORDS.desired, [2, 2, 4, 4, 4]),
    series(SCALING_RECORDS.min, [2, 2, 2, 2, 2]),
    series(SCALING_RECORDS.max, [20, 20, 20, 20, 20]),
    series(SCALING_RECORDS.metricValue, [10, 10, 20, 10, 10], load),
    series(SCALING_RECORDS.metricTarget, [10, 10, 10, 10, 10], load),
  ];
  const file = path.join(dir, 'api-gateway.records.0.json');
  fs.writeFileSync(file, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
  return file;
}

/** The export's node records: Karpenter adds two spot nodes at T0 + 1 min and removes one at T0 + 3 min. */
function nodesFile(dir: string): string {
  const series = (name: string, values: number[], labels: Record<string, string>) => ({
    metric: { __name__: name, autoscaler: 'karpenter', nodepool: 'default', capacity_type: 'spot', ...labels },
    values: values.map((v, i) => [(T0 - 60_000 + i * 60_000) / 1000, String(v)]),
  });
  const result = [
    series(NODE_RECORDS.added, [5, 5, 7, 7, 7], { reason: 'provisioned' }),
    series(NODE_RECORDS.removed, [1, 1, 1, 1, 2], { reason: 'underutilized' }),
  ];
  const file = path.join(dir, '_nodes.records.0.json');
  fs.writeFileSync(file, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
  return file;
}

const run = (argv: string[]) => runAsyncCli(main, argv);

describe('npm run scaling-audit', () => {
  let dir: string;
  let file: string;
  const range = ['--from', iso(T0), '--to', iso(T0 + 60_000)];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-audit-cli-'));
    file = exportFile(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists each decision with its reason from the export files, as a table', async () => {
    const r = await run(['--export', dir, '--service', 'api-gateway', ...range]);
    expect(r).toEqual({
      code: 0,
      err: '',
      out:
        '2026-12-01T00:00:30Z  api-gateway  scaled up 2 -> 4: metric http_requests_per_second 20 vs target 10 asked for 4\n' +
        '1 replica changes (1 up, 0 down)\n',
    });
  });

  it('writes csv with a header and json with the reason sentence', async () => {
    const csv = await run(['--export', file, '--service', 'api-gateway', ...range, '--format', 'csv']);
    expect(csv.out.split('\n')[0]).toBe('time,service,from,to,cause,metric,value,target,proposed,limit,reason');
    expect(csv.out.split('\n')[1]).toBe(
      '2026-12-01T00:00:30Z,api-gateway,2,4,metric,http_requests_per_second,20,10,4,,scaled up 2 -> 4: metric http_requests_per_second 20 vs target 10 asked for 4',
    );
    const json = await run(['--export', file, '--service', 'api-gateway', ...range, '--format', 'json']);
    expect(JSON.parse(json.out)).toEqual([expect.objectContaining({ from: 2, to: 4, cause: 'metric', time: '2026-12-01T00:00:30Z' })]);
  });

  it('writes the list whole to --output and says so on one line', async () => {
    const out = path.join(dir, 'sub', 'audit.csv');
    const r = await run(['--export', file, '--service', 'api-gateway', ...range, '--format', 'csv', '--output', out]);
    expect(r.out).toBe(`scaling-audit: wrote 1 replica changes of api-gateway to ${out}\n`);
    expect(fs.readFileSync(out, 'utf8').split('\n')).toHaveLength(3);
  });

  it("lists the cluster's node changes with their reasons with --nodes, as a table, csv or json", async () => {
    const nodes = nodesFile(dir);
    const nodeRange = ['--from', iso(T0), '--to', iso(T0 + 3 * 60_000)];
    expect(await run(['--export', dir, '--nodes', ...nodeRange])).toEqual({
      code: 0,
      err: '',
      out:
        '2026-12-01T00:01:00Z  karpenter added 2 nodes to nodepool default (spot): provisioned\n' +
        '2026-12-01T00:03:00Z  karpenter removed 1 node from nodepool default (spot): underutilized\n' +
        '2 node changes (2 nodes added, 1 removed)\n',
    });
    const csv = await run(['--export', nodes, '--nodes', ...nodeRange, '--format', 'csv']);
    expect(csv.out.split('\n').slice(0, 2)).toEqual([
      'time,autoscaler,change,count,reason,nodepool,capacity_type,description',
      '2026-12-01T00:01:00Z,karpenter,added,2,provisioned,default,spot,karpenter added 2 nodes to nodepool default (spot): provisioned',
    ]);
    const json = await run(['--export', nodes, '--nodes', ...nodeRange, '--format', 'json']);
    expect(JSON.parse(json.out)).toEqual([
      expect.objectContaining({ time: '2026-12-01T00:01:00Z', change: 'added', count: 2, reason: 'provisioned' }),
      expect.objectContaining({ time: '2026-12-01T00:03:00Z', change: 'removed', count: 1, reason: 'underutilized' }),
    ]);
    const out = path.join(dir, 'nodes.csv');
    expect((await run(['--export', nodes, '--nodes', ...nodeRange, '--output', out])).out).toBe(
      `scaling-audit: wrote 2 node changes of the cluster to ${out}\n`,
    );
  });

  describe('refuses bad input with exit 2, one line, and nothing written', () => {
    const cases: [string, (dir: string, file: string) => Promise<string[]>, RegExp][] = [
      [
        'an unreachable Prometheus',
        async () => ['--prometheus', `http://127.0.0.1:${await freePort()}`, '--service', 'api-gateway', ...range],
        /^scaling-audit: '--prometheus' \(http:\/\/127\.0\.0\.1:\d+\) is unreachable \(ECONNREFUSED\); check the URL and that Prometheus runs\n$/,
      ],
      [
        'an empty range',
        async (_d, f) => ['--export', f, '--service', 'api-gateway', '--from', iso(T0 + 3_600_000), '--to', iso(T0 + 7_200_000)],
        /^scaling-audit: .*api-gateway\.records\.0\.json: no scaling records between 2026-12-01T01:00:00.000Z and 2026-12-01T02:00:00.000Z; is the range right/,
      ],
      [
        '--to before --from',
        async (_d, f) => ['--export', f, '--service', 'api-gateway', '--from', iso(T0), '--to', iso(T0 - 1000)],
        /^scaling-audit: '--to' \(.*\) must be after '--from' \(.*\)\n$/,
      ],
      [
        'an unknown service',
        async (_d, f) => ['--export', f, '--service', 'api-gatewey', ...range],
        /^scaling-audit: '--service' \("api-gatewey"\) has no scaling records in that range; services with records: api-gateway\n$/,
      ],
      [
        'a file that is not an export',
        async (d) => {
          fs.writeFileSync(path.join(d, 'notes.json'), '{"hello": 1}');
          return ['--export', path.join(d, 'notes.json'), '--service', 'api-gateway', ...range];
        },
        /^scaling-audit: .*notes\.json: not a Prometheus range-query export; expected/,
      ],
      [
        'a time without an offset',
        async (_d, f) => ['--export', f, '--service', 'api-gateway', '--from', '2026-12-01T00:00', '--to', iso(T0)],
        /'--from' \("2026-12-01T00:00"\) must be an ISO-8601 time with an offset/,
      ],
      [
        'both --service and --nodes',
        async (_d, f) => ['--export', f, '--service', 'api-gateway', '--nodes', ...range],
        /^scaling-audit: give '--service NAME' \(its replica changes\) or '--nodes' \(the cluster's node changes\), one of them\n$/,
      ],
      [
        'neither --service nor --nodes',
        async (_d, f) => ['--export', f, ...range],
        /^scaling-audit: give '--service NAME' \(its replica changes\) or '--nodes'/,
      ],
      [
        '--nodes where no autoscaler was recorded',
        async (_d, f) => ['--export', f, '--nodes', ...range],
        /^scaling-audit: .*api-gateway\.records\.0\.json: no node records between .*; is the range right, does Prometheus scrape Karpenter or the cluster autoscaler/,
      ],
      [
        'both sources',
        async (_d, f) => ['--export', f, '--prometheus', 'http://x:9090', '--service', 'api-gateway', ...range],
        /give '--prometheus URL' or '--export FILES...'/,
      ],
    ];
    it.each(cases)('%s', async (_name, args, message) => {
      const out = path.join(dir, 'out', 'audit.txt');
      const r = await run([...(await args(dir, file)), '--output', out]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    });
  });

  it('prints help and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--service <name>/);
  });
});
