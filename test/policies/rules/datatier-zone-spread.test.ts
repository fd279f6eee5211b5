import { expectOnly, meta } from './compliant';

describe('datatier-zone-spread', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'datatier-zone-spread',
      (o) =>
        o.push({
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: meta('db'),
          spec: { template: { metadata: { labels: {} }, spec: { containers: [] } } },
        }),
      'datatier-zone-spread: StatefulSet/db: its pods are not spread over topology.kubernetes.io/zone',
    );
  });
});
