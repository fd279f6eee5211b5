import * as fs from 'fs';
import { backtest, backtestWeek } from '../../planning/backtest';
import { DEFAULT_TRACE, main } from '../../planning/backtest-cli';
import { historyText, parseHistory } from '../../planning/history';
import { runCli } from '../support/cli';

const run = (argv: string[]) => runCli(main, argv);

// The figures of the README (Predictive scaling): NASA July 1995 at 15 req/min per replica, 70% target, 2-20
// replicas; floors learnt from the weeks before each test week only. Computed, not timed.
describe('backtest of forecast floors on the NASA trace', () => {
  const history = parseHistory(historyText(fs.readFileSync(DEFAULT_TRACE), DEFAULT_TRACE), DEFAULT_TRACE);
  const weeks = backtest(history, { perReplica: 15, target: 0.7, min: 2, max: 20 });
  const held = weeks[weeks.length - 1];

  it('tests the last week, learnt from the three before it, and the week before that from two', () => {
    expect(weeks.map((w) => Math.round(w.trainDays))).toEqual([14, 21]);
    expect(new Date(held.from).toISOString()).toBe('1995-07-22T04:00:00.000Z');
  });

  it('cuts the held-out week under-provisioned minutes to about a tenth of the reactive HPA', () => {
    expect(held.reactive.underProvisionedMinutes).toBeCloseTo(212.25, 2);
    expect(held.withFloors.underProvisionedMinutes).toBeCloseTo(21.25, 2);
    expect(held.underRatio).toBeLessThan(0.101);
  });

  it('costs about 13.5% more replica-hours than reactive in the held-out week (the 10% target is missed)', () => {
    expect(held.replicaHoursRatio).toBeGreaterThan(1.13);
    expect(held.replicaHoursRatio).toBeLessThan(1.14);
  });

  it('renders the floors as 40 KEDA cron triggers at some cost in replica-hours, and exactly without the cap', () => {
    expect(held.deployed.triggers).toBe(40);
    expect(held.deployed.underRatio).toBeCloseTo(0.028, 3);
    expect(held.deployed.replicaHoursRatio).toBeCloseTo(1.215, 3);
    // Uncapped, the triggers read back as KEDA would apply them give the forecast's own figures: the cron
    // rendering loses nothing but what the cap coarsens.
    const uncapped = backtestWeek(history, held.from, { perReplica: 15, target: 0.7, min: 2, max: 20, maxTriggers: 1000 });
    expect(uncapped.deployed.result).toEqual(uncapped.withFloors);
  });

  it('also helps the earlier week, at a higher cost from a wider margin', () => {
    expect(weeks[0].underRatio).toBeLessThan(0.05);
    expect(weeks[0].replicaHoursRatio).toBeLessThan(1.3);
  });

  it('prints the table with the verdict on the targets', () => {
    // The held-out week only (it has 21 days of history before it): the earlier one is checked above.
    const { code, out } = run(['--min-train-days', '21']);
    expect(code).toBe(0);
    // Columns are as wide as their widest cell: compare the row's cells.
    expect(out.replace(/ +/g, ' ')).toContain(
      '1995-07-22 04:00 .. 1995-07-28 17:33 21 d 212.3 -> 21.3 0.100 837.4 -> 950.5 1.135 256 40 0.028 1.215',
    );
    expect(out).toContain('held-out week: under-provisioned minutes 10.01% of reactive (target <= 10%: MISSED)');
  });

  it('exits 2 on bad input', () => {
    const { code, err } = run(['--history', 'nope.csv', '--per-replica', 'x', '--min-train-days', '3']);
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toEqual([
      `forecast:backtest: '--per-replica' ("x") must be a number of requests per minute > 0`,
      `forecast:backtest: '--min-train-days' ("3") must be at least 7 (a week of history)`,
      `forecast:backtest: '--history' ("nope.csv") no such file`,
    ]);
  });
});
