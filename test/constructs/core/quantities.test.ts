import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import fc from 'fast-check';
import { formatValue } from '../../../constructs/core/errors';
import { cpuProblem, durationProblem, sizeProblem, sizeText } from '../../../constructs/core/quantities';

describe('sizes', () => {
  it('refuses zero, NaN and Infinity, and shows the size as written', () => {
    for (const bad of [0, NaN, Infinity]) expect(sizeProblem(Size.mebibytes(bad))).toMatch(/must be (above zero|a finite size)/);
    expect(formatValue(Size.mebibytes(512))).toBe('512Mi');
    expect(formatValue(Size.gibibytes(2))).toBe('2Gi');
  });

  it('finds a size that is not a whole number of GiB before toGibibytes throws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (mib) => {
        fc.pre(mib % 1024 !== 0);
        const s = Size.mebibytes(mib);
        expect(() => s.toGibibytes()).toThrow();
        expect(sizeProblem(s, { whole: 'Gi' })).toBe('must be a whole number of gibibytes, e.g. Size.gibibytes(1)');
        expect(sizeText(s)).toBe(`${mib}Mi`);
      }),
    );
  });

  it('accepts every whole number of GiB', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (gib) => expect(sizeProblem(Size.gibibytes(gib), { whole: 'Gi' })).toBeUndefined()),
    );
  });
});

describe('cpu', () => {
  it('refuses zero, negative and non-finite amounts', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -100_000, max: 0 }), fc.constantFrom(NaN, Infinity, -Infinity)), (m) => {
        expect(cpuProblem(Cpu.millis(m))).toMatch(/must be (above zero|a finite number)/);
      }),
    );
    expect(formatValue(Cpu.millis(-500))).toBe('-500m');
  });

  it('accepts every positive whole number of millicores', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 256_000 }), (m) => expect(cpuProblem(Cpu.millis(m))).toBeUndefined()));
  });
});

describe('durations', () => {
  it('finds a fraction of a second before toSeconds throws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (ms) => {
        fc.pre(ms % 1000 !== 0);
        expect(() => Duration.millis(ms).toSeconds()).toThrow();
        expect(durationProblem(Duration.millis(ms), { wholeSeconds: true })).toBe('must be a whole number of seconds');
      }),
    );
  });

  it('checks bounds without converting', () => {
    expect(durationProblem(Duration.minutes(30), { min: Duration.hours(1) })).toBe('must be at least 60 minutes');
    expect(durationProblem(Duration.seconds(0))).toBe('must be above zero');
    expect(formatValue(Duration.millis(1500))).toBe('1500 millis');
  });
});

describe('formatValue', () => {
  it('prints NaN and Infinity as themselves, never as null', () => {
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(-Infinity)).toBe('-Infinity');
    expect(formatValue({ min: NaN })).toBe('{"min":"NaN"}');
  });
});
