import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { isLabelValue, labelValue } from '../../constructs/core/labels';
import { manifestFiles } from '../../manifests/load';
import { main } from '../../stacks/synth-cli';
import { captureStdio } from '../support/cli';
import { buildSynthProject } from '../support/compiled';
import { snapshotTree } from '../support/files';
import { labelValuesOf } from '../support/labels';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(__dirname, 'fixtures');

/**
 * `npm run synth` on the environments of a fixture module written in plain JavaScript: in a child process for the
 * module that throws while it loads (the report must hold up outside Jest too), in process for the others (the same
 * main(), a second of CPU less each).
 */
function synthOf(fixture: string, out: string): { status: number | null; stdout: string; stderr: string } {
  if (fixture !== 'throws-on-load.js') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const r = captureStdio(() => main(['--out', out], () => require(path.join(FIXTURES, fixture)).ENVIRONMENTS));
    return { status: r.code, stdout: r.stdout, stderr: r.stderr };
  }
  return spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(FIXTURES, 'run-synth.js'), path.join(FIXTURES, fixture), '--out', out],
    { cwd: ROOT, encoding: 'utf8', timeout: 180_000 },
  );
}

describe('synth on a broken environment module', () => {
  let out: string;
  let before: Record<string, string>;
  beforeAll(() => {
    out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-broken-')), 'dist');
    // A dist/ from an earlier good run, which a failed run must leave exactly as it was.
    fs.mkdirSync(path.join(out, 'prod'), { recursive: true });
    fs.writeFileSync(path.join(out, 'prod', '00-platform.k8s.yaml'), 'kind: Namespace\n');
    fs.writeFileSync(path.join(out, 'dev.txt'), 'kept\n');
    before = snapshotTree(out);
  });
  afterAll(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));

  it.each<[string, string[]]>([
    [
      'bad-values.js',
      [
        `prod: 'cloud.vpcCidr' ("10.30.0.0/33") has prefix /33; an IPv4 prefix is at most /32`,
        `prod: 'cloud.spotPercent' ("60") must be a number, not text: write 60 without quotes`,
        `prod: 'monitoring.prometheusUrl' ("prometheus-operated.monitoring.svc:9090") must be an absolute URL starting with http:// or https:// (the scheme is required)`,
        `prod: 'dataTier.redis.storage' (512Mi) must be a whole number of gibibytes, e.g. Size.gibibytes(1)`,
        `prod: 'dataTier.pooler' ({"instances":3}) is not a field of 'dataTier'; known: redis, postgres (misspelt, or in the wrong place?)`,
        `prod: 'loadTests.schedule' ("0 25 * * *") is not a valid cron schedule: hour 25 is outside 0-23`,
        `prod: 'services.api-gateway.resources.cpu' (-500m) must be above zero, e.g. Cpu.millis(250)`,
        `prod: 'services.api-gateway.slo.availabilityPercent' (0.999) must be a percentage between 50 and 100 (exclusive); did you mean 99.9?`,
        `prod: 'services.api-gateway.uses[0]' ("postgress") must be one of "redis", "postgres"`,
      ],
    ],
    [
      'seven-zones.js',
      [...'defg'].map(
        (l, i) =>
          `prod: 'zones[${i + 3}]' ("eu-west-1${l}") is not a zone of region 'eu-west-1' ('cloud.region'), which has eu-west-1a, eu-west-1b, eu-west-1c (stacks/aws-zones.ts)`,
      ),
    ],
    [
      'nines.js',
      ['api-gateway', 'nlp-service', 'audit-service', 'web'].map(
        (s) =>
          `prod: 'services.${s}.slo.availabilityPercent' (99.9999999) has more nines than the rules can state: at most 99.9999 (six nines). Its error budget, 0.000001 of requests (2.6 s of a 30-day window), is the smallest the burn-rate rules and k6 thresholds write as a plain decimal; a smaller one is written 1e-7, which k6's threshold grammar refuses`,
      ),
    ],
    [
      'tiny-redis.js',
      [
        "prod/data/Redis: 'memory' (1Mi) must be at least 2Mi: maxmemory, 75% of it in whole MiB, would be 0Mi, which Redis reads as no limit at all",
      ],
    ],
    ['throws-on-load.js', [`test/stacks/fixtures/throws-on-load.js:5: 'Duration' (-200) cannot be negative; a Duration is >= 0`]],
    [
      'duplicate-names.js',
      [
        `prod-eu: 'name' ("prod") must equal the environment's key 'prod-eu' (it names dist/prod-eu/)`,
        `prod-eu: 'name' ("prod") is also the name of environment 'prod'; both would write dist/prod/, so names must be unique`,
      ],
    ],
  ])('%s: exits 1 with one line per problem, no stack trace, dist/ unchanged', (fixture, lines) => {
    const r = synthOf(fixture, out);
    expect(r.status).toBe(1);
    const reported = r.stderr.trimEnd().split('\n');
    expect(reported.slice(0, -1)).toEqual(lines);
    expect(reported.at(-1)).toMatch(/^synth: nothing written/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe('');
    expect(snapshotTree(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });
});

/**
 * The README's `npm run synth` after a mistake in a stack file that everything imports: `stacks/services.ts` is
 * loaded by the platform as well as by the environments, and used to throw before the report handler existed. A
 * scratch copy of the compiled project (lib/, as `npm run synth` builds it) with the mistake in both the source and
 * its compiled line, run as the CLI runs.
 */
describe('npm run synth with Duration.millis(-200) in stacks/services.ts', () => {
  let tmp: string;
  beforeAll(() => {
    buildSynthProject();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-stackfile-'));
    fs.cpSync(path.join(ROOT, 'lib'), path.join(tmp, 'lib'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'stacks'));
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(tmp, 'package.json'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
    const plant = (from: string, to: string, pattern: RegExp) => {
      const text = fs.readFileSync(from, 'utf8');
      expect(text).toMatch(pattern);
      fs.writeFileSync(to, text.replace(pattern, '$1-200)'));
    };
    plant(path.join(ROOT, 'stacks/services.ts'), path.join(tmp, 'stacks/services.ts'), /(latencyThreshold: Duration\.millis\()200\)/);
    plant(
      path.join(ROOT, 'lib/stacks/services.js'),
      path.join(tmp, 'lib/stacks/services.js'),
      /(latencyThreshold: cdk8s_1\.Duration\.millis\()200\)/,
    );
    fs.mkdirSync(path.join(tmp, 'dist/prod'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'dist/prod/00-platform.k8s.yaml'), 'kind: Namespace\n');
  }, 300000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('exits 1 with one line at the TypeScript line that wrote it, no stack trace, dist/ unchanged', () => {
    const before = snapshotTree(path.join(tmp, 'dist'));
    const line =
      fs
        .readFileSync(path.join(tmp, 'stacks/services.ts'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('millis(-200)')) + 1;
    const r = spawnSync(process.execPath, ['lib/stacks/synth-cli.js', '--out', 'dist'], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe(`stacks/services.ts:${line}: 'Duration' (-200) cannot be negative; a Duration is >= 0\nsynth: nothing written\n`);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(snapshotTree(path.join(tmp, 'dist'))).toEqual(before);
  });
});

describe('npm run synth with a 70-character image tag', () => {
  it('exits 0 and writes only label values Kubernetes accepts: the version label is cut to 63 with a hash', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-longtag-')), 'dist');
    try {
      const r = spawnSync(
        process.execPath,
        [
          path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
          path.join(FIXTURES, 'run-synth.js'),
          path.join(FIXTURES, 'long-tag.js'),
          '--out',
          out,
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      );
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.status).toBe(0);
      const objects = manifestFiles([path.join(out, 'prod')]).flatMap((f) =>
        parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS() as unknown),
      );
      expect(labelValuesOf(objects).filter((l) => !isLabelValue(l.value))).toEqual([]);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { TAG } = require(path.join(FIXTURES, 'long-tag.js')) as { TAG: string };
      const deployment = objects.find(
        (o) => (o as { kind?: string }).kind === 'Deployment' && (o as { metadata: { name: string } }).metadata.name === 'api-gateway',
      ) as { metadata: { labels: Record<string, string> } };
      expect([TAG.length, deployment.metadata.labels['app.kubernetes.io/version']]).toEqual([70, labelValue(TAG)]);
      expect(labelValue(TAG)).toMatch(/^1\.8\.2-build\.[0-9]{42}-[0-9a-f]{8}$/);
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });
});
