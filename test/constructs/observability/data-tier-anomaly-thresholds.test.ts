import fc from 'fast-check';
import { ConfigError, Problems } from '../../../constructs/core/errors';
import {
  CACHE_ANOMALY_DEFAULTS,
  DATABASE_ANOMALY_DEFAULTS,
  cacheAnomalyThresholdsSchema,
  checkDataTierThresholds,
  databaseAnomalyThresholdsSchema,
  resolveThresholds,
} from '../../../constructs/observability/data-tier-anomaly-thresholds';

const problemsOf = (defaults: object, t: object) => {
  const p = new Problems('prod');
  checkDataTierThresholds(p, 'dataTier.postgres.anomaly', defaults as typeof DATABASE_ANOMALY_DEFAULTS, t);
  try {
    p.throwIfAny();
    return [];
  } catch (e) {
    return (e as ConfigError).problems.map((x) => `${x.input} (${String(x.value)}) ${x.fix}`);
  }
};

describe('data tier anomaly thresholds', () => {
  it('resolves each threshold given and keeps the default of every other, an explicit 0 included', () => {
    expect(resolveThresholds(CACHE_ANOMALY_DEFAULTS, { score: 4 })).toEqual({ ...CACHE_ANOMALY_DEFAULTS, score: 4 });
    expect(resolveThresholds(DATABASE_ANOMALY_DEFAULTS, { minLagSeconds: 0 }).minLagSeconds).toBe(0);
    expect(resolveThresholds(DATABASE_ANOMALY_DEFAULTS, undefined)).toEqual(DATABASE_ANOMALY_DEFAULTS);
  });

  it('accepts the defaults of both stores', () => {
    expect(problemsOf(CACHE_ANOMALY_DEFAULTS, {})).toEqual([]);
    expect(problemsOf(DATABASE_ANOMALY_DEFAULTS, {})).toEqual([]);
  });

  it('names the field, the value and the range of every threshold out of range', () => {
    expect(
      problemsOf(DATABASE_ANOMALY_DEFAULTS, {
        weeks: 9,
        minDropShare: 0,
        minRollbackRise: 1,
        minLagSeconds: -1,
        score: Number.NaN,
        sustained: '15',
      }),
    ).toEqual([
      'dataTier.postgres.anomaly.weeks (9) must be a whole number of weeks from 1 to 8',
      'dataTier.postgres.anomaly.minDropShare (0) must be a share above 0 and below 1',
      'dataTier.postgres.anomaly.minRollbackRise (1) must be a share above 0 and below 1',
      'dataTier.postgres.anomaly.score (NaN) must be a positive number',
      'dataTier.postgres.anomaly.minLagSeconds (-1) must be a positive number',
      "dataTier.postgres.anomaly.sustained (15) must be a Prometheus duration such as '15m'",
    ]);
  });

  it('checks the fields each store has, with the same rules: a cache its evictions floor', () => {
    expect(problemsOf(CACHE_ANOMALY_DEFAULTS, { minHitRatioFall: 0.2, minEvictionsPerSecond: 0 })).toEqual([
      'dataTier.postgres.anomaly.minEvictionsPerSecond (0) must be a positive number',
    ]);
  });

  it('accepts every share strictly between 0 and 1 and refuses every other', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -2, max: 2 }), (v) => {
        const refused = problemsOf(CACHE_ANOMALY_DEFAULTS, { minHitRatioFall: v }).length > 0;
        expect(refused).toBe(!(v > 0 && v < 1));
      }),
    );
  });

  it('gives the Environment schema exactly the fields of each store, typed, and refuses unknown ones', () => {
    expect(Object.keys(cacheAnomalyThresholdsSchema.shape).sort()).toEqual(Object.keys(CACHE_ANOMALY_DEFAULTS).sort());
    expect(Object.keys(databaseAnomalyThresholdsSchema.shape).sort()).toEqual(Object.keys(DATABASE_ANOMALY_DEFAULTS).sort());
    expect(databaseAnomalyThresholdsSchema.safeParse({ minLagSeconds: 10, sustained: '30m' }).success).toBe(true);
    expect(databaseAnomalyThresholdsSchema.safeParse({ minLagSeconds: '10' }).success).toBe(false);
    expect(cacheAnomalyThresholdsSchema.safeParse({ minLagSeconds: 10 }).success).toBe(false);
  });
});
