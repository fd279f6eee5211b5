import { expectOnly, meta } from './compliant';

describe('production-replicas', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'production-replicas',
      (o) => (o.find((x) => x.kind === 'HorizontalPodAutoscaler').spec.minReplicas = 1),
      'production-replicas: Deployment/api: runs as few as 1 replica(s); set replicas or the autoscaler minimum to 2 or more',
    );
  });

  it("reads a ScaledObject without minReplicaCount at KEDA's default of 0", () => {
    expectOnly(
      'production-replicas',
      (o) => {
        const i = o.findIndex((x) => x.kind === 'HorizontalPodAutoscaler');
        o.splice(i, 1, {
          apiVersion: 'keda.sh/v1alpha1',
          kind: 'ScaledObject',
          metadata: meta('api'),
          spec: {
            scaleTargetRef: { name: 'api' },
            maxReplicaCount: 10,
            triggers: [],
            advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } } },
          },
        });
      },
      'production-replicas: Deployment/api: runs as few as 0 replica(s); set replicas or the autoscaler minimum to 2 or more',
    );
  });
});
