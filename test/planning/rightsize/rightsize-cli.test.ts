import { main } from '../../../planning/rightsize/rightsize-cli';
import { runCli } from '../../support/cli';

const F = 'planning/fixtures/usage';
const ARGS = [
  '--env',
  'prod',
  '--cpu',
  `${F}/cpu.json.gz`,
  '--pods',
  `${F}/pods.json.gz`,
  '--memory',
  `${F}/memory.json.gz`,
  '--oom',
  `${F}/oom.json.gz`,
];

const run = (args: string[]) => runCli(main, args);

describe('npm run rightsize', () => {
  const report = JSON.parse(run([...ARGS, '--format', 'json']).out);

  it('recommends for every service of the environment found in the exports', () => {
    expect(report.services.map((s: { service: string }) => s.service)).toEqual(['api-gateway', 'audit-service', 'nlp-service', 'web']);
  });

  it('keeps CPU within the request in at least 95% of the held-out week and no pod over its memory limit', () => {
    for (const s of report.services) {
      expect({ service: s.service, over: s.backtest.recommended.cpuOverShare <= 0.05 }).toEqual({ service: s.service, over: true });
      expect({ service: s.service, oom: s.backtest.recommended.oomSteps }).toEqual({ service: s.service, oom: 0 });
    }
  });

  it('raises the memory of the service that was OOM-killed and saves money overall', () => {
    const audit = report.services.find((s: { service: string }) => s.service === 'audit-service');
    expect(audit.backtest.current.oomSteps).toBeGreaterThan(0);
    expect(audit.recommendation.recommended.memoryMiB).toBeGreaterThan(audit.recommendation.current.memoryMiB);
    const saved = report.services.reduce(
      (a: number, s: { monthly: { current: number; recommended: number } }) => a + s.monthly.current - s.monthly.recommended,
      0,
    );
    expect(saved).toBeGreaterThan(0);
  });

  it('prints a table with the diff, the backtest and the reasons', () => {
    const { code, out } = run(ARGS);
    expect(code).toBe(0);
    expect(out).toMatch(/^api-gateway {4}500m -> \d+m \(\d+m\)/m);
    expect(out).toContain('total saved per month');
    expect(out).toContain('prices from m6i.2xlarge on-demand in Pulumi.prod.yaml');
    expect(out).toMatch(/audit-service: memory: \d+ OOM kill\(s\) in the history/);
  });

  it.each([
    [['--env', 'nope'], /'--env' \("nope"\) is not an environment/],
    [['--learn-days', '0'], /'--learn-days' \("0"\) must be a whole number/],
    [['--learn-days', '30'], /the exports cover 21\.0 days, fewer than --learn-days 30 \+ --check-days 7/],
    [['--cpu', 'missing.json'], /'--cpu' \("missing.json"\) is not a file/],
    [['--cpu', 'package.json'], /package\.json:1: expected a Prometheus range-query export/],
  ])('exits 2 with one line naming the input for %j', (extra, message) => {
    const args = [...ARGS];
    for (let i = 0; i < extra.length; i += 2) {
      const at = args.indexOf(extra[i]);
      if (at >= 0) args[at + 1] = extra[i + 1];
      else args.push(extra[i], extra[i + 1]);
    }
    const { code, err } = run(args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
