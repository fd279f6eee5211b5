import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exportScript } from '../../constructs/observability/metrics-export';
import { main as capacity } from '../../planning/capacity/capacity-cli';
import { RunningPrometheus, startPrometheus } from './support/prometheus';
import { airgap } from '../../stacks/airgap';
import { describeWithPrograms } from './support/programs';
import { synthesized } from './support/synthesized';

const MINUTE = 60;

/** The environment the synthesized metrics-export CronJob gives its script, with `overrides`. */
function exportEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const container = synthesized(airgap, 'CronJob', 'metrics-export').spec.jobTemplate.spec.template.spec.containers[0];
  const shipped = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
  return { ...process.env, ...shipped, ...overrides };
}

describeWithPrograms('air-gap metrics export against a real Prometheus', ['prometheus', 'promtool', 'curl'], (bin) => {
  let work: string;
  let prometheus: RunningPrometheus;
  let url: string;
  const end = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - 3 * 3600;
  const start = end - 15 * 86400;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-export-'));
    // Fifteen days of a counter growing by 600 requests a minute for api-gateway and 60 for web, backfilled into a TSDB.
    const lines = ['# HELP http_requests_total Requests.', '# TYPE http_requests_total counter'];
    for (let t = start, i = 0; t <= end; t += MINUTE, i++) {
      lines.push(`http_requests_total{namespace="web",service="api-gateway"} ${600 * i} ${t}`);
      lines.push(`http_requests_total{namespace="web",service="web"} ${60 * i} ${t}`);
    }
    fs.writeFileSync(path.join(work, 'metrics.om'), `${lines.join('\n')}\n# EOF\n`);
    // Blocks of up to 3 days, what this Prometheus (30 d retention) compacts the 2 h blocks promtool makes by
    // default into: 8 blocks instead of 180, which took promtool 6 s of CPU to write.
    execFileSync(
      bin.promtool,
      ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=72h', path.join(work, 'metrics.om'), path.join(work, 'tsdb')],
      { stdio: 'pipe' },
    );
    prometheus = await startPrometheus(bin.prometheus, work);
    url = prometheus.url;
  }, 60000);

  afterAll(async () => {
    await prometheus?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('writes one range-query export per service, a point a minute, in requests per second', () => {
    const out = path.join(work, 'export');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(work, 'export.sh'), exportScript());
    // The CronJob's own environment, with Prometheus and the volume on loopback.
    const env = exportEnv({ EXPORT_DIR: out, PROMETHEUS_URL: url });
    const stdout = execFileSync('sh', [path.join(work, 'export.sh')], { env, encoding: 'utf8' });
    expect(stdout).toMatch(/exported 4 services to /); // airgap's four; the TSDB has data for two of them
    // And the week before, as a site re-exports weeks from before the job existed.
    execFileSync('sh', [path.join(work, 'export.sh')], {
      env: { ...env, END: String(Math.floor(Date.now() / 1000) - 7 * 86400) },
      encoding: 'utf8',
    });
    const folders = fs.readdirSync(out).sort();
    expect(folders).toHaveLength(2);
    const folder = folders[1];
    expect(folder).toMatch(/^\d{4}-\d{2}-\d{2}T\d{4}Z$/);
    for (const [service, perSecond] of [
      ['api-gateway', 10],
      ['web', 1],
    ] as const) {
      const body = JSON.parse(fs.readFileSync(path.join(out, folder, `${service}.json`), 'utf8'));
      expect(body.status).toBe('success');
      expect(body.data.resultType).toBe('matrix');
      const values: [number, string][] = body.data.result[0].values;
      // Seven days (the export's window) at one point a minute.
      expect(values.length).toBeGreaterThan(7 * 1440 - 200); // the last 3 hours have no data
      expect(values[1][0] - values[0][0]).toBe(60);
      const middle = Number(values[Math.floor(values.length / 2)][1]);
      expect(middle).toBeCloseTo(perSecond, 1);
    }
  });

  it('feeds capacity planning offline, as it is, two weekly exports joined', () => {
    const out = path.join(work, 'export');
    const files = fs.readdirSync(out).map((f) => path.join(out, f, 'api-gateway.json'));
    const lines: string[] = [];
    const errors: string[] = [];
    const code = capacity(
      ['--env', 'airgap', '--history', ...files, '--per-replica', '600', '--site-nodes', '8x8/16G', '--plot', path.join(work, 'plot.svg')],
      (s) => lines.push(s),
      (s) => errors.push(s),
    );
    expect({ code, errors: errors.join('') }).toEqual({ code: 0, errors: '' });
    // 600 requests a minute, both weeks.
    expect(lines.join('')).toMatch(/^\d{4}-\d{2}-\d{2} +600 /m);
    expect(fs.readFileSync(path.join(work, 'plot.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('keeps only the newest exports', () => {
    const out = path.join(work, 'rotate');
    for (const d of ['2026-01-01T0100Z', '2026-01-08T0100Z', '2026-01-15T0100Z']) fs.mkdirSync(path.join(out, d), { recursive: true });
    fs.writeFileSync(path.join(work, 'export.sh'), exportScript());
    const env = exportEnv({ EXPORT_DIR: out, PROMETHEUS_URL: url, SERVICES: 'web', DAYS: '1', KEEP: '2' });
    execFileSync('sh', [path.join(work, 'export.sh')], { env, encoding: 'utf8' });
    const left = fs.readdirSync(out).sort();
    expect(left).toHaveLength(2);
    expect(left[0]).toBe('2026-01-15T0100Z');
  });
});
