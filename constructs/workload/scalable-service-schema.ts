/**
 * What each prop of a {@link ScalableServiceProps} may hold, as zod schemas: the one place their shape and ranges
 * are written. The construct checks its props with {@link scalableServicePropsSchema}; the Environment schema
 * (stacks/environment-schema.ts) takes the props a service sets from {@link SERVICE_PROP_SCHEMAS}, so a service is
 * refused with the same words whether it comes from an Environment or straight from a chart. Rules across props
 * (`replicas.min` <= `replicas.max`, the memory limit against the request, the drain delay against the grace period,
 * floors within the replica bounds) stay in the construct's `checkServiceProps`.
 */
import { Duration } from 'cdk8s';
import { isPinned } from '../../manifests/images';
import { imageReferenceProblem } from '../core/grammars';
import {
  SameKeys,
  count,
  cpu,
  dnsLabel,
  duration,
  grammar,
  httpPath,
  instanceOf,
  labelValue,
  nonEmpty,
  size,
  strict,
  stringMap,
  z,
} from '../core/schema';
import { businessHoursSchema } from './business-hours';
import { CapacityClass } from './capacity-class';
import { forecastFloorsSchema } from './forecast-floors';
import { scalingBehaviorSchema } from './scaling-behavior';
import { ScalingMetric } from './scaling-metric';
import { UPDATE_MODES } from './vertical-scaling';
import type { ScalableServiceProps } from './scalable-service-props';

/** Replicas a service may scale to: node-pool planning places each one, so a typo such as 1e9 would never finish. */
export const MAX_REPLICAS = 1000;

/** `registry/repo:tag` or `registry/repo@sha256:...`; `latest` and untagged images are not reproducible. */
export function imageProblem(image: string): string | undefined {
  if (image.trim() === '') return 'is required: give a fully qualified image with a tag, e.g. "registry.example.com/web/api:1.4.2"';
  return (
    imageReferenceProblem(image) ??
    (isPinned(image) ? undefined : 'must carry a pinned tag or a sha256 digest (not "latest"), e.g. "registry.example.com/web/api:1.4.2"')
  );
}

const bounds = strict({ cpu: cpu().optional(), memory: size({ whole: 'Mi' }).optional() });
const port = z.number().refine((v) => Number.isInteger(v) && v >= 1 && v <= 65535, { error: 'must be a port number between 1 and 65535' });
const zones = z.number().superRefine((v, ctx) => {
  if (!Number.isInteger(v)) ctx.addIssue({ code: 'custom', input: v, message: 'must be a whole number >= 1' });
  else if (v < 1) ctx.addIssue({ code: 'custom', input: v, message: 'must be at least 1 (the number of zones the cluster spans)' });
});

/** The props an Environment's services set (stacks/environment.ts `SERVICE_PROPS`), each with its schema. */
export const SERVICE_PROP_SCHEMAS = {
  resources: strict({
    // Memory before CPU: the order problems are listed in.
    memory: size({ whole: 'Mi' }),
    cpu: cpu(),
    memoryLimit: size({ whole: 'Mi' }).optional(),
    cpuLimit: cpu().optional(),
  }),
  replicas: strict({ min: count(1, MAX_REPLICAS), max: count(1, MAX_REPLICAS) }),
  metrics: z
    .array(instanceOf(ScalingMetric, 'ScalingMetric.cpu(70), .memory(80), .podsRate({...}) or .external({...})'))
    .min(1, { error: 'must name at least one metric to scale on, e.g. ScalingMetric.cpu(70)' })
    .optional(),
  behavior: scalingBehaviorSchema.optional(),
  businessHours: businessHoursSchema.optional(),
  forecastFloors: forecastFloorsSchema.optional(),
  verticalScaling: strict({
    updateMode: z.enum(UPDATE_MODES).optional(),
    controlledResources: z
      .array(z.enum(['cpu', 'memory']))
      .min(1, { error: "must name 'cpu', 'memory' or both; use updateMode 'Off' to control nothing" })
      .optional(),
    minAllowed: bounds.optional(),
    maxAllowed: bounds.optional(),
  }).optional(),
  capacity: instanceOf(CapacityClass, 'CapacityClass.critical(), .standard() or .spotTolerant()').optional(),
  component: labelValue.optional(),
  probes: strict({
    readinessPath: httpPath.optional(),
    livenessPath: httpPath.optional(),
    startupTimeout: duration({ min: Duration.seconds(2), max: Duration.hours(1), wholeSeconds: true }).optional(),
  }).optional(),
  env: z
    .record(
      grammar((v) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? undefined : 'must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)')),
      z.string(),
    )
    .optional(),
  policyExemption: strict({ rules: z.array(nonEmpty).min(1, { error: 'must name at least one rule' }), reason: nonEmpty }).optional(),
};

/** Every prop of the construct. Labels are checked by `checkLabels` (../core/labels.ts), which names the bad key. */
export const scalableServicePropsSchema = strict({
  name: dnsLabel.optional(),
  namespace: dnsLabel,
  image: grammar(imageProblem),
  zones,
  ...SERVICE_PROP_SCHEMAS,
  containerPort: port.optional(),
  servicePort: port.optional(),
  metricsPort: port.optional(),
  drainDelay: duration({ min: Duration.seconds(0), wholeSeconds: true }).optional(),
  terminationGracePeriod: duration({ min: Duration.seconds(1), wholeSeconds: true }).optional(),
  secretEnv: z.record(z.string(), strict({ secret: nonEmpty, key: nonEmpty })).optional(),
  labels: stringMap().optional(),
  podLabels: stringMap().optional(),
  partOf: z.string().optional(),
  instance: z.string().optional(),
  allowFrom: z.array(z.record(z.string(), z.unknown())).optional(),
  monitoringNamespace: dnsLabel.optional(),
  prometheusUrl: z.string().optional(),
  kubernetesVersion: z.string().optional(),
  spotCapacity: z.boolean().optional(),
});

/** Compile-time guard: a prop added to ScalableServiceProps without its schema (or the reverse) is a type error here. */
export const SCALABLE_SERVICE_SCHEMA_COMPLETE: SameKeys<ScalableServiceProps, z.infer<typeof scalableServicePropsSchema>> = true;
