import { Duration } from 'cdk8s';
import { Problems } from '../../../constructs/core/errors';
import { Slo } from '../../../constructs/observability/slo';
import { checkSlo } from '../../../constructs/observability/slo-schema';

const slo: Slo = { availabilityPercent: 99.9, latencyThreshold: Duration.millis(200) };

function lines(value: Slo | undefined): string[] {
  const p = new Problems('prod/api');
  checkSlo(p, 'slo', value);
  try {
    p.throwIfAny();
    return [];
  } catch (e) {
    return (e as Error).message.split('\n');
  }
}

describe('checkSlo', () => {
  it('accepts an objective with a budget the rules can write', () => {
    expect(lines(slo)).toEqual([]);
    expect(lines({ ...slo, availabilityPercent: 99.9999, latencyPercentile: 99, window: Duration.days(30) })).toEqual([]);
  });

  it('reports every problem at once, one line each', () => {
    expect(lines({ availabilityPercent: 100, latencyThreshold: Duration.millis(0), latencyPercentile: 100 })).toEqual([
      "prod/api: 'slo.availabilityPercent' (100) must be a percentage between 50 and 100 (exclusive)",
      "prod/api: 'slo.latencyThreshold' (0 millis) must be above zero",
      "prod/api: 'slo.latencyPercentile' (100) must be a percentage between 50 and 100 (exclusive)",
    ]);
  });

  it('suggests the percentage when a fraction is given', () => {
    expect(lines({ ...slo, availabilityPercent: 0.999 })).toEqual([
      "prod/api: 'slo.availabilityPercent' (0.999) must be a percentage between 50 and 100 (exclusive); did you mean 99.9?",
    ]);
  });

  it('refuses more than six nines, saying up to which and why', () => {
    expect(lines({ ...slo, availabilityPercent: 99.9999999 })).toEqual([
      expect.stringMatching(
        /^prod\/api: 'slo\.availabilityPercent' \(99\.9999999\) has more nines than the rules can state: at most 99\.9999 \(six nines\)\. .*k6's threshold grammar refuses$/,
      ),
    ]);
  });

  it('names a misspelt field with the known ones, and a missing Slo', () => {
    expect(lines({ ...slo, latencyThreshhold: Duration.millis(200) } as Slo)).toEqual([
      "prod/api: 'slo.latencyThreshhold' (200 millis) is not a field of 'slo'; known: availabilityPercent, window, latencyThreshold, latencyPercentile, metrics (misspelt, or in the wrong place?)",
    ]);
    expect(lines(undefined)).toEqual([
      "prod/api: 'slo' (missing) is required: every service states its availability and latency objectives",
    ]);
  });
});
