import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../../planning/capacity/capacity-cli';
import { DAY_MS, History, MINUTE_MS, WEEK_MS } from '../../../planning/shared/history';
import { projectCapacity } from '../../../planning/capacity/capacity-projection';
import { runCli } from '../../support/cli';
import { normal } from '../../support/random';

const START = Date.UTC(2026, 0, 4); // a Sunday

/** 5-minute history with a daily cycle, growing `monthly` a month, for `weeks`. */
function growingHistory(weeks: number, monthly: number): History {
  const z = normal(7);
  const perMinute = Float64Array.from({ length: (weeks * WEEK_MS) / (5 * MINUTE_MS) }, (_, i) => {
    const t = i * 5 * MINUTE_MS;
    const daily = 0.5 + 0.5 * Math.max(0, Math.sin(((t % DAY_MS) / DAY_MS) * 2 * Math.PI - Math.PI / 2)) ** 2;
    return 200 * daily * monthly ** (t / (30.44 * DAY_MS)) * Math.exp(0.05 * z());
  });
  return { start: START, stepMs: 5 * MINUTE_MS, perMinute };
}

function toCsv(h: History): string {
  return [...h.perMinute].map((v, i) => `${new Date(h.start + i * h.stepMs).toISOString()},${(v * 5).toFixed(1)}`).join('\n');
}

const run = (argv: string[]) => runCli(main, argv);

describe('capacity from a projection', () => {
  // A peak of 1000 req/min growing 3% a week (bands +-10% and +-20%); one service of 500m pods at 300 req/min per
  // replica, 2-12 replicas, on 1-CPU nodes at $0.10/h (on-demand) with at most 5 of them.
  const model = {
    at: (t: number) => {
      const median = 1000 * 1.03 ** ((t - START) / WEEK_MS);
      return { median, lo80: median / 1.1, hi80: median * 1.1, lo95: median / 1.2, hi95: median * 1.2 };
    },
  };
  const from = START + 19 * WEEK_MS;
  const pod = {
    workload: 'Deployment/web/api',
    cpuMillis: 500,
    memoryMiB: 256,
    minReplicas: 2,
    maxReplicas: 12,
    spotTolerant: false,
    costCenter: 'cc',
  };
  const pool = { instanceType: 'small', shape: { cpuMillis: 1000, memoryMiB: 4096 }, vcpu: 1, onDemandHourly: 0.1, spotHourly: 0.04 };
  const service = {
    workload: 'Deployment/web/api',
    name: 'api',
    min: 2,
    max: 12,
    replicasAt: (peak: number) => Math.ceil(peak / 300),
  };
  const p = projectCapacity({
    model,
    from,
    months: 6,
    services: [service],
    cost: { demands: [pod], onDemand: pool },
    poolMax: { onDemand: 5, spot: 0 },
  });

  it('turns each month s peak into replicas, bin-packed nodes and their monthly cost', () => {
    for (const row of p.rows) {
      const replicas = Math.min(12, Math.max(2, Math.ceil(row.peak.median / 300)));
      expect(row.levels.median.replicas.api).toBe(replicas);
      expect(row.levels.median.nodes.onDemand).toBe(Math.ceil(replicas / 2));
      expect(row.levels.median.monthlyCost).toBeCloseTo(Math.ceil(replicas / 2) * 0.1 * 730, 6);
    }
    expect(p.rows[6].levels.hi95.monthlyCost).toBeGreaterThan(p.rows[0].levels.median.monthlyCost);
  });

  it('dates the week the service needs its max and the pool more than its max nodes, sooner at the upper bounds', () => {
    const weekOf = (peak: number) =>
      from + Math.ceil(((Math.log(peak / model.at(from).median) / Math.log(1.03 ** (30.44 / 7))) * 30.44) / 7 - 1e-9) * WEEK_MS;
    // 12 replicas at 300 req/min each: 3,600 req/min; the pool's 5 nodes hold 10 replicas: past 3,000.
    const atMax = p.serviceAtMax.api;
    expect(atMax.median).toBeDefined();
    expect(Math.abs(atMax.median! - weekOf(3300.01))).toBeLessThanOrEqual(2 * WEEK_MS);
    expect(atMax.hi95!).toBeLessThanOrEqual(atMax.median!);
    expect(p.poolAtMax.onDemand.median!).toBeLessThanOrEqual(atMax.median!);
    expect(p.poolAtMax.spot.median).toBeUndefined();
  });
});

describe('npm run capacity -- --history (planning/capacity/history-mode.ts)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capacity-'));
  const csv = path.join(dir, 'growing.csv');
  fs.writeFileSync(csv, toCsv(growingHistory(12, 1.15)));
  const plot = path.join(dir, 'plot.svg');

  it('projects a growing service to its max replicas and prices the nodes month by month', () => {
    const { code, out, err } = run(['--history', csv, '--per-replica', '30', '--env', 'prod', '--plot', plot, '--format', 'json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc.rows).toHaveLength(7);
    // 12 weeks cannot check a month ahead (that takes twice its length of history and 3 backtest errors): every
    // horizon is flagged, and the growth the history shows (15% a month) goes on halved each month.
    expect(doc.model.tooShort).toEqual([1, 2, 3, 4, 5, 6]);
    expect(doc.model.seasonality).toBe('none');
    type Row = { t: number; levels: Record<string, { replicas: Record<string, number>; monthlyCost: number }> };
    const gateway = doc.rows.map((r: Row) => r.levels.median.replicas['api-gateway']);
    // 12 weeks at 15% a month take the 200 req/min peak to about 300 today: at 30 per replica and 70%, 15
    // replicas, then the month-ahead ratio the history shows and its growth, halved each month, up to the max of 20.
    expect(gateway[0]).toBeGreaterThanOrEqual(14);
    expect(gateway[0]).toBeLessThanOrEqual(18);
    expect(gateway[6]).toBe(20);
    expect(gateway.every((n: number, i: number) => i === 0 || n >= gateway[i - 1])).toBe(true);
    // 20 replicas carry 420 req/min: 1.4x today's load, about 2.4 months at 15% a month; sooner at the upper bounds.
    const month = 30.44 * 86_400_000;
    const atMax = doc.serviceAtMax['api-gateway'];
    expect((atMax.median - doc.rows[0].t) / month).toBeGreaterThan(1.5);
    expect((atMax.median - doc.rows[0].t) / month).toBeLessThan(3.5);
    expect(atMax.hi95).toBeLessThan(atMax.median);
    // prod's four on-demand nodes (its pool minimum) hold all of it: the same cost every month.
    expect(new Set(doc.rows.map((r: Row) => r.levels.hi95.monthlyCost)).size).toBe(1);
  });

  it('writes an SVG with the history, the median and both bands', () => {
    const svg = fs.readFileSync(plot, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // One dot per day's peak.
    expect(svg.match(/<circle /g)).toHaveLength(84);
    expect(svg).toContain('<title>95% interval</title>');
    expect(svg).toContain('<title>80% interval</title>');
    expect(svg).toContain('<title>projected median</title>');
    expect(svg).toContain('api-gateway at max replicas (20)');
  });

  it('prints tables for people', () => {
    const { code, out } = run(['--history', csv, '--per-replica', '30', '--plot', plot]);
    expect(code).toBe(0);
    expect(out).toMatch(/^perfstack capacity: prod, api-gateway history .*, 30 req\/min per replica at 70%, 6 months\n/);
    expect(out).toContain("model: today's level (median daily peak of the last 28 days, ");
    expect(out).toMatch(/\nhistory too short for months 1-6: 84 days of history, and a horizon needs twice its length/);
    expect(out).toContain('backtest on this history: no origin has 6 months of history after it');
    expect(out).toMatch(/\nreaches its max +median +80% upper +95% upper\napi-gateway replicas +\d{4}-\d\d-\d\d/);
  });

  it('exits 2 with one line per bad input', () => {
    const { code, err } = run(['--history', 'nope.csv', '--months', '0', '--service', 'db', '--format', 'yaml']);
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toEqual([
      `capacity: '--format' ("yaml") must be text or json`,
      `capacity: '--history' ("nope.csv") no such file`,
      `capacity: '--months' ("0") must be a whole number of months from 1 to 36`,
      `capacity: '--per-replica' (missing) must be a number of requests per minute > 0`,
      `capacity: '--service' ("db") is not a service of prod; choose from api-gateway, nlp-service, audit-service, web`,
      `capacity: '--target' (missing) must be a utilization between 0 (exclusive) and 1 (the service has no CPU target to default to)`,
    ]);
    expect(run([]).err).toBe(
      `capacity: '--history' (missing) is needed: the request-rate history to project (or --nodes to check a fit)\n`,
    );
  });
});
