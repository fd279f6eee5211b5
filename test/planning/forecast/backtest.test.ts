import * as fs from 'fs';
import { backtest, backtestWeek } from '../../../planning/forecast/backtest';
import { DEFAULT_TRACE, main, weekTargets } from '../../../planning/forecast/backtest-cli';
import { historyText, parseHistory } from '../../../planning/shared/history';
import { runCli } from '../../support/cli';

const run = (argv: string[]) => runCli(main, argv);

// The figures of docs/planning.md: NASA July 1995 at 15 req/min per replica, 70% target, 2-20 replicas; the floors
// `npm run forecast` would publish, learnt (and checked) on the weeks before each test week only. Computed, not timed.
describe('backtest of the published floors on the NASA trace', () => {
  const history = parseHistory(historyText(fs.readFileSync(DEFAULT_TRACE), DEFAULT_TRACE), DEFAULT_TRACE);
  const service = { perReplica: 15, target: 0.7, min: 2, max: 20 };
  const weeks = backtest(history, service);
  const held = weeks[weeks.length - 1];

  it('tests the last week, learnt from the three before it, and the week before that from two', () => {
    expect(weeks.map((w) => Math.round(w.trainDays))).toEqual([14, 21]);
    expect(new Date(held.from).toISOString()).toBe('1995-07-22T04:00:00.000Z');
  });

  it('keeps every week within 1.10x the reactive replica-hours and never under-provisions more than reactive', () => {
    for (const w of weeks) {
      expect(weekTargets(w)).toMatchObject({ hours: true, neverWorse: true });
      expect(w.verdict.decision).toBe('floors');
    }
  });

  it('halves the held-out week under-provisioned minutes for 3.4% more replica-hours (the 10% target is missed)', () => {
    expect(held.reactive.underProvisionedMinutes).toBeCloseTo(212.25, 2);
    expect(held.withFloors.underProvisionedMinutes).toBeCloseTo(108.75, 2);
    expect(held.replicaHoursRatio).toBeCloseTo(1.034, 3);
    expect(weekTargets(held).under).toBe(false);
  });

  it('renders the floors as 40 KEDA cron triggers, and exactly without the cap', () => {
    expect(held.deployed.triggers).toBe(40);
    // Uncapped, the triggers read back as KEDA would apply them give the forecast's own figures: the cron
    // rendering loses nothing but what the cap coarsens.
    const uncapped = backtestWeek(history, held.from, { ...service, maxTriggers: 1000 });
    expect(uncapped.deployed.result).toEqual(uncapped.withFloors);
  });

  it('prints the table, the targets per week and the verdict behind each week floors', () => {
    // The held-out week only (it has 21 days of history before it): the earlier one is checked above.
    const { code, out } = run(['--history', DEFAULT_TRACE, '--min-train-days', '21']);
    expect(code).toBe(0);
    // Columns are as wide as their widest cell: compare the row's cells.
    expect(out.replace(/ +/g, ' ')).toContain('1995-07-22 04:00 .. 1995-07-28 17:33 21 d 212.3 -> 108.8 0.512 837.4 -> 866.1 1.034');
    expect(out.replace(/ +/g, ' ')).toContain(' met / MISSED / met');
    expect(out).toMatch(/\n {2}1995-07-22 04:00: floors: on the 2 week\(s\) before, these floors left \d+% of the reactive HPA's/);
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
