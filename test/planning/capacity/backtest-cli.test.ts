import { TARGETS, main, verdicts } from '../../../planning/capacity/backtest-cli';
import { runCli } from '../../support/cli';

const all = (in80: number, in95: number, medianAbsError: number) => ({ count: 60, in80, in95, above80: 0.1, medianAbsError });

describe('capacity:backtest', () => {
  it('judges each target at its edges', () => {
    expect(verdicts(all(TARGETS.in80[0], TARGETS.in95, TARGETS.medianAbsError))).toEqual({ in80: true, in95: true, medianAbsError: true });
    expect(verdicts(all(TARGETS.in80[1], 0.95, 0.05)).in80).toBe(true);
    expect(verdicts(all(0.69, 0.87, 0.11))).toEqual({ in80: false, in95: false, medianAbsError: false });
    // Too wide is as wrong as too narrow: an 80% band holding 95% of peaks says nothing.
    expect(verdicts(all(0.95, 0.99, 0.05)).in80).toBe(false);
  });

  it('prints its usage with --help and refuses bad input with exit 2 and one line', () => {
    const help = runCli(main, ['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--history/);
    const bad = runCli(main, ['--months', 'seven']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`'--months' ("seven") must be a whole number from 1 to 24`);
    expect(bad.err).not.toMatch(/\n\s+at /);
  });
});
