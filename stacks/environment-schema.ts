import { Problems } from '../constructs/core/errors';
import type { Environment, ServiceSpec } from './environment';
import {
  cidrProblem,
  cronProblem,
  isTimeZone,
  promDurationProblem,
  registryProblem,
  repositoryProblem,
  tagProblem,
  urlProblem,
} from '../constructs/core/grammars';
import { isDnsLabel, isLabelKey, isLabelValue } from '../constructs/core/labels';
import { checkShape, cpu, strict, duration, grammar, instanceOf, num, percent, size, z } from '../constructs/core/schema';
import { Duration } from 'cdk8s';
import { CapacityClass } from '../constructs/workload/capacity-class';
import { ScalingMetric } from '../constructs/workload/scaling-metric';
import { ALL_RULES } from '../policies/rules';

/**
 * What each field of an {@link Environment} and {@link ServiceSpec} may hold, checked at run time, so a value built
 * in JavaScript, read from JSON or cast past the compiler gets the errors TypeScript would give (unknown fields,
 * text where a number belongs, a misspelt choice) plus the grammar and range of every field. Cross-field rules
 * (replica bounds, references between fields) live in ./environment-rules.ts and the constructs.
 */

const dnsLabel = grammar((v) =>
  isDnsLabel(v) ? undefined : 'must be a DNS label: lowercase letters, digits and `-`, starting with a letter, at most 63 characters',
);
const dnsSubdomain = grammar((v) =>
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v) && v.length <= 253
    ? undefined
    : 'must be a Kubernetes object name (lowercase letters, digits, `-` and `.`)',
);
const labelValue = grammar((v) =>
  isLabelValue(v) ? undefined : 'must be a label value: at most 63 letters, digits, `-`, `_` or `.`, starting and ending alphanumeric',
);
const labelKey = grammar((v) => (isLabelKey(v) ? undefined : 'must be a label key (optional DNS-subdomain prefix and `/`, then a name)'));
const cidr = (minPrefix = 0, maxPrefix = 32) => grammar((v) => cidrProblem(v, { minPrefix, maxPrefix }));
const url = grammar((v) => urlProblem(v));
const nonEmpty = z.string().min(1, { error: 'must not be empty' });

const labelSelector = strict({
  matchLabels: z.record(labelKey, labelValue).optional(),
  matchExpressions: z
    .array(
      strict({
        key: labelKey,
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(labelValue).optional(),
      }),
    )
    .optional(),
});

const networkPolicyPeer = strict({
  ipBlock: strict({ cidr: cidr(), except: z.array(cidr()).optional() }).optional(),
  namespaceSelector: labelSelector.optional(),
  podSelector: labelSelector.optional(),
});

const awsCloud = strict({
  kind: z.literal('aws'),
  region: grammar((v) => (/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(v) ? undefined : 'must be an AWS region such as "eu-west-1"')),
  accountId: grammar((v) => (/^\d{12}$/.test(v) ? undefined : 'must be a 12-digit AWS account id, in quotes')),
  vpcCidr: cidr(16, 20),
  spotPercent: percent({ min: 0, max: 90, integer: true }),
  cdn: z.boolean(),
  karpenter: strict({ cpuLimit: num({ integer: true, min: 1, max: 100_000, unit: 'vCPU' }) }).optional(),
});

const receiver = z.discriminatedUnion('kind', [
  strict({ kind: z.literal('webhook'), url }),
  strict({ kind: z.literal('pagerduty'), routingKeySecret: strict({ name: dnsSubdomain, key: nonEmpty }) }),
]);

const retentionDays = grammar((v) => (/^[1-9][0-9]*[dwm]$/.test(v) ? undefined : 'must be a number and a unit d, w or m, e.g. "30d"'));
const s3Url = grammar((v) => (/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(v) ? undefined : 'must be an s3://bucket/path URL'));
const backupSchedule = grammar((v) => cronProblem(v, 'with-seconds'));
const backup = z.discriminatedUnion('kind', [
  strict({
    kind: z.literal('s3'),
    destinationPath: s3Url,
    iamRoleArn: grammar((v) => (/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(v) ? undefined : 'must be an IAM role ARN')),
    retention: retentionDays,
    schedule: backupSchedule.optional(),
  }),
  strict({
    kind: z.literal('object-store'),
    endpointUrl: url,
    destinationPath: s3Url,
    credentialsSecret: dnsSubdomain,
    retention: retentionDays,
    schedule: backupSchedule.optional(),
  }),
]);

const count = (min: number, max?: number) => num({ integer: true, min, max });
const httpPath = grammar((v) => (/^\/[^\s]*$/.test(v) ? undefined : 'must be an HTTP path starting with /'));

/**
 * Upper bounds keep every count in the range the platform is sized and planned for: node-pool planning places each
 * replica (a typo such as 1e9 would never finish), and a Redis Cluster or PostgreSQL quorum beyond these is a
 * different architecture.
 */
export const LIMITS = { replicas: 1000, redisShards: 100, redisReplicasPerShard: 5, postgresInstances: 9 } as const;

const dataTier = strict({
  redis: strict({
    engine: z.enum(['valkey', 'redis']).optional(),
    shards: count(1, LIMITS.redisShards),
    replicasPerShard: count(0, LIMITS.redisReplicasPerShard),
    memory: size({ whole: 'Mi' }),
    cpu: cpu(),
    storage: size({ whole: 'Gi' }),
  }),
  postgres: strict({
    instances: count(1, LIMITS.postgresInstances),
    synchronousReplicas: count(0, LIMITS.postgresInstances - 1),
    memory: size({ whole: 'Mi' }),
    cpu: cpu(),
    storage: size({ whole: 'Gi' }),
    backup,
    targetClients: count(1).optional(),
  }),
});

/** Grammar and shape only; `checkIngress` holds the rules that depend on the cloud. */
const ingress = strict({
  hosts: z.array(nonEmpty),
  className: nonEmpty.optional(),
  tls: z.discriminatedUnion('kind', [
    strict({ kind: z.literal('acm'), certificateArn: nonEmpty }),
    strict({ kind: z.literal('cert-manager'), clusterIssuer: dnsSubdomain }),
    strict({ kind: z.literal('secret'), secretName: dnsSubdomain }),
  ]),
  dns: strict({ hostedZoneId: nonEmpty, hostname: nonEmpty }).optional(),
});

/** The Environment's own fields; services are checked one by one with {@link serviceSpecSchema}. */
export const environmentSchema = strict({
  name: dnsLabel,
  zones: z.array(nonEmpty).min(1, { error: 'must list at least one zone' }),
  cloud: z.discriminatedUnion('kind', [awsCloud, strict({ kind: z.literal('none') })]),
  production: z.boolean(),
  airGapped: z.boolean(),
  imageRegistry: grammar(registryProblem),
  kubernetesVersion: z.string(),
  operators: z
    .record(
      z.string(),
      grammar((v) => (/^v?\d+\.\d+\.\d+$/.test(v) ? undefined : 'must be a release such as "1.24.4"')),
    )
    .optional(),
  namespace: dnsLabel,
  monitoring: strict({
    namespace: dnsLabel,
    prometheusUrl: url,
    retention: strict({
      time: grammar(promDurationProblem),
      size: grammar((v) => (/^[1-9][0-9]*(B|KB|MB|GB|TB|PB|EB)$/.test(v) ? undefined : 'must be a Prometheus size such as "50GB"')),
    }),
    runbookBaseUrl: url.optional(),
  }),
  ingressFrom: z.array(networkPolicyPeer),
  ingress: ingress.optional(),
  apiServer: strict({
    cidrs: z.array(cidr()).min(1, { error: 'must list the API server address range' }),
    port: num({ integer: true, min: 1, max: 65535 }),
  }),
  services: z.array(z.unknown()).min(1, { error: 'must list at least one service' }),
  mesh: z.enum(['istio-ambient', 'none']).optional(),
  dataTier,
  loadTests: strict({
    target: nonEmpty,
    endpoints: z
      .array(
        strict({
          name: nonEmpty,
          method: z.enum(['GET', 'POST', 'PUT', 'DELETE']),
          path: httpPath,
          weight: count(1, 1000),
          expectStatus: count(100, 599).optional(),
          expectBody: z.string().optional(),
          body: z.string().optional(),
        }),
      )
      .min(1, { error: 'must list at least one endpoint of the request mix' }),
    schedule: grammar((v) => cronProblem(v, 'five-field')),
    suspended: z.boolean().optional(),
  }).optional(),
  chaos: strict({ suspended: z.boolean().optional() }).optional(),
  restoreDrill: strict({ schedule: grammar((v) => cronProblem(v, 'five-field')).optional(), suspended: z.boolean().optional() }).optional(),
  alerting: strict({ onCall: receiver, ticket: receiver }),
  costAllocation: strict({ team: labelValue, costCenter: labelValue, extraLabels: z.record(labelKey, labelValue).optional() }),
});

const rate = strict({
  stabilizationWindow: duration({ min: Duration.seconds(0), max: Duration.hours(1), wholeSeconds: true }).optional(),
  percent: count(1).optional(),
  pods: count(1).optional(),
  period: duration({ min: Duration.seconds(1), max: Duration.minutes(30), wholeSeconds: true }).optional(),
});

const hhmm = grammar((v) => (/^([01]\d|2[0-3]):[0-5]\d$/.test(v) ? undefined : 'must be HH:MM in 24-hour time, e.g. "08:00"'));
const bounds = strict({ cpu: cpu().optional(), memory: size({ whole: 'Mi' }).optional() });

/** A service level objective: a percentage (not a fraction) and positive durations. */
export const sloSchema = strict({
  availabilityPercent: percent({ min: 50, max: 100, maxExclusive: true }),
  window: duration({ min: Duration.hours(1), wholeSeconds: true }).optional(),
  latencyThreshold: duration({ min: Duration.millis(1) }),
  latencyPercentile: percent({ min: 50, max: 100, maxExclusive: true }).optional(),
  metrics: z
    .strictObject({
      requests: grammar((v) => (/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(v) ? undefined : 'must be a Prometheus metric name')).optional(),
      errorSelector: nonEmpty.optional(),
      latencyHistogram: grammar((v) => (/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(v) ? undefined : 'must be a Prometheus metric name')).optional(),
    })
    .optional(),
});

const positiveMillis = duration({ min: Duration.millis(1), max: Duration.hours(1) });
const dependencyPolicy = {
  perTryTimeout: positiveMillis.optional(),
  retries: strict({
    // Ranges are the call graph's to explain (constructs/traffic/call-graph.ts): here only the type.
    attempts: count(0).optional(),
    backoff: positiveMillis.optional(),
    statusCodes: z.array(count(500, 599)).min(1, { error: 'must list at least one status code' }).optional(),
  }).optional(),
  circuitBreaker: strict({
    maxConnections: count(0).optional(),
    maxPendingRequests: count(0).optional(),
    maxRequestsPerConnection: count(0).optional(),
  }).optional(),
  outlierDetection: strict({
    consecutive5xxErrors: count(1).optional(),
    consecutiveGatewayErrors: count(1).optional(),
    interval: positiveMillis.optional(),
    baseEjectionTime: positiveMillis.optional(),
    maxEjectionPercent: count(0).optional(),
  }).optional(),
  idempotent: z.boolean().optional(),
};
/** A service's dependencies; the call graph's own checks (budget, amplification, cycles) run on the whole environment. */
const dependency = z.discriminatedUnion('kind', [
  strict({
    kind: z.literal('service'),
    service: dnsLabel,
    protocol: z.enum(['http', 'grpc']).optional(),
    methods: z
      .array(z.enum(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'POST', 'PATCH']))
      .min(1, { error: 'must list at least one method' })
      .optional(),
    ...dependencyPolicy,
  }),
  strict({ kind: z.literal('redis'), ...dependencyPolicy }),
  strict({ kind: z.literal('postgres'), access: z.enum(['rw', 'ro']), ...dependencyPolicy }),
]);

export const serviceSpecSchema = strict({
  name: dnsLabel,
  repository: grammar(repositoryProblem),
  tag: grammar(tagProblem),
  resources: strict({
    cpu: cpu(),
    memory: size({ whole: 'Mi' }),
    memoryLimit: size({ whole: 'Mi' }).optional(),
    cpuLimit: cpu().optional(),
  }),
  replicas: strict({ min: count(1, LIMITS.replicas), max: count(1, LIMITS.replicas) }),
  metrics: z
    .array(instanceOf(ScalingMetric, 'ScalingMetric.cpu(70), .memory(80), .podsRate({...}) or .external({...})'))
    .min(1, { error: 'must name at least one metric, e.g. ScalingMetric.cpu(70)' })
    .optional(),
  behavior: strict({ scaleUp: rate.optional(), scaleDown: rate.optional() }).optional(),
  businessHours: z
    .strictObject({
      timeZone: grammar((v) => (isTimeZone(v) ? undefined : 'must be an IANA time zone such as "Europe/Berlin"')),
      start: hhmm,
      end: hhmm,
      days: grammar((v) =>
        cronProblem(`0 0 * * ${v}`)?.replace(/^is not a valid cron schedule: /, 'is not a day-of-week field: '),
      ).optional(),
      minReplicas: count(1, LIMITS.replicas),
    })
    .optional(),
  verticalScaling: z
    .strictObject({
      updateMode: z.enum(['Off', 'Initial', 'Recreate', 'Auto']).optional(),
      controlledResources: z.array(z.enum(['cpu', 'memory'])).optional(),
      minAllowed: bounds.optional(),
      maxAllowed: bounds.optional(),
    })
    .optional(),
  capacity: instanceOf(CapacityClass, 'CapacityClass.critical(), .standard() or .spotTolerant()').optional(),
  exposure: z.enum(['public', 'internal']),
  slo: sloSchema,
  component: labelValue.optional(),
  probes: z
    .strictObject({
      readinessPath: httpPath.optional(),
      livenessPath: httpPath.optional(),
      startupTimeout: duration({ min: Duration.seconds(2), max: Duration.hours(1), wholeSeconds: true }).optional(),
    })
    .optional(),
  env: z
    .record(
      grammar((v) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? undefined : 'must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)')),
      z.string(),
    )
    .optional(),
  policyExemption: z
    .strictObject({ rules: z.array(nonEmpty).min(1, { error: 'must name at least one rule' }), reason: nonEmpty })
    .optional(),
  uses: z.array(z.enum(['redis', 'postgres'])).optional(),
  dependencies: z.array(dependency).optional(),
  timeout: positiveMillis.optional(),
  ingressPath: httpPath.optional(),
  grpcServices: z
    .array(
      grammar((v) =>
        /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(v)
          ? undefined
          : 'must be a fully qualified gRPC service such as "shop.v1.Orders"',
      ),
    )
    .min(1, { error: 'must name at least one gRPC service' })
    .optional(),
  http2: z.boolean().optional(),
  forecastFloors: strict({
    timeZone: grammar((v) => (isTimeZone(v) ? undefined : 'must be an IANA time zone such as "Europe/Dublin"')),
    floors: z.array(strict({ from: nonEmpty, to: nonEmpty, minReplicas: count(1, LIMITS.replicas) })),
    maxTriggers: count(2).optional(),
  }).optional(),
});

/**
 * Compile-time guard: a field added to Environment or ServiceSpec without its schema (or the reverse) is a type
 * error here naming the field, instead of every environment being refused at run time for an "unknown" field.
 */
type SameKeys<T, U> = [Exclude<keyof T, keyof U>, Exclude<keyof U, keyof T>] extends [never, never]
  ? true
  : [Exclude<keyof T, keyof U>, Exclude<keyof U, keyof T>];
export const ENVIRONMENT_SCHEMA_COMPLETE: SameKeys<Environment, z.infer<typeof environmentSchema>> = true;
export const SERVICE_SPEC_SCHEMA_COMPLETE: SameKeys<ServiceSpec, z.infer<typeof serviceSpecSchema>> = true;
type Schema = z.infer<typeof environmentSchema>;
export const NESTED_SCHEMAS_COMPLETE: [
  SameKeys<Environment['dataTier']['redis'], Schema['dataTier']['redis']>,
  SameKeys<Environment['dataTier']['postgres'], Schema['dataTier']['postgres']>,
  SameKeys<Environment['dataTier'], Schema['dataTier']>,
  SameKeys<Extract<Environment['cloud'], { kind: 'aws' }>, Extract<Schema['cloud'], { kind: 'aws' }>>,
  SameKeys<Environment['monitoring'], Schema['monitoring']>,
  SameKeys<Environment['costAllocation'], Schema['costAllocation']>,
  SameKeys<NonNullable<Environment['loadTests']>, NonNullable<Schema['loadTests']>>,
  SameKeys<Environment['alerting'], Schema['alerting']>,
] = [true, true, true, true, true, true, true, true];

/** Every shape problem of an environment value; true when the shape is right and the domain checks may run. */
export function checkEnvironmentShape(problems: Problems, env: unknown): boolean {
  let ok = checkShape(problems, environmentSchema, env);
  const services = (env as { services?: unknown })?.services;
  if (Array.isArray(services)) {
    services.forEach((s, i) => {
      const name = (s as { name?: unknown })?.name;
      const input = typeof name === 'string' && isDnsLabel(name) ? `services.${name}` : `services[${i}]`;
      ok = checkShape(problems, serviceSpecSchema, s, input) && ok;
    });
  }
  return ok;
}

/** Rule ids an exemption may name: the policy rules, plus the engine's own `exemption-reason`. */
export const RULE_IDS: readonly string[] = ALL_RULES.map((r) => r.id);
