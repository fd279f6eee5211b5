import { ENVIRONMENTS } from '../../stacks/environments';
import { buildPlatform } from '../../stacks/platform';
import { KubeObject, SchemaValidator } from '../support/k8s-schema';
import { objectsOfApp } from '../support/synth';

const validator = new SchemaValidator();

describe.each(Object.keys(ENVIRONMENTS))('environment %s', (name) => {
  const objects = objectsOfApp(buildPlatform(ENVIRONMENTS[name]).app);

  it('synthesizes objects', () => {
    expect(objects.length).toBeGreaterThan(20);
  });

  it('validates every object strictly against the Kubernetes 1.28 schema or its CRD', () => {
    const errors = objects.flatMap((o) => validator.validate(o));
    expect(errors).toEqual([]);
  });
});

describe('the strict validator', () => {
  const deployment = (): KubeObject => {
    const objects = objectsOfApp(buildPlatform(ENVIRONMENTS.prod).app);
    return JSON.parse(JSON.stringify(objects.find((o) => o.kind === 'Deployment')));
  };

  it('rejects an unknown field in a built-in kind, as kubectl --validate=strict does', () => {
    const d = deployment() as unknown as { spec: { template: { spec: Record<string, unknown> } } };
    d.spec.template.spec.nodeSelectr = { a: 'b' };
    expect(new SchemaValidator().validate(d as unknown as KubeObject)).toEqual([expect.stringContaining("unknown field 'nodeSelectr'")]);
  });

  it('rejects a wrongly typed field', () => {
    const d = deployment() as unknown as { spec: { minReadySeconds: unknown } };
    d.spec.minReadySeconds = 'five';
    expect(validator.validate(d as unknown as KubeObject).join('\n')).toMatch(/minReadySeconds: must be integer/);
  });

  it('rejects an unknown field in a custom resource', () => {
    const so = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'x', namespace: 'y' },
      spec: { scaleTargetRef: { name: 'x' }, triggers: [{ type: 'cpu', metadata: { value: '70' } }], minReplicas: 2 },
    };
    expect(validator.validate(so)).toEqual([expect.stringContaining("unknown field 'minReplicas'")]);
  });

  it('rejects a kind it has no schema for', () => {
    expect(validator.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      expect.stringContaining('no schema for this kind'),
    ]);
  });
});
