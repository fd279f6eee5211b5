import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { Slo } from '../constructs/observability/slo';
import { Endpoint } from '../loadtests/plan';
import { BusinessHours } from '../constructs/workload/business-hours';
import { CapacityClass } from '../constructs/workload/capacity-class';
import { ForecastFloors } from '../constructs/workload/forecast-floors';
import { ScalingMetric } from '../constructs/workload/scaling-metric';
import { TeamRouting } from '../constructs/observability/alert-routing';
import { ServiceSpec } from './environment';

/** Released versions of the platform's services; a release bumps a tag here. */
export const RELEASES = {
  'api-gateway': '1.8.2',
  'nlp-service': '0.14.0',
  'audit-service': '2.3.1',
  web: '3.0.4',
} as const;

/** The platform's objectives (DESIGN.md): 99.9% availability over 30 days, p95 under 200 ms. */
export const PLATFORM_SLO: Slo = {
  availabilityPercent: 99.9,
  window: Duration.days(30),
  latencyPercentile: 95,
  latencyThreshold: Duration.millis(200),
};

/** Platform-wide targets of DESIGN.md that are not per-service objectives: the platform alerts hold to them. */
export const PLATFORM_TARGETS = {
  p99Latency: Duration.millis(500),
  cacheHitRatio: 0.9,
} as const;

/** The request mix of api-gateway's load tests: mostly reads, some searches, a few writes. */
export const API_GATEWAY_MIX: readonly Endpoint[] = [
  { name: 'catalog', method: 'GET', path: '/api/v1/catalog', weight: 6, expectBody: '"items"' },
  { name: 'search', method: 'GET', path: '/api/v1/search?q=perf', weight: 3, expectBody: '"results"' },
  { name: 'order', method: 'POST', path: '/api/v1/orders', weight: 1, expectStatus: 201, body: '{"sku":"loadtest-1","quantity":1}' },
];

/** Requests per second one api-gateway pod serves within the latency objective (from load tests). */
const API_RPS_PER_POD = 100;

/**
 * The teams that own the services below (`team`): nlp-service has its own; the platform team owns the rest and every
 * alert without a service (platform, data tier). Every environment routes both (`alerting.teams`).
 */
export const PLATFORM_TEAMS = { default: 'platform', nlp: 'nlp' } as const;

/** `alerting.teams` for an environment that sends every team's alerts to the same receivers. */
export function everyTeam(routing: TeamRouting): Record<string, TeamRouting> {
  return Object.fromEntries(Object.values(PLATFORM_TEAMS).map((team) => [team, routing]));
}

export interface ServiceCatalogOptions {
  /**
   * `full`: DESIGN.md's replica bounds. `minimal`: one to two replicas each, for development clusters.
   */
  readonly scale: 'full' | 'minimal';
  /** A business-hours floor for api-gateway (KEDA). @default - none */
  readonly apiBusinessHours?: BusinessHours;
  /** Forecast floors for api-gateway (KEDA), from a committed floors file. @default - none */
  readonly apiForecastFloors?: ForecastFloors;
}

/**
 * The four services of DESIGN.md with their scaling signals. Replica bounds come from DESIGN.md's table;
 * `minimal` shrinks them for development only.
 */
export function webPlatformServices(options: ServiceCatalogOptions): ServiceSpec[] {
  const bounds = (min: number, max: number) => (options.scale === 'full' ? { min, max } : { min: 1, max: 2 });
  return [
    {
      name: 'api-gateway',
      ingressPath: '/api',
      repository: 'perfstack/api-gateway',
      tag: RELEASES['api-gateway'],
      exposure: 'public',
      component: 'gateway',
      resources: { cpu: Cpu.millis(500), memory: Size.mebibytes(512) },
      replicas: bounds(2, 20),
      metrics: [
        ScalingMetric.cpu(70),
        ScalingMetric.memory(80),
        ScalingMetric.podsRate({ name: 'http_requests_per_second', series: 'http_requests_total', targetAverageValue: API_RPS_PER_POD }),
      ],
      businessHours: options.apiBusinessHours,
      forecastFloors: options.apiForecastFloors,
      // HPA scales on CPU and memory: the VPA only recommends.
      verticalScaling: { updateMode: 'Off' },
      // The floor on on-demand nodes, the load above it on spot (critical, with spot burst).
      capacity: CapacityClass.critical().withSpotBurst(),
      uses: ['redis', 'postgres'],
      // Every audit event carries its id and audit-service upserts by it, so a retried POST records it once.
      dependencies: [{ kind: 'service', service: 'audit-service', methods: ['POST'], idempotent: true }],
      slo: PLATFORM_SLO,
    },
    {
      name: 'nlp-service',
      team: PLATFORM_TEAMS.nlp,
      repository: 'perfstack/nlp-service',
      tag: RELEASES['nlp-service'],
      exposure: 'internal',
      resources: { cpu: Cpu.millis(1000), memory: Size.gibibytes(2), memoryLimit: Size.gibibytes(3) },
      replicas: bounds(1, 10),
      metrics: [ScalingMetric.cpu(80), ScalingMetric.external({ name: 'nlp_queue_depth', targetAverageValue: 20, aggregation: 'max' })],
      // Memory is not an HPA signal here, so the VPA may size it when pods start.
      verticalScaling: {
        updateMode: 'Initial',
        controlledResources: ['memory'],
        minAllowed: { memory: Size.gibibytes(1) },
        maxAllowed: { memory: Size.gibibytes(6) },
      },
      capacity: CapacityClass.spotTolerant(),
      uses: ['redis'],
      // DESIGN.md's floor is 1: a queue consumer whose single replica may restart without failing a request.
      policyExemption: {
        rules: ['production-replicas'],
        reason: 'queue consumer; DESIGN.md sets its floor at 1 and a restart only delays queued work',
      },
      probes: { startupTimeout: Duration.minutes(5) },
      slo: { ...PLATFORM_SLO, latencyThreshold: Duration.millis(500) },
    },
    {
      name: 'audit-service',
      repository: 'perfstack/audit-service',
      tag: RELEASES['audit-service'],
      exposure: 'internal',
      resources: { cpu: Cpu.millis(250), memory: Size.mebibytes(256) },
      replicas: bounds(2, 8),
      metrics: [
        ScalingMetric.cpu(75),
        ScalingMetric.podsRate({ name: 'audit_events_per_second', series: 'audit_events_total', targetAverageValue: 200 }),
      ],
      verticalScaling: { updateMode: 'Initial', controlledResources: ['memory'], maxAllowed: { memory: Size.gibibytes(1) } },
      // Non-critical: the floor on on-demand nodes, the load above it on spot.
      capacity: CapacityClass.standard().withSpotBurst(),
      uses: ['postgres'],
      slo: PLATFORM_SLO,
    },
    {
      name: 'web',
      repository: 'perfstack/web',
      tag: RELEASES.web,
      exposure: 'public',
      component: 'frontend',
      resources: { cpu: Cpu.millis(100), memory: Size.mebibytes(128) },
      replicas: bounds(2, 6),
      metrics: [ScalingMetric.cpu(70)],
      verticalScaling: { updateMode: 'Off' },
      capacity: CapacityClass.spotTolerant(),
      slo: PLATFORM_SLO,
    },
  ];
}
