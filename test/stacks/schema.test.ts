import { Environment, operatorVersions } from '../../stacks/environment';
import { ENVIRONMENTS } from '../../stacks/environments';
import { KUBERNETES_VERSIONS, KubernetesVersion, OPERATORS_FOR } from '../../stacks/kubernetes-versions';
import { buildPlatform } from '../../stacks/platform';
import { backupMethodFor } from '../../constructs/data/postgres-cluster';
import { KubeObject, SchemaValidator, schemaSetFor, schemaValidator } from '../support/k8s-schema';
import { chartsOf } from '../support/environments';
import { objectsOfApp } from '../support/synth';

describe.each(Object.keys(ENVIRONMENTS))('environment %s', (name) => {
  const env = ENVIRONMENTS[name];
  // The objects synth renders into dist/<name>/ (synthesized once per jest run, test/support/environments.ts).
  const objects = chartsOf(name).flatMap((c) => c.objects) as KubeObject[];

  it('synthesizes objects', () => {
    expect(objects.length).toBeGreaterThan(20);
  });

  it("validates every object strictly against its own Kubernetes version's schema and its operator lines' CRDs", () => {
    const validator = schemaValidator(env.kubernetesVersion, operatorVersions(env));
    expect(validator.set).toMatchObject({ kubernetes: schemaSetFor(env.kubernetesVersion).kubernetes });
    expect(objects.flatMap((o) => validator.validate(o))).toEqual([]);
  });
});

// 1.28, 1.34 and 1.35 against their own definitions; the others against the nearest stored ones (see schemaSetFor).
describe.each([...KUBERNETES_VERSIONS])('prod on Kubernetes %s', (version) => {
  const env: Environment = { ...ENVIRONMENTS.prod, kubernetesVersion: version };
  const objects = objectsOfApp(buildPlatform(env).app);

  it('validates strictly against that version and the operator lines in force for it', () => {
    expect(objects.flatMap((o) => schemaValidator(version).validate(o))).toEqual([]);
  });

  it('backs PostgreSQL up through a valid Barman Cloud ObjectStore from CloudNativePG 1.26, in-tree before', () => {
    const stores = objects.filter((o) => o.kind === 'ObjectStore');
    const plugin = backupMethodFor(OPERATORS_FOR[version].cloudnativePg) === 'plugin';
    expect(stores.length).toBe(plugin ? 1 : 0);
    for (const o of stores) expect([o.apiVersion, schemaValidator(version).validate(o)]).toEqual(['barmancloud.cnpg.io/v1', []]);
  });
});

describe('the schema files of each version', () => {
  it('are the exact upstream files for 1.28, 1.34 and 1.35, with KEDA 2.15 and CloudNativePG 1.24 CRDs for 1.28', () => {
    const v128 = schemaSetFor('1.28');
    expect(v128.kubernetes).toBe('k8s-v1.28.0_definitions.json');
    expect(v128.crds).toEqual(
      expect.arrayContaining([
        'keda-v2.15.1_keda.sh_scaledobjects.yaml',
        'cnpg-v1.24.4_postgresql.cnpg.io_clusters.yaml',
        'cnpg-v1.24.4_postgresql.cnpg.io_poolers.yaml',
        'cnpg-v1.24.4_postgresql.cnpg.io_scheduledbackups.yaml',
      ]),
    );
    // No TriggerAuthentication CRD of KEDA 2.15 is stored: the 2.20 one stands in (perfstack emits none).
    expect(v128.substitutions).toEqual(['keda 2.15.1 TriggerAuthentication: CRD of 2.20.2 (keda.sh_triggerauthentications.yaml)']);
    for (const v of ['1.34', '1.35'] as const) {
      const set = schemaSetFor(v);
      expect(set.kubernetes).toBe(`k8s-v${v}.0_definitions.json`);
      expect(set.crds).toEqual(expect.arrayContaining(['keda.sh_scaledobjects.yaml', 'postgresql.cnpg.io_clusters.yaml']));
      expect(set.substitutions).toEqual([]);
    }
  });

  it.each([
    ['1.29', 'k8s-v1.34.0_definitions.json'],
    ['1.30', 'k8s-v1.34.0_definitions.json'],
    ['1.31', 'k8s-v1.34.0_definitions.json'],
    ['1.32', 'k8s-v1.34.0_definitions.json'],
    ['1.33', 'k8s-v1.34.0_definitions.json'],
  ] as const)('use for %s, which has no stored definitions, the nearest: %s', (version, file) => {
    const set = schemaSetFor(version as KubernetesVersion);
    expect(set.kubernetes).toBe(file);
    expect(set.substitutions[0]).toMatch(new RegExp(`^Kubernetes ${version.replace('.', '\\.')}: definitions of`));
  });

  it('stand in for an operator line that is not stored with the newest older stored line (fewer fields: stricter)', () => {
    // KEDA 2.18 (1.31) and CloudNativePG 1.27: only 2.15/2.20 and 1.24/1.30 are stored.
    expect(OPERATORS_FOR['1.31']).toMatchObject({ keda: '2.18.0', cloudnativePg: '1.27.2' });
    const set = schemaSetFor('1.31');
    expect(set.crds).toEqual(
      expect.arrayContaining(['keda-v2.15.1_keda.sh_scaledobjects.yaml', 'cnpg-v1.24.4_postgresql.cnpg.io_poolers.yaml']),
    );
  });

  it("follows an environment's own operator pins", () => {
    const set = schemaSetFor('1.28', { ...OPERATORS_FOR['1.28'], keda: '2.20.2', cloudnativePg: '1.30.0' });
    expect(set.crds).toEqual(expect.arrayContaining(['keda.sh_scaledobjects.yaml', 'postgresql.cnpg.io_poolers.yaml']));
  });
});

describe('the strict validator', () => {
  const deployment = (): KubeObject => {
    return chartsOf('prod')
      .flatMap((c) => c.objects)
      .find((o) => o.kind === 'Deployment') as KubeObject;
  };
  const validator = schemaValidator('1.35');

  it('is built once per worker and version', () => {
    expect(schemaValidator('1.35')).toBe(validator);
    expect(schemaValidator('1.28')).not.toBe(validator);
    // 1.29 to 1.32 read the same files.
    expect(schemaValidator('1.29')).toBe(schemaValidator('1.32'));
  });

  it('rejects an unknown field in a built-in kind, as kubectl --validate=strict does', () => {
    const d = deployment() as unknown as { spec: { template: { spec: Record<string, unknown> } } };
    d.spec.template.spec.nodeSelectr = { a: 'b' };
    expect(validator.validate(d as unknown as KubeObject)).toEqual([expect.stringContaining("unknown field 'nodeSelectr'")]);
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

  it('rejects an unknown field in a Barman Cloud ObjectStore', () => {
    const store = {
      apiVersion: 'barmancloud.cnpg.io/v1',
      kind: 'ObjectStore',
      metadata: { name: 'x', namespace: 'y' },
      spec: { configuration: { destinationPath: 's3://b/p', s3Credentials: { inheritFromIAMRole: true } }, retention: '30d' },
    };
    expect(validator.validate(store)).toEqual([expect.stringContaining("unknown field 'retention'")]);
    const valid = { ...store, spec: { configuration: store.spec.configuration, retentionPolicy: '30d' } };
    expect(validator.validate(valid)).toEqual([]);
  });

  it('rejects a field the older operator line lacks, and accepts it for the newer line', () => {
    // `spec.fallback.behavior` came after KEDA 2.15 (../shared/crds/README.md).
    const so = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'x', namespace: 'y' },
      spec: {
        scaleTargetRef: { name: 'x' },
        triggers: [{ type: 'cpu', metadata: { value: '70' } }],
        fallback: { failureThreshold: 3, replicas: 2, behavior: 'static' },
      },
    };
    expect(schemaValidator('1.28').validate(so)).toEqual([expect.stringContaining("unknown field 'behavior'")]);
    expect(schemaValidator('1.35').validate(so)).toEqual([]);
  });

  it('rejects a built-in field the older Kubernetes version lacks', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'x', namespace: 'y' },
      spec: { selector: { a: 'b' }, ports: [{ port: 80 }], trafficDistribution: 'PreferClose' },
    };
    expect(schemaValidator('1.28').validate(svc)).toEqual([expect.stringContaining("unknown field 'trafficDistribution'")]);
    expect(schemaValidator('1.35').validate(svc)).toEqual([]);
  });

  it('rejects a kind it has no schema for', () => {
    expect(validator.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      expect.stringContaining('no schema for this kind'),
    ]);
  });

  it('can still be built on its own, for one schema set', () => {
    const own = new SchemaValidator(schemaSetFor('1.34'));
    expect(own.knows('postgresql.cnpg.io/v1', 'Pooler')).toBe(true);
    expect(own.knows('example.com/v1', 'Widget')).toBe(false);
  });
});
