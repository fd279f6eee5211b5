/**
 * The load-test plan: scenarios, thresholds and the endpoint mix, as plain data. Pure and free of k6 and Node
 * globals, so the k6 script, the K6LoadTest construct and the tests all use the same functions.
 */

export type ScenarioName = 'baseline' | 'peak' | 'stress' | 'spike' | 'soak';
export const SCENARIOS: readonly ScenarioName[] = ['baseline', 'peak', 'stress', 'spike', 'soak'];

export interface Stage {
  readonly duration: string;
  readonly target: number;
}

/** A k6 `ramping-vus` scenario. @see https://grafana.com/docs/k6/latest/using-k6/scenarios/executors/ramping-vus/ */
export interface RampingVusScenario {
  readonly executor: 'ramping-vus';
  readonly startVUs: number;
  readonly stages: readonly Stage[];
  readonly gracefulRampDown: string;
  readonly gracefulStop: string;
}

export type Threshold = string | { readonly threshold: string; readonly abortOnFail: boolean; readonly delayAbortEval?: string };

export interface K6Options {
  readonly scenarios: Readonly<Record<string, RampingVusScenario>>;
  readonly thresholds: Readonly<Record<string, readonly Threshold[]>>;
  readonly summaryTrendStats: readonly string[];
  readonly discardResponseBodies?: boolean;
}

/** One request of the mix; `weight` is relative to the others. */
export interface Endpoint {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly weight: number;
  /** @default 200 */
  readonly expectStatus?: number;
  /** A substring the body must contain. @default - only a non-empty body is checked */
  readonly expectBody?: string;
  /** JSON body for POST/PUT. @default - none */
  readonly body?: string;
}

/** What a test needs to know of the service's objectives: derived from its Slo, never typed again. */
export interface LatencyObjectives {
  /** e.g. 95 */
  readonly percentile: number;
  /** e.g. 200 */
  readonly thresholdMs: number;
  /** Platform tail target, e.g. 500. */
  readonly p99Ms: number;
  /** Highest share of failed requests, e.g. 0.001 for 99.9% availability. */
  readonly maxErrorRate: number;
}

export interface TestPlan {
  readonly scenario: ScenarioName;
  readonly baseUrl: string;
  readonly endpoints: readonly Endpoint[];
  /** Mean pause between iterations of one virtual user, in seconds (randomised +-50%). */
  readonly thinkTimeSeconds: number;
  readonly options: K6Options;
}

/** Virtual users of each scenario: `peakVus` is the configured peak (DESIGN.md: 1000+ concurrent users). */
export function scenarioStages(name: ScenarioName, peakVus = 1000): Stage[] {
  switch (name) {
    case 'baseline': // 100 users for 15 minutes, reached over 5
      return [
        { duration: '5m', target: 100 },
        { duration: '10m', target: 100 },
        { duration: '1m', target: 0 },
      ];
    case 'peak': // the peak for 30 minutes, reached over 10
      return [
        { duration: '10m', target: peakVus },
        { duration: '20m', target: peakVus },
        { duration: '2m', target: 0 },
      ];
    case 'stress': // steps past twice the peak until something breaks
      return [...[0.5, 1, 1.5, 2, 2.5].map((f) => ({ duration: '5m', target: Math.round(peakVus * f) })), { duration: '2m', target: 0 }];
    case 'spike': // from a trickle to the peak in 30 seconds, held, then back
      return [
        { duration: '1m', target: 100 },
        { duration: '30s', target: peakVus },
        { duration: '3m', target: peakVus },
        { duration: '30s', target: 100 },
        { duration: '1m', target: 0 },
      ];
    case 'soak': // 500 users for 4 hours
      return [
        { duration: '5m', target: 500 },
        { duration: '4h', target: 500 },
        { duration: '5m', target: 0 },
      ];
  }
}

/**
 * Thresholds from the objectives: p(percentile) under the latency objective, p99 under the tail target, failures
 * under the availability budget. The stress scenario aborts once failures pass the budget: it has found the limit.
 */
export function thresholds(o: LatencyObjectives, scenario: ScenarioName): Record<string, Threshold[]> {
  const failed = `rate<${o.maxErrorRate}`;
  return {
    http_req_duration: [`p(${o.percentile})<${o.thresholdMs}`, `p(99)<${o.p99Ms}`],
    http_req_failed: [scenario === 'stress' ? { threshold: failed, abortOnFail: true, delayAbortEval: '1m' } : failed],
    checks: ['rate>0.99'],
  };
}

export function k6Options(scenario: ScenarioName, o: LatencyObjectives, peakVus?: number): K6Options {
  return {
    scenarios: {
      [scenario]: {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: scenarioStages(scenario, peakVus),
        gracefulRampDown: '30s',
        gracefulStop: '30s',
      },
    },
    thresholds: thresholds(o, scenario),
    // p(99) is not in k6's default summary; the comparator reads it from the summary export.
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  };
}

/** The endpoint for a uniform random number in [0, 1), by weight. */
export function pickEndpoint(endpoints: readonly Endpoint[], random: number): Endpoint {
  const total = endpoints.reduce((s, e) => s + e.weight, 0);
  let x = random * total;
  for (const e of endpoints) {
    if (x < e.weight) return e;
    x -= e.weight;
  }
  return endpoints[endpoints.length - 1];
}
