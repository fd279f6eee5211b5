import { KubeObject } from '../../manifests/types';
import { AUTOSCALER_DEFAULTS, replicaBounds, runningWorkloads } from '../../manifests/workloads';

const deployment = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'web', labels: { 'cost-center': 'cc-object' } },
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { 'cost-center': 'cc-pod' } },
      spec: { initContainers: [{ name: 'init', image: 'r/init:1' }], containers: [{ name: name, image: `r/${name}:1` }], ...extra },
    },
  },
});
const scaledObject = (target: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: target, namespace: 'web' },
  spec: { scaleTargetRef: { name: target }, ...spec },
});
const hpa = (target: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: target, namespace: 'web' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, ...spec },
});

describe('replicaBounds', () => {
  it("applies KEDA's documented defaults to a ScaledObject that leaves its bounds out: 0 and 100", () => {
    const objects = [deployment('api'), scaledObject('api', {})];
    expect(replicaBounds(objects[0], objects)).toEqual({ min: 0, max: 100 });
    expect(AUTOSCALER_DEFAULTS.kedaMinReplicaCount).toBe(0);
  });

  it('applies the HPA default minReplicas of 1', () => {
    const objects = [deployment('api'), hpa('api', { maxReplicas: 7 })];
    expect(replicaBounds(objects[0], objects)).toEqual({ min: 1, max: 7 });
  });

  it('uses spec.replicas for both bounds without an autoscaler', () => {
    const objects = [deployment('api')];
    expect(replicaBounds(objects[0], objects)).toEqual({ min: 2, max: 2 });
  });
});

describe('runningWorkloads', () => {
  it('reads images, cost center and spot toleration of a Deployment', () => {
    const objects = [
      deployment('api', { tolerations: [{ key: 'perfstack.io/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }] }),
      scaledObject('api', { minReplicaCount: 3, maxReplicaCount: 9 }),
    ];
    const [w] = runningWorkloads(objects);
    expect(w).toMatchObject({
      id: 'Deployment/web/api',
      replicas: { min: 3, max: 9 },
      spotTolerant: true,
      costCenter: 'cc-pod',
      images: ['r/init:1', 'r/api:1'],
    });
  });

  it('gives a CloudNativePG Cluster one postgres container with its resources and image, at its instances', () => {
    const cluster: KubeObject = {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'db', namespace: 'data' },
      spec: { instances: 3, imageName: 'r/postgresql:16.4', resources: { requests: { cpu: '2' } } },
    };
    const [w] = runningWorkloads([cluster]);
    expect(w).toMatchObject({ replicas: { min: 3, max: 3 }, spotTolerant: false, costCenter: 'unlabelled', images: ['r/postgresql:16.4'] });
    expect(w.podSpec.containers[0].resources).toEqual({ requests: { cpu: '2' } });
  });

  it('leaves out Jobs and CronJobs, which run to completion', () => {
    expect(
      runningWorkloads([
        { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [] } } } },
      ]),
    ).toEqual([]);
  });
});
