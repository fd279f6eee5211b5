import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../reporting/report-cli';
import { freePort } from '../integration/support/ports';
import { runAsyncCli } from '../support/cli';

const range = ['--from', '2026-12-01T00:00Z', '--to', '2026-12-08T00:00Z'];

describe('npm run report refuses bad input with exit 2, one line, and no page written', () => {
  let dir: string;
  // What the CLI loads once the arguments are read (the environments): loaded here, outside each case's time limit.
  beforeAll(() => import('../../reporting/report-environment'), 120000);
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-report-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: [string, (dir: string) => Promise<string[]>, RegExp][] = [
    [
      'an unreachable Prometheus',
      async () => ['--prometheus', `http://127.0.0.1:${await freePort()}`, ...range],
      /^report: '--prometheus' \(.*\) is unreachable \(ECONNREFUSED\)/,
    ],
    [
      'a range without records',
      async (d) => {
        fs.writeFileSync(
          path.join(d, 'web.records.0.json'),
          JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
        );
        return ['--export', d, ...range];
      },
      /^report: .*web\.records\.0\.json: no service of prod has records between 2026-12-01T00:00:00.000Z and 2026-12-08T00:00:00.000Z/,
    ],
    [
      '--to before --from',
      async (d) => ['--export', d, '--from', '2026-12-08T00:00Z', '--to', '2026-12-01T00:00Z'],
      /^report: '--to' \(2026-12-01T00:00Z\) must be after '--from' \(2026-12-08T00:00Z\)\n$/,
    ],
    [
      'a file that is not an export',
      async (d) => {
        fs.writeFileSync(path.join(d, 'x.records.0.json'), 'timestamp,requests\n');
        return ['--export', path.join(d, 'x.records.0.json'), ...range];
      },
      /^report: .*x\.records\.0\.json: not a Prometheus range-query export \(not JSON\)\n$/,
    ],
    [
      'an unknown environment',
      async (d) => ['--export', d, ...range, '--env', 'qa'],
      /^report: '--env' \("qa"\) is not an environment; choose from dev, /,
    ],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const page = path.join(dir, 'out', 'report.html');
    const r = await runAsyncCli(main, [...(await args(dir)), '--out', page]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });
});
