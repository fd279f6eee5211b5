import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../../planning/cost/cost-cli';
import { IDLE, costReport } from '../../../planning/cost/cost-report';
import { runCli } from '../../support/cli';

const FIXTURE = [
  '--env',
  'staging',
  '--config',
  'planning/fixtures/cost/stack-config.yaml',
  '--manifests',
  'planning/fixtures/cost/manifests',
];

const EMPTY_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'cost-empty-'));
const EMPTY_YAML = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cost-blank-')), 'blank.yaml');
fs.writeFileSync(EMPTY_YAML, '# nothing here\n---\n');
const BROKEN_YAML = path.join(path.dirname(EMPTY_YAML), 'Pulumi.broken.yaml');
fs.writeFileSync(BROKEN_YAML, 'config:\n  perfstack:nodePools: [unclosed\n');
afterAll(() => [EMPTY_DIR, path.dirname(EMPTY_YAML)].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const run = (argv: string[]) => runCli(main, argv);

// Hand computation for the fixture (node: 2000m CPU and 8192Mi after overhead; 730 h/month):
// - on-demand pods: db 1500m/4Gi (cc-a), api 500m/1Gi x2..4 (cc-b); spot pods: worker 1000m/2Gi x1..3 (cc-b).
// - at min: db+api on node 1, api on node 2 -> 2 nodes, raised to the pool minimum of 3 (one per zone); worker: 1.
// - at max: db+api, api x3 -> 2 nodes, again 3; workers two per node -> 2.
// - on-demand node $0.10/h = $73/month; spot at the pool's mean spot price (0.04+0.05+0.03)/3 = $0.04/h = $29.20.
// - min: 3 x 73 + 1 x 29.20 = 248.20 with spot; 4 x 73 = 292.00 all on-demand.
// - max: 3 x 73 + 2 x 29.20 = 277.40 with spot; 5 x 73 = 365.00 all on-demand.
// - cost-centers share a pool by dominant share: db 0.75, each api 0.25 (CPU), each worker 0.5.
//   min: cc-a 219 x 0.75/1.25 = 131.40; cc-b 219 x 0.5/1.25 + 29.20 = 116.80.
//   max: cc-a 219 x 0.75/1.75 = 93.857; cc-b 219 x 1/1.75 + 58.40 = 183.543.
// - spot share of vCPU: min 2.5/10 = 25%; max 5/12.5 = 40%.
/** A copy of a stack config with one pattern replaced, in a temporary file. */
function configWith(source: string, pattern: RegExp | string, replacement: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cost-')), 'stack-config.yaml');
  fs.writeFileSync(file, fs.readFileSync(source, 'utf8').replace(pattern, replacement));
  return file;
}

describe('npm run cost', () => {
  it('prints nodes per pool and the monthly cost all on-demand and with the spot mix, by cost-center', () => {
    const { code, out, err } = run(FIXTURE);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/on-demand\s+od\.large\s+3-5\s+3\s+3\n/);
    expect(out).toMatch(/spot\s+s1\.large \+2\s+0-4\s+1\s+2\n/);
    expect(out).toMatch(/all on-demand\s+\$292\.00\s+\$365\.00\n/);
    expect(out).toMatch(/with the spot mix\s+\$248\.20\s+\$277\.40\n/);
    expect(out).toMatch(/saved by spot\s+\$43\.80 \(15%\)\s+\$87\.60 \(24%\)\n/);
    expect(out).toMatch(/spot share of vCPU \(target 60%\)\s+25%\s+40%\n/);
    expect(out).toMatch(/cc-a\s+\$131\.40\s+\$93\.86\n/);
    expect(out).toMatch(/cc-b\s+\$116\.80\s+\$183\.54\n/);
    expect(out).toContain(
      'The largest on-demand-only workloads: Deployment/shop/api (2.0 vCPU at max), StatefulSet/shop/db (1.5 vCPU at max).',
    );
    // The Job runs to completion: its 2 CPU/8Gi request would need a node of its own if it were counted.
    expect(out).not.toContain('migrate');
  });

  it('writes the report to --output, creating missing folders', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cost-out-'));
    const file = path.join(dir, 'reports', 'cost.json');
    const r = run([...FIXTURE, '--format', 'json', '--output', file]);
    expect(r).toMatchObject({ code: 0, out: `cost: wrote the json report for staging to ${file}\n`, err: '' });
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).environment).toBe('staging');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same figures as JSON, cost-centers summing to the total', () => {
    const { code, out } = run([...FIXTURE, '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.min.nodes).toEqual({ onDemand: 3, spot: 1 });
    expect(report.max.nodes).toEqual({ onDemand: 3, spot: 2 });
    expect(report.max.withSpot).toBeCloseTo(277.4, 6);
    expect(report.max.allOnDemand).toBeCloseTo(365, 6);
    expect(report.max.byCostCenter['cc-a']).toBeCloseTo((219 * 0.75) / 1.75, 6);
    for (const level of [report.min, report.max]) {
      const sum = Object.values(level.byCostCenter as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(level.withSpot, 6);
    }
    expect(report.bounds).toEqual({ onDemand: { min: 3, max: 5 }, spot: { min: 0, max: 4 } });
  });

  it('prints the report for prod from the synthesized environment and its committed price table', () => {
    const { code, out } = run(['--env', 'prod']);
    expect(code).toBe(0);
    expect(out).toContain('perfstack cost: prod (eu-west-1), 730 h/month, prices from Pulumi.prod.yaml');
    expect(out).toMatch(/on-demand\s+m6i\.2xlarge/);
    expect(out).toMatch(/spot\s+m6i\.xlarge \+3/);
    expect(out).toMatch(/cc-1003\s+\$\d+\.\d\d\s+\$\d+\.\d\d\n/);
  });

  it.each([
    [['--env', 'nowhere'], `cost: '--env' ("nowhere") is not an environment`],
    [['--env', 'airgap'], "cost: Pulumi.airgap.yaml: environment 'airgap' has no cloud side to price"],
    [['--env', 'prod', '--config', 'missing.yaml'], 'cost: missing.yaml: no such file'],
    [['--env', 'staging', '--config', 'Pulumi.dev.yaml'], "cost: Pulumi.dev.yaml: is the config of environment 'dev', not 'staging'"],
    [
      [
        '--env',
        'staging',
        '--config',
        configWith(
          'planning/fixtures/cost/stack-config.yaml',
          /spot: \{ instanceTypes: \[.*\] \}/,
          'spot: { instanceTypes: [s1.large, s2.large] }',
        ),
      ],
      `'perfstack:nodePools.spot.instanceTypes' (["s1.large","s2.large"]) lists 2 type(s); a spot pool needs at least 3 of one size class`,
    ],
    [[...FIXTURE.slice(0, 4), '--manifests', 'no/such/folder'], `cost: '--manifests' ("no/such/folder") is no such file or folder`],
    [
      ['--env', 'prod', '--config', configWith('Pulumi.prod.yaml', 'instanceTypes: [m6i.2xlarge]', 'instanceTypes: [m6i.xlarge]')],
      `'perfstack:nodePools.onDemand.instanceTypes' (["m6i.xlarge"]) a pod requesting 4000m CPU and 16384Mi memory does not fit a node`,
    ],
    [['--env', 'prod', '--config', BROKEN_YAML], `cost: ${BROKEN_YAML}:3: not valid YAML:`],
    [['--env', 'prod', '--config', EMPTY_DIR], `cost: ${EMPTY_DIR}: cannot be read (EISDIR)`],
    [
      [...FIXTURE.slice(0, 4), '--manifests', EMPTY_DIR],
      `cost: '--manifests' (${JSON.stringify(EMPTY_DIR)}) holds no .yaml, .yml or .json manifest`,
    ],
    [[...FIXTURE.slice(0, 4), '--manifests', EMPTY_YAML], `cost: ${EMPTY_YAML}:1: holds no Kubernetes object`],
  ])('rejects %j with exit 2 and a one-line reason', (argv, message) => {
    const { code, err } = run(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('npm run cost for an environment without its Pulumi stack config', () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));

  it('says in one line what to create, exit 2', () => {
    process.chdir(fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-cost-')));
    const { code, err } = run(['--env', 'prod']);
    expect(code).toBe(2);
    expect(err).toBe(
      'cost: Pulumi.prod.yaml: no such file; create the stack (pulumi stack init prod) and a Pulumi.prod.yaml with perfstack:environment: prod, perfstack:nodePools and perfstack:instanceTypes (see docs/deploying.md, "Config keys"), or pass --config\n',
    );
  });
});

describe('costReport', () => {
  const pool = { instanceType: 'x', shape: { cpuMillis: 2000, memoryMiB: 8192 }, vcpu: 2, onDemandHourly: 0.1, spotHourly: 0.04 };
  const pod = {
    workload: 'Deployment/a/api',
    cpuMillis: 500,
    memoryMiB: 512,
    minReplicas: 1,
    maxReplicas: 1,
    spotTolerant: false,
    costCenter: 'cc-a',
  };

  it('shows what pool minimums cost while nothing runs on them, so the cost-centers add up to the total', () => {
    const report = costReport({ demands: [pod], onDemand: pool, spot: pool, minNodes: { onDemand: 1, spot: 2 } });
    expect(report.min.byCostCenter).toEqual({ 'cc-a': 73, [IDLE]: 2 * 29.2 });
    expect(report.min.withSpot).toBeCloseTo(73 + 58.4, 9);
  });
});

describe('cost views', () => {
  it('splits each level by workload as well, and the workloads add up to the total', () => {
    const report = JSON.parse(run([...FIXTURE, '--format', 'json']).out);
    for (const level of [report.min, report.max]) {
      const sum = Object.values(level.byWorkload as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(level.withSpot, 6);
    }
    // max: db 219 x 0.75/1.75 (its dominant share of the on-demand pool).
    expect(report.max.byWorkload['StatefulSet/shop/db']).toBeCloseTo((219 * 0.75) / 1.75, 6);
  });

  it('prices every environment with a cloud side side by side and names the others', () => {
    const { code, out } = run(['--env', 'all']);
    expect(code).toBe(0);
    expect(out).toMatch(/^prod +\$\d+\.\d{2} +\$\d+\.\d{2}/m);
    expect(out).toMatch(/^total /m);
    expect(out).toMatch(/not priced \(no cloud side\): airgap/);
  });

  it('writes the cost change of a pull request as Markdown, base against head, naming the workloads that moved', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'cost-base-'));
    try {
      const manifests = 'planning/fixtures/cost/manifests';
      for (const f of fs.readdirSync(manifests)) {
        // The base branch ran the api at most 2 replicas; the pull request raises it to 4.
        fs.writeFileSync(path.join(base, f), fs.readFileSync(path.join(manifests, f), 'utf8').replace(/maxReplicas: 4/, 'maxReplicas: 2'));
      }
      const { code, out } = run([...FIXTURE, '--compare', base]);
      expect(code).toBe(0);
      expect(out).toMatch(/^### Cost change: `staging`/);
      expect(out).toMatch(/^\| at min replicas \| \$248\.20 \| \$248\.20 \| \+\$0\.00 \(\+0\.0%\) \|$/m);
      expect(out).toMatch(/^\| `Deployment\/shop\/api` \| \$\d+\.\d{2} \| \$\d+\.\d{2} \| \+\$\d+\.\d{2} \(\+\d+\.\d%\) \|$/m);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('prod at maximum replicas', () => {
  const report = JSON.parse(run(['--env', 'prod', '--format', 'json']).out);

  it('keeps every critical floor and the whole data tier on on-demand nodes, bursting onto spot above them', () => {
    const { podDemands } = jest.requireActual('../../../sizing/node-sizing');
    const { synthesizeCharts } = jest.requireActual('../../../stacks/synth');
    const { prod } = jest.requireActual('../../../stacks/prod');
    const demands: { workload: string; spotTolerant: boolean }[] = podDemands(
      synthesizeCharts(prod).flatMap((c: { objects: unknown[] }) => c.objects),
    );
    const onSpot = demands.filter((d) => d.spotTolerant).map((d) => d.workload);
    expect(onSpot.sort()).toEqual([
      'Deployment/web/api-gateway-burst',
      'Deployment/web/audit-service-burst',
      'Deployment/web/nlp-service',
      'Deployment/web/web',
    ]);
  });

  it('saves at least 30% against all on-demand with spot burst and a reserved base', () => {
    expect(1 - report.max.withReservedBase / report.max.allOnDemand).toBeGreaterThanOrEqual(0.3);
    // Spot alone: above the 16% of critical services without burst, below the 30% target (see README).
    expect(1 - report.max.withSpot / report.max.allOnDemand).toBeGreaterThanOrEqual(0.2);
  });
});
