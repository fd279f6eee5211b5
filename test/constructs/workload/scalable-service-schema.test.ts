import { Duration } from 'cdk8s';
import { Problems } from '../../../constructs/core/errors';
import { checkShape } from '../../../constructs/core/schema';
import { ScalableService, ScalableServiceProps } from '../../../constructs/workload/scalable-service';
import {
  MAX_REPLICAS,
  SERVICE_PROP_SCHEMAS,
  imageProblem,
  scalableServicePropsSchema,
} from '../../../constructs/workload/scalable-service-schema';
import { ConfigError } from '../../../constructs/core/errors';
import { SERVICE_PROPS } from '../../../stacks/environment';
import { validateEnvironment } from '../../../stacks/environment-rules';
import { prod } from '../../../stacks/prod';
import { MINIMAL_SERVICE_PROPS, freshChart } from '../../support/synth';

const base = MINIMAL_SERVICE_PROPS;

/** The construct's report for `props`, one line per problem, or [] when accepted. */
function constructLines(props: Partial<ScalableServiceProps>): string[] {
  try {
    new ScalableService(freshChart(), 'api', { ...base, ...props } as ScalableServiceProps);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
}

/** The Environment's report with prod's api-gateway changed by `props`. */
function environmentLines(props: object): string[] {
  const env = { ...prod, services: prod.services.map((s) => (s.name === 'api-gateway' ? { ...s, ...props } : s)) };
  try {
    validateEnvironment(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
}

describe('the ScalableService schema', () => {
  it('holds every prop an Environment service sets, and the construct schema takes those same schemas', () => {
    expect(Object.keys(SERVICE_PROP_SCHEMAS).sort()).toEqual([...SERVICE_PROPS].sort());
    for (const key of SERVICE_PROPS) expect(scalableServicePropsSchema.shape[key]).toBe(SERVICE_PROP_SCHEMAS[key]);
  });

  it('refuses a startup timeout with the same words on the construct and through an Environment', () => {
    const tooLong = { probes: { startupTimeout: Duration.hours(2) } };
    expect(constructLines(tooLong)).toEqual(["test/api: 'probes.startupTimeout' (2 hours) must be at most 60 minutes"]);
    expect(environmentLines(tooLong)).toEqual(["prod: 'services.api-gateway.probes.startupTimeout' (2 hours) must be at most 60 minutes"]);
    const tooShort = { probes: { startupTimeout: Duration.millis(500) } };
    expect(constructLines(tooShort)).toEqual(["test/api: 'probes.startupTimeout' (500 millis) must be at least 2 seconds"]);
    expect(environmentLines(tooShort)).toEqual([
      "prod: 'services.api-gateway.probes.startupTimeout' (500 millis) must be at least 2 seconds",
    ]);
  });

  it('bounds replicas the same on both paths', () => {
    const over = { replicas: { min: 2, max: MAX_REPLICAS + 1 } };
    expect(constructLines(over)).toEqual([`test/api: 'replicas.max' (${MAX_REPLICAS + 1}) must be <= ${MAX_REPLICAS}`]);
    expect(environmentLines(over)).toEqual([`prod: 'services.api-gateway.replicas.max' (${MAX_REPLICAS + 1}) must be <= ${MAX_REPLICAS}`]);
  });

  it('accepts every VPA mode the construct renders through an Environment, leaving the version rule to the construct', () => {
    const inPlace = { verticalScaling: { updateMode: 'InPlaceOrRecreate', controlledResources: ['memory'] } };
    expect(environmentLines(inPlace)).toEqual([]);
    expect(constructLines({ ...inPlace, kubernetesVersion: '1.32' } as Partial<ScalableServiceProps>)).toEqual([
      "test/api: 'verticalScaling.updateMode' (\"InPlaceOrRecreate\") needs Kubernetes 1.33 or newer (in-place pod resize); this cluster runs 1.32: use 'Recreate'",
    ]);
  });

  it('names a misspelt prop with the known ones instead of ignoring it', () => {
    const lines = constructLines({ replica: { min: 1, max: 2 } } as Partial<ScalableServiceProps>);
    expect(lines).toEqual([
      expect.stringMatching(
        /^test\/api: 'replica' \(\{"min":1,"max":2\}\) is not a field; known: name, namespace, image, zones, resources, replicas,/,
      ),
    ]);
  });

  it('checks a default name (the construct id) as a DNS label too', () => {
    const p = new Problems('test');
    expect(checkShape(p, scalableServicePropsSchema, { ...base, name: 'Api_Gateway' })).toBe(false);
    expect(() => p.throwIfAny()).toThrow(/^test: 'name' \("Api_Gateway"\) must be a DNS label/);
  });

  it('refuses an image that is empty, has a scheme or is not pinned, and accepts a tag or a digest', () => {
    expect(imageProblem('')).toMatch(/^is required/);
    expect(imageProblem('https://registry.example.com/web/api:1.2.3')).toMatch(/^has a scheme/);
    expect(imageProblem('registry.example.com/web/api:latest')).toMatch(/^must carry a pinned tag/);
    expect(imageProblem('registry.example.com/web/api:1.2.3')).toBeUndefined();
    expect(imageProblem(`registry.example.com/web/api@sha256:${'a'.repeat(64)}`)).toBeUndefined();
  });
});
