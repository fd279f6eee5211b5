import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { expiredReports, main } from '../../reporting/weekly-report-cli';
import { projectRoot } from '../../loadtests/bundle';
import { freePort } from '../integration/support/ports';
import { runAsyncCli } from '../support/cli';

const context = {
  env: 'airgap',
  namespace: 'web',
  services: [{ name: 'api-gateway', objectives: { availability: 0.999, latencyQuantile: 0.95, latencyThresholdS: 0.3 } }],
  cost: { title: 'Cost per month', sentence: 'airgap runs on its own hardware: there is no cloud bill to price.' },
  scaleDownWindowS: 300,
};

describe('the weekly report program', () => {
  it('bundles without cdk8s, constructs or the stacks: its context comes from the JSON fixed at synth', () => {
    const { metafile } = buildSync({
      entryPoints: [path.join(projectRoot(), 'reporting/weekly-report-cli.ts')],
      absWorkingDir: projectRoot(),
      bundle: true,
      write: false,
      platform: 'node',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(metafile!.inputs);
    expect(inputs).toContain('reporting/report-build.ts');
    expect(inputs.filter((f) => /^stacks\/|node_modules\/(cdk8s|constructs|zod)\/|^planning\/forecast\//.test(f))).toEqual([]);
    // Of constructs/, only the record names (plain data); report-context.ts is imported for its types, which compile away.
    expect(inputs.filter((f) => f.startsWith('constructs/')).sort()).toEqual(['constructs/observability/performance-record-names.ts']);
  });

  describe('refuses bad input with exit 2, one line, and nothing written', () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-weekly-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const cases: [string, (d: string) => Promise<string[]>, RegExp][] = [
      [
        'a missing context file',
        async (d) => ['--context', path.join(d, 'none.json')],
        /^weekly-report: '--context' \(.*none\.json\) is not a readable JSON file/,
      ],
      [
        'a context that is not one',
        async (d) => {
          fs.writeFileSync(path.join(d, 'ctx.json'), JSON.stringify({ ...context, services: [{ name: 'api-gateway' }] }));
          return ['--context', path.join(d, 'ctx.json')];
        },
        /^weekly-report: '--context' \(.*ctx\.json\) is not a report context/,
      ],
      ['a bad --days', async () => ['--days', 'week'], /^weekly-report: '--days' \("week"\) must be a whole number of days/],
      ['a bad --to', async () => ['--to', 'monday'], /^weekly-report: '--to' \("monday"\) must be an ISO-8601 time/],
    ];

    it.each(cases)('%s', async (_name, args, message) => {
      const ctx = path.join(dir, 'good.json');
      fs.writeFileSync(ctx, JSON.stringify(context));
      const out = path.join(dir, 'out');
      const r = await runAsyncCli(main, [
        '--context',
        ctx,
        '--prometheus',
        `http://127.0.0.1:${await freePort()}`,
        '--out-dir',
        out,
        '--to',
        '2026-12-07T00:00Z',
        ...(await args(dir)),
      ]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(out)).toBe(false);
    });

    it('an unreachable Prometheus', async () => {
      const ctx = path.join(dir, 'good.json');
      fs.writeFileSync(ctx, JSON.stringify(context));
      const out = path.join(dir, 'out');
      const r = await runAsyncCli(main, ['--context', ctx, '--prometheus', `http://127.0.0.1:${await freePort()}`, '--out-dir', out]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^weekly-report: '--prometheus' \(.*\) is unreachable/);
      expect(fs.existsSync(out)).toBe(false);
    });
  });

  it('expires the oldest reports beyond the number kept, and nothing else on the volume', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-weekly-keep-'));
    try {
      const names = ['report-2026-11-16-2026-11-23.html', 'report-2026-11-23-2026-11-30.html', 'report-2026-11-30-2026-12-07.html'];
      for (const n of [...names, '2026-12-06T0100Z', 'notes.html']) fs.writeFileSync(path.join(dir, n), '');
      expect(expiredReports(dir, 2)).toEqual([names[0]]);
      expect(expiredReports(dir, 3)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
