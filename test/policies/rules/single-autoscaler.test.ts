import { expectOnly, meta } from './compliant';

describe('single-autoscaler', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'single-autoscaler',
      (o) =>
        o.push({
          apiVersion: 'keda.sh/v1alpha1',
          kind: 'ScaledObject',
          metadata: meta('api-keda'),
          spec: {
            scaleTargetRef: { name: 'api' },
            minReplicaCount: 2,
            triggers: [],
            advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } } },
          },
        }),
      "single-autoscaler: Deployment/api: is targeted by HorizontalPodAutoscaler 'api' and ScaledObject 'api-keda'",
    );
  });
});
