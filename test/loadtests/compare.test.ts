import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compare, readSummary } from '../../loadtests/compare';
import { main } from '../../loadtests/compare-cli';

const FIX = path.resolve(__dirname, '../../loadtests/fixtures');
const fix = (name: string) => path.join(FIX, name);

function run(args: string[]): { code: number; out: string; err: string; junit: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-compare-'));
  const junitFile = path.join(dir, 'results.xml');
  let out = '';
  let err = '';
  const code = main(
    [...args, '--junit', junitFile],
    (s) => (out += s),
    (s) => (err += s),
  );
  const junit = fs.existsSync(junitFile) ? fs.readFileSync(junitFile, 'utf8') : '';
  fs.rmSync(dir, { recursive: true, force: true });
  return { code, out, err, junit };
}

describe('loadtest:compare', () => {
  it('reads p95, p99, error rate and throughput from a k6 summary export', () => {
    expect(readSummary(fix('baseline.json'))).toEqual({ p95Ms: 142.8, p99Ms: 310.2, errorRate: 0.0002, requestsPerSecond: 111.3 });
  });

  it('passes a run within the tolerance, with a table and a JUnit report', () => {
    const r = run([fix('pass.json'), fix('baseline.json')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/p95 latency \(ms\)\s+142\.8\s+149\.1\s+4\.4%\s+ok/);
    expect(r.out).toContain('no regression');
    expect(r.junit).toContain('<testsuite name="loadtest-regression" tests="4" failures="0">');
  });

  it('fails a latency regression above 10%', () => {
    const r = run([fix('latency-regression.json'), fix('baseline.json')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/p95 latency \(ms\)\s+142\.8\s+181\.6\s+27\.2%\s+REGRESSION/);
    expect(r.out).toMatch(/p99 latency \(ms\).*ok/);
    expect(r.junit).toMatch(/<failure message="p95 latency \(ms\) worse by 27\.2%/);
  });

  it('fails an error-rate regression', () => {
    const r = run([fix('error-regression.json'), fix('baseline.json')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error rate .*REGRESSION/);
    expect(r.out).toContain('1 regression(s): error rate');
  });

  it('takes the tolerance from the command line', () => {
    expect(run([fix('latency-regression.json'), fix('baseline.json'), '--tolerance', '30']).code).toBe(0);
  });

  it('ignores error-rate noise near zero', () => {
    const base = { p95Ms: 100, p99Ms: 200, errorRate: 0, requestsPerSecond: 100 };
    expect(compare({ ...base, errorRate: 0.00005 }, base).find((r) => r.metric === 'error rate')!.regressed).toBe(false);
    expect(compare({ ...base, errorRate: 0.002 }, base).find((r) => r.metric === 'error rate')!.regressed).toBe(true);
  });

  it.each([
    ['malformed.json', /malformed\.json: not JSON/],
    ['no-p99.json', /no-p99\.json: metrics\.http_req_duration\['p\(99\)'\] is missing/],
    ['missing.json', /missing\.json: cannot read the file/],
  ])('exits 2 with a clear message for %s', (file, message) => {
    const r = run([fix(file), fix('baseline.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  describe('a summary with impossible figures', () => {
    const base = JSON.parse(fs.readFileSync(fix('baseline.json'), 'utf8')) as { metrics: Record<string, Record<string, unknown>> };
    let dir: string;
    beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-summary-'))));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, json: unknown) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
      return file;
    };
    const withFigure = (metric: string, field: string, value: unknown) => ({
      metrics: { ...base.metrics, [metric]: { ...base.metrics[metric], [field]: value } },
    });

    it.each<[string, unknown, RegExp]>([
      [
        'a negative p95',
        withFigure('http_req_duration', 'p(95)', -12),
        /'metrics\.http_req_duration\['p\(95\)'\]' \(-12\) must be a latency in milliseconds >= 0/,
      ],
      [
        'a p95 written as text',
        withFigure('http_req_duration', 'p(95)', 'NaN'),
        /'metrics\.http_req_duration\['p\(95\)'\]' \("NaN"\) must be a latency/,
      ],
      [
        'an error rate above 1',
        withFigure('http_req_failed', 'value', 2),
        /'metrics\.http_req_failed\['value'\]' \(2\) must be a rate between 0 and 1/,
      ],
      [
        'a p99 below the p95',
        withFigure('http_req_duration', 'p(99)', 1),
        /'metrics\.http_req_duration\['p\(99\)'\]' \(1\) must be >= 'p\(95\)' \(142\.8\)/,
      ],
      ['metrics that are not an object', { metrics: [1, 2] }, /'metrics' \(\[1,2\]\) must be an object of metrics/],
      ['a JSON array', '[]', /'metrics' \(missing\) must be an object of metrics/],
    ])('exits 2 for %s, naming the file and the field, never reporting it as an improvement', (name, json, message) => {
      const file = write(`${name.replace(/\W+/g, '-')}.json`, json);
      const r = run([file, fix('baseline.json')]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(file);
      expect(r.err).toMatch(message);
      expect(r.out).not.toContain('no regression');
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  });

  it('creates missing folders for the baseline and the JUnit report (the first run of the README)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-baseline-'));
    const baseline = path.join(dir, 'baselines', 'api-gateway.json');
    const junitFile = path.join(dir, 'reports', 'ci', 'loadtest.xml');
    const quiet = () => undefined;
    expect(main([fix('pass.json'), baseline, '--update-baseline'], quiet, quiet)).toBe(0);
    expect(main([fix('pass.json'), baseline, '--junit', junitFile], quiet, quiet)).toBe(0);
    expect(fs.readFileSync(junitFile, 'utf8')).toContain('<testsuite name="loadtest-regression"');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes its JUnit report under reports/ by default, not into the working tree', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-cwd-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(
        main(
          [fix('pass.json'), fix('baseline.json')],
          () => undefined,
          () => undefined,
        ),
      ).toBe(0);
      expect(fs.readdirSync(dir)).toEqual(['reports']);
      expect(fs.readdirSync(path.join(dir, 'reports'))).toEqual(['loadtest-results.xml']);
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with one line when the report cannot be written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-compare-'));
    let err = '';
    const code = main(
      [fix('pass.json'), fix('baseline.json'), '--junit', dir],
      () => undefined,
      (s) => (err += s),
    );
    expect(code).toBe(2);
    expect(err).toBe(`loadtest:compare: '--junit' (${JSON.stringify(dir)}) cannot be written: it is a folder; name a file\n`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a run as the new baseline', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-baseline-'));
    const baseline = path.join(dir, 'baseline.json');
    const r = run([fix('pass.json'), baseline, '--update-baseline']);
    expect(r.code).toBe(0);
    expect(readSummary(baseline).p95Ms).toBe(149.1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
