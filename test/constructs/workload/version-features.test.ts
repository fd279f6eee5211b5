import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { KUBERNETES_VERSIONS, KubernetesVersion } from '../../../constructs/core/kubernetes-version';
import { ScalableService, ScalableServiceProps } from '../../../constructs/workload/scalable-service';
import { ScalingMetric } from '../../../constructs/workload/scaling-metric';
import { deploymentPatches, preStopDrain, servicePatches, trafficDistribution } from '../../../constructs/workload/version-features';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function render(kubernetesVersion: KubernetesVersion, overrides: Partial<ScalableServiceProps> = {}) {
  const chart = freshChart();
  new ScalableService(chart, 'api', {
    namespace: 'web',
    image: 'registry.example.com/web/api:1.2.3',
    resources: { cpu: Cpu.millis(500), memory: Size.mebibytes(512) },
    replicas: { min: 2, max: 10 },
    zones: 3,
    metrics: [ScalingMetric.cpu(70)],
    kubernetesVersion,
    ...overrides,
  });
  const objects = objectsOf(chart);
  return { objects, service: findObject(objects, 'Service') as Json, deployment: findObject(objects, 'Deployment') as Json };
}

describe('same-zone Service routing', () => {
  it('is off up to 1.30, PreferClose from 1.31 (trafficDistribution beta, on by default) and PreferSameZone from 1.34', () => {
    expect(trafficDistribution('1.30')).toBeUndefined();
    expect(trafficDistribution('1.31')).toBe('PreferClose');
    expect(trafficDistribution('1.33')).toBe('PreferClose');
    expect(trafficDistribution('1.34')).toBe('PreferSameZone');
    expect(trafficDistribution('1.36')).toBe('PreferSameZone');
    expect(servicePatches('1.30')).toEqual([]);
    expect(servicePatches('1.31')).toHaveLength(1);
  });

  it('is rendered on the Service only where the cluster serves the field', () => {
    expect(render('1.30').service.spec.trafficDistribution).toBeUndefined();
    expect(render('1.31').service.spec.trafficDistribution).toBe('PreferClose');
    expect(render('1.35').service.spec.trafficDistribution).toBe('PreferSameZone');
  });
});

describe('the preStop drain', () => {
  it("runs sleep in the container up to 1.29 and is the kubelet's sleep action from 1.30 (no sleep binary needed)", () => {
    expect(preStopDrain('1.29', 10)).toEqual({ exec: { command: ['sleep', '10'] } });
    expect(preStopDrain('1.30', 10)).toEqual({ sleep: { seconds: 10 } });
    expect(deploymentPatches('1.29', 10)).toEqual([]);
  });

  it('is rendered on the container with the drain delay on both sides of the gate', () => {
    expect(render('1.29').deployment.spec.template.spec.containers[0].lifecycle).toEqual({
      preStop: { exec: { command: ['sleep', '10'] } },
    });
    expect(render('1.30').deployment.spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
  });
});

describe('a ScalableService for each Kubernetes version', () => {
  it.each([...KUBERNETES_VERSIONS])('validates strictly against the schema files of %s', (version) => {
    const validator = schemaValidator(version);
    expect(render(version).objects.flatMap((o) => validator.validate(o))).toEqual([]);
  });

  it("is refused by 1.28's schema with the fields of 1.31, so the gates matter", () => {
    const errors = render('1.31').objects.flatMap((o) => schemaValidator('1.28').validate(o));
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining("unknown field 'trafficDistribution'"),
        expect.stringContaining("unknown field 'sleep'"),
      ]),
    );
  });
});

describe('VPA InPlaceOrRecreate on a ScalableService', () => {
  const inPlace: Partial<ScalableServiceProps> = { verticalScaling: { updateMode: 'InPlaceOrRecreate', controlledResources: ['memory'] } };

  it('is refused on 1.32 with the construct path, and rendered and valid for the VPA CRD on 1.33', () => {
    expect(() => render('1.32', inPlace)).toThrow(
      "test/api: 'verticalScaling.updateMode' (\"InPlaceOrRecreate\") needs Kubernetes 1.33 or newer (in-place pod resize); this cluster runs 1.32: use 'Recreate'",
    );
    const { objects } = render('1.33', inPlace);
    expect((findObject(objects, 'VerticalPodAutoscaler') as Json).spec.updatePolicy.updateMode).toBe('InPlaceOrRecreate');
    expect(objects.flatMap((o) => schemaValidator('1.33').validate(o))).toEqual([]);
  });
});
