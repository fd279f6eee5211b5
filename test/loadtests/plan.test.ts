import { Duration } from 'cdk8s';
import fc from 'fast-check';
import { bundleK6Script } from '../../loadtests/bundle';
import { checkK6Options, durationSeconds, isDuration } from '../../loadtests/options-check';
import { SCENARIOS, k6Options, pickEndpoint, scenarioStages } from '../../loadtests/plan';
import { latencyObjectives } from '../../constructs/loadtest/k6-load-test';
import { PLATFORM_SLO, PLATFORM_TARGETS } from '../../stacks/services';

import { Slo, sloModel } from '../../constructs/observability/slo';

const model = (slo: Slo) => sloModel({ service: 'api-gateway', namespace: 'web', slo });
const objectives = latencyObjectives(model(PLATFORM_SLO), PLATFORM_TARGETS.p99Latency);

describe('k6 scenarios', () => {
  it.each(SCENARIOS)('%s has options k6 accepts', (name) => {
    expect(checkK6Options(k6Options(name, objectives))).toEqual([]);
  });

  it('shapes each scenario as the issue asks', () => {
    const peak = (name: (typeof SCENARIOS)[number]) => Math.max(...scenarioStages(name).map((s) => s.target));
    const ramp = (name: (typeof SCENARIOS)[number]) => durationSeconds(scenarioStages(name)[0].duration);
    const total = (name: (typeof SCENARIOS)[number]) => scenarioStages(name).reduce((t, s) => t + durationSeconds(s.duration), 0);
    expect([peak('baseline'), ramp('baseline')]).toEqual([100, 300]);
    expect(total('baseline')).toBeGreaterThanOrEqual(15 * 60);
    expect([peak('peak'), ramp('peak')]).toEqual([1000, 600]);
    expect(total('peak')).toBeGreaterThanOrEqual(30 * 60);
    expect(peak('stress')).toBeGreaterThanOrEqual(2000);
    expect(scenarioStages('spike')[1]).toEqual({ duration: '30s', target: 1000 });
    expect(peak('soak')).toBe(500);
    expect(scenarioStages('soak').some((s) => durationSeconds(s.duration) === 4 * 3600)).toBe(true);
  });

  it('derives thresholds from the Slo, and moves them when the Slo changes', () => {
    expect(k6Options('baseline', objectives).thresholds).toEqual({
      http_req_duration: ['p(95)<200', 'p(99)<500'],
      http_req_failed: ['rate<0.001'],
      checks: ['rate>0.99'],
    });
    const stricter = latencyObjectives(
      model({ ...PLATFORM_SLO, availabilityPercent: 99.99, latencyPercentile: 99, latencyThreshold: Duration.millis(150) }),
      PLATFORM_TARGETS.p99Latency,
    );
    expect(k6Options('baseline', stricter).thresholds.http_req_duration).toEqual(['p(99)<150', 'p(99)<500']);
    expect(k6Options('baseline', stricter).thresholds.http_req_failed).toEqual(['rate<0.0001']);
  });

  it('takes the error budget and the percentile from the SLO model the burn-rate rules use, defaults included', () => {
    const m = model({ availabilityPercent: 99.5, latencyThreshold: Duration.millis(300) });
    expect(latencyObjectives(m, PLATFORM_TARGETS.p99Latency)).toEqual({
      percentile: 95,
      thresholdMs: 300,
      p99Ms: 500,
      maxErrorRate: m.availability.budget,
    });
    expect(m.availability.budget).toBe(0.005);
  });

  it('aborts the stress test once failures pass the budget', () => {
    expect(k6Options('stress', objectives).thresholds.http_req_failed).toEqual([
      { threshold: 'rate<0.001', abortOnFail: true, delayAbortEval: '1m' },
    ]);
  });

  it('catches options k6 would refuse', () => {
    const bad = {
      ...k6Options('baseline', objectives),
      scenarios: {
        'bad name': {
          executor: 'ramping-vus' as const,
          startVUs: -1,
          stages: [{ duration: '5 minutes', target: 10 }],
          gracefulRampDown: '30s',
          gracefulStop: 'x',
        },
      },
      thresholds: { http_req_duration: ['p95 < 200'] },
    };
    expect(checkK6Options(bad)).toEqual([
      "scenarios.bad name: name must be letters, digits, '_' or '-'",
      'scenarios.bad name.startVUs: must be a whole number >= 0',
      "scenarios.bad name.stages[0].duration: '5 minutes' is not a k6 duration",
      "scenarios.bad name.gracefulStop: 'x' is not a k6 duration",
      "thresholds.http_req_duration[0]: 'p95 < 200' is not a k6 threshold expression",
    ]);
  });

  it('parses k6 durations', () => {
    expect(isDuration('1h30m')).toBe(true);
    expect(durationSeconds('1h30m15s')).toBe(5415);
    expect(isDuration('90')).toBe(false);
  });

  it('picks endpoints in proportion to their weights', () => {
    const endpoints = [
      { name: 'a', method: 'GET' as const, path: '/a', weight: 3 },
      { name: 'b', method: 'GET' as const, path: '/b', weight: 1 },
    ];
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.9999, noNaN: true }), (r) => pickEndpoint(endpoints, r).name === (r < 0.75 ? 'a' : 'b')),
    );
  });
});

describe('the k6 script bundle', () => {
  const js = bundleK6Script();

  it('is plain JavaScript importing only k6 modules', () => {
    const imports = [...js.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.sort()).toEqual(['k6', 'k6/http']);
    expect(js).not.toMatch(/: (string|number|void)\b|interface /);
    // esbuild names the anonymous default export and re-exports it.
    expect(js).toMatch(/export \{[^}]*\boptions\b[^}]*\bas default\b[^}]*\}|export \{[^}]*\bas default\b[^}]*\boptions\b[^}]*\}/);
  });

  it('is deterministic', () => {
    expect(bundleK6Script(undefined, { cache: false })).toBe(js);
  });
});
