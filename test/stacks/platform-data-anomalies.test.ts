import { DATABASE_ANOMALY_DEFAULTS, CACHE_ANOMALY_DEFAULTS } from '../../constructs/observability/data-tier-anomaly-thresholds';
import { Environment } from '../../stacks/environment';
import { ENVIRONMENTS } from '../../stacks/environments';
import { validateEnvironment } from '../../stacks/environment-rules';
import { buildPlatform } from '../../stacks/platform';
import { prod } from '../../stacks/prod';
import { chartsOf } from '../support/environments';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The data stores' anomaly rules as stacks/platform.ts composes them, in every environment. */
describe('data tier anomaly alerts in the environments', () => {
  it.each(Object.keys(ENVIRONMENTS))('%s ships one anomaly PrometheusRule per data store, in the data chart', (name) => {
    const env = ENVIRONMENTS[name];
    const data = chartsOf(name).find((c) => c.chart === 'data')!;
    const rules = (data.objects as Json[]).filter((o) => o.kind === 'PrometheusRule' && o.metadata.name.endsWith('-anomalies'));
    expect(rules.map((o) => o.metadata.name)).toEqual(['redis-anomalies', 'postgres-anomalies']);
    for (const o of rules) {
      expect(o.metadata.namespace).toBe(env.namespace);
      expect(o.metadata.labels.environment).toBe(name);
      const alerts = o.spec.groups.flatMap((g: Json) => g.rules.filter((r: Json) => r.alert));
      expect(alerts.length).toBeGreaterThanOrEqual(4);
      // The data tier belongs to the default team: no service label for a service's team to match.
      for (const a of alerts) {
        expect(a.labels).toMatchObject({ anomaly: 'true', severity: 'ticket', cluster: o.metadata.name.replace(/-anomalies$/, '') });
        expect(a.labels.service).toBeUndefined();
      }
    }
  });

  it("takes each store's thresholds from the environment's data tier, the defaults otherwise", () => {
    const env: Environment = {
      ...prod,
      dataTier: { ...prod.dataTier, postgres: { ...prod.dataTier.postgres, anomaly: { minLagSeconds: 10 } } },
    };
    const { dataAnomalies } = buildPlatform(env);
    expect(dataAnomalies.databaseThresholds).toEqual({ ...DATABASE_ANOMALY_DEFAULTS, minLagSeconds: 10 });
    expect(dataAnomalies.cacheThresholds).toEqual(CACHE_ANOMALY_DEFAULTS);
  });

  it.each([
    [{ redis: { minHitRatioFall: 10 } }, "prod: 'dataTier.redis.anomaly.minHitRatioFall' (10) must be a share above 0 and below 1"],
    [{ postgres: { weeks: 2, minWeeks: 3 } }, "prod: 'dataTier.postgres.anomaly.minWeeks' (3) must be from 1 to 'weeks' (2)"],
    [{ postgres: { minLagSeconds: '5' } }, 'prod: \'dataTier.postgres.anomaly.minLagSeconds\' ("5") must be a number, not text'],
    [{ redis: { minLagSeconds: 5 } }, "prod: 'dataTier.redis.anomaly.minLagSeconds' (5) is not a field of 'dataTier.redis.anomaly'"],
  ])('rejects the data tier anomaly thresholds %j with one line naming the store', (anomaly, message) => {
    const a = anomaly as { redis?: object; postgres?: object };
    const bad = {
      ...prod,
      dataTier: {
        redis: { ...prod.dataTier.redis, ...(a.redis ? { anomaly: a.redis } : {}) },
        postgres: { ...prod.dataTier.postgres, ...(a.postgres ? { anomaly: a.postgres } : {}) },
      },
    } as Environment;
    expect(() => validateEnvironment(bad)).toThrow(message);
  });
});
