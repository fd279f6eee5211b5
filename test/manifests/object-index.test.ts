import { inNamespace, indexOf, named, ofKind } from '../../manifests/object-index';
import { KubeObject } from '../../manifests/types';

const obj = (kind: string, name: string, namespace?: string, spec?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, ...(namespace !== undefined ? { namespace } : {}) },
  ...(spec ? { spec } : {}),
});

const OBJECTS: readonly KubeObject[] = [
  obj('Deployment', 'api', 'web'),
  obj('Deployment', 'worker', 'web'),
  obj('Deployment', 'api', 'jobs'),
  obj('Service', 'api', 'web'),
  obj('ConfigMap', 'settings'),
  obj('HorizontalPodAutoscaler', 'api', 'web', { scaleTargetRef: { kind: 'Deployment', name: 'api' } }),
  obj('ScaledObject', 'worker', 'web', { scaleTargetRef: { name: 'worker' } }),
  obj('HorizontalPodAutoscaler', 'db', 'web', { scaleTargetRef: { kind: 'StatefulSet', name: 'db' } }),
  obj('HorizontalPodAutoscaler', 'broken', 'web', { scaleTargetRef: {} }),
];

const names = (os: readonly KubeObject[]) => os.map((o) => `${o.kind}/${o.metadata.name}`);

describe('ofKind', () => {
  it('returns the objects of one kind in one namespace, in input order', () => {
    expect(names(ofKind(OBJECTS, 'Deployment', 'web'))).toEqual(['Deployment/api', 'Deployment/worker']);
  });

  it("reads a missing namespace as 'default', on the object and in the question", () => {
    expect(names(ofKind(OBJECTS, 'ConfigMap', undefined))).toEqual(['ConfigMap/settings']);
    expect(names(ofKind(OBJECTS, 'ConfigMap', 'default'))).toEqual(['ConfigMap/settings']);
  });

  it('returns an empty list for a kind or namespace with no objects', () => {
    expect(ofKind(OBJECTS, 'Secret', 'web')).toEqual([]);
    expect(ofKind(OBJECTS, 'Deployment', 'nowhere')).toEqual([]);
  });
});

describe('named', () => {
  it('finds one object by kind, namespace and name, telling apart same names in other kinds and namespaces', () => {
    expect(named(OBJECTS, 'Deployment', 'jobs', 'api')).toBe(OBJECTS[2]);
    expect(named(OBJECTS, 'Service', 'web', 'api')).toBe(OBJECTS[3]);
    expect(named(OBJECTS, 'ConfigMap', undefined, 'settings')).toBe(OBJECTS[4]);
    expect(named(OBJECTS, 'Deployment', 'web', 'nope')).toBeUndefined();
  });
});

describe('inNamespace', () => {
  it('returns every object of a namespace, in input order', () => {
    expect(inNamespace(OBJECTS, 'jobs')).toEqual([OBJECTS[2]]);
    expect(inNamespace(OBJECTS, undefined)).toEqual([OBJECTS[4]]);
    expect(inNamespace(OBJECTS, 'web')).toHaveLength(7);
  });
});

describe('indexOf', () => {
  it('files HPAs and ScaledObjects under their target, a Deployment when the kind is left out', () => {
    const { autoscalersByTarget } = indexOf(OBJECTS);
    expect(names(autoscalersByTarget.get('Deployment/web/api')!)).toEqual(['HorizontalPodAutoscaler/api']);
    expect(names(autoscalersByTarget.get('Deployment/web/worker')!)).toEqual(['ScaledObject/worker']);
    expect(names(autoscalersByTarget.get('StatefulSet/web/db')!)).toEqual(['HorizontalPodAutoscaler/db']);
  });

  it('skips an autoscaler without a target name', () => {
    expect([...indexOf(OBJECTS).autoscalersByTarget.keys()].sort()).toEqual([
      'Deployment/web/api',
      'Deployment/web/worker',
      'StatefulSet/web/db',
    ]);
  });

  it('builds the index once per object list and again for another list', () => {
    const objects = [...OBJECTS];
    expect(indexOf(objects)).toBe(indexOf(objects));
    expect(indexOf([...objects])).not.toBe(indexOf(objects));
  });

  it('keeps the last object of a duplicated kind/namespace/name for `named`, and all of them in the lists', () => {
    const twice = [obj('Service', 'a', 'web'), obj('Service', 'a', 'web')];
    expect(named(twice, 'Service', 'web', 'a')).toBe(twice[1]);
    expect(ofKind(twice, 'Service', 'web')).toHaveLength(2);
  });
});
