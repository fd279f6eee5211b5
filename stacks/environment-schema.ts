import { Problems } from '../constructs/core/errors';
import type { Environment, ServiceSpec } from './environment';
import { cidrProblem, cronProblem, registryProblem, repositoryProblem, tagProblem, urlProblem } from '../constructs/core/grammars';
import { isDnsLabel } from '../constructs/core/labels';
import {
  SameKeys,
  checkShape,
  count,
  cpu,
  dnsLabel,
  duration,
  grammar,
  httpPath,
  labelKey,
  labelValue,
  nonEmpty,
  num,
  size,
  strict,
  z,
} from '../constructs/core/schema';
import { Duration } from 'cdk8s';
import { MAX_REPLICAS, SERVICE_PROP_SCHEMAS } from '../constructs/workload/scalable-service-schema';
import { ALL_RULES } from '../policies/rules';
import { retentionSchema } from '../constructs/observability/monitoring-stack-values';
import { sloSchema } from '../constructs/observability/slo-schema';
import { anomalyThresholdsSchema } from '../constructs/observability/anomaly-rules';
import { cacheAnomalyThresholdsSchema, databaseAnomalyThresholdsSchema } from '../constructs/observability/data-tier-anomaly-thresholds';
import { OPERATORS_FOR } from './kubernetes-versions';
import { cpuLimitSchema, spotPercentSchema } from '../constructs/platform/karpenter-node-pools';

/**
 * What each field of an {@link Environment} and {@link ServiceSpec} may hold, checked at run time, so a value built
 * in JavaScript, read from JSON or cast past the compiler gets the errors TypeScript would give (unknown fields,
 * text where a number belongs, a misspelt choice) plus the grammar and range of every field. Cross-field rules
 * (replica bounds, references between fields) live in ./environment-rules.ts and the constructs.
 */

const dnsSubdomain = grammar((v) =>
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v) && v.length <= 253
    ? undefined
    : 'must be a Kubernetes object name (lowercase letters, digits, `-` and `.`)',
);
const cidr = (minPrefix = 0, maxPrefix = 32) => grammar((v) => cidrProblem(v, { minPrefix, maxPrefix }));
const url = grammar((v) => urlProblem(v));

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
  spotPercent: spotPercentSchema,
  cdn: z.boolean(),
  karpenter: strict({ cpuLimit: cpuLimitSchema }).optional(),
});

const secretKeyRef = strict({ name: dnsSubdomain, key: nonEmpty });
const receiver = z.discriminatedUnion('kind', [
  strict({ kind: z.literal('webhook'), url }),
  strict({ kind: z.literal('pagerduty'), routingKeySecret: secretKeyRef, url: url.optional() }),
  strict({
    kind: z.literal('opsgenie'),
    apiKeySecret: secretKeyRef,
    apiUrl: url.optional(),
    responders: z.array(strict({ type: z.enum(['team', 'user', 'escalation', 'schedule']), name: nonEmpty })).optional(),
  }),
  strict({ kind: z.literal('servicenow'), url, username: nonEmpty, passwordSecret: secretKeyRef }),
  strict({ kind: z.literal('slack'), webhookUrlSecret: secretKeyRef, channel: nonEmpty.optional() }),
  strict({ kind: z.literal('msteams'), webhookUrlSecret: secretKeyRef }),
]);

/** The remediation policy's shape; its ranges and references (services, prefixes, replica ceilings) are the runner's to check. */
const remediationAction = z.discriminatedUnion('kind', [
  strict({ kind: z.literal('restart') }),
  strict({ kind: z.literal('scale'), by: z.number(), minutes: z.number() }),
  strict({ kind: z.literal('cacheClear'), prefix: z.string(), batch: z.number().optional() }),
  strict({ kind: z.literal('rollback'), withinMinutes: z.number() }),
]);
const remediationPolicy = strict({
  dryRun: z.boolean().optional(),
  services: z.array(
    strict({
      service: z.string(),
      rules: z.array(
        strict({
          alert: z.string(),
          action: remediationAction,
          maxPerHour: z.number().optional(),
          cooldownMinutes: z.number().optional(),
          escalateAfterMinutes: z.number().optional(),
        }),
      ),
    }),
  ),
});

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

/**
 * Upper bounds keep every count in the range the platform is sized and planned for: node-pool planning places each
 * replica (a typo such as 1e9 would never finish), and a Redis Cluster or PostgreSQL quorum beyond these is a
 * different architecture.
 */
export const LIMITS = { replicas: MAX_REPLICAS, redisShards: 100, redisReplicasPerShard: 5, postgresInstances: 9 } as const;

const dataTier = strict({
  redis: strict({
    engine: z.enum(['valkey', 'redis']).optional(),
    shards: count(1, LIMITS.redisShards),
    replicasPerShard: count(0, LIMITS.redisReplicasPerShard),
    memory: size({ whole: 'Mi' }),
    cpu: cpu(),
    storage: size({ whole: 'Gi' }),
    anomaly: cacheAnomalyThresholdsSchema.optional(),
  }),
  postgres: strict({
    instances: count(1, LIMITS.postgresInstances),
    synchronousReplicas: count(0, LIMITS.postgresInstances - 1),
    memory: size({ whole: 'Mi' }),
    cpu: cpu(),
    storage: size({ whole: 'Gi' }),
    backup,
    targetClients: count(1).optional(),
    anomaly: databaseAnomalyThresholdsSchema.optional(),
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
  kubernetesVersion: grammar((v) => (v in OPERATORS_FOR ? undefined : `must be one of ${Object.keys(OPERATORS_FOR).join(', ')}`)),
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
    retention: retentionSchema,
    runbookBaseUrl: url.optional(),
    events: z.enum(['exporter', 'site-pipeline']).optional(),
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
  remediation: remediationPolicy.optional(),
  alerting: strict({
    receivers: z.record(dnsLabel, receiver),
    teams: z.record(
      dnsLabel,
      strict({
        page: nonEmpty,
        ticket: nonEmpty,
        escalation: strict({ afterMinutes: count(1, 1440), receiver: nonEmpty }).optional(),
      }),
    ),
    defaultTeam: dnsLabel,
  }),
  costAllocation: strict({ team: labelValue, costCenter: labelValue, extraLabels: z.record(labelKey, labelValue).optional() }),
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

const service = SERVICE_PROP_SCHEMAS;
export const serviceSpecSchema = strict({
  name: dnsLabel,
  repository: grammar(repositoryProblem),
  tag: grammar(tagProblem),
  team: dnsLabel.optional(),
  resources: service.resources,
  replicas: service.replicas,
  metrics: service.metrics,
  behavior: service.behavior,
  businessHours: service.businessHours,
  verticalScaling: service.verticalScaling,
  capacity: service.capacity,
  exposure: z.enum(['public', 'internal']),
  slo: sloSchema,
  anomaly: anomalyThresholdsSchema.optional(),
  component: service.component,
  probes: service.probes,
  env: service.env,
  policyExemption: service.policyExemption,
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
  forecastFloors: service.forecastFloors,
});

/**
 * Compile-time guard: a field added to Environment or ServiceSpec without its schema (or the reverse) is a type
 * error here naming the field, instead of every environment being refused at run time for an "unknown" field.
 */
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
  SameKeys<NonNullable<Environment['remediation']>, NonNullable<Schema['remediation']>>,
  SameKeys<NonNullable<ServiceSpec['anomaly']>, NonNullable<z.infer<typeof serviceSpecSchema>['anomaly']>>,
] = [true, true, true, true, true, true, true, true, true, true];

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
