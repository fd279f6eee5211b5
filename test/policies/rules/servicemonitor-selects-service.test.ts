import { expectOnly } from './compliant';

describe('servicemonitor-selects-service', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'servicemonitor-selects-service',
      (o) => (o.find((x) => x.kind === 'ServiceMonitor').spec.selector = { matchLabels: { app: 'apii' } }),
      'servicemonitor-selects-service: ServiceMonitor/api: its selector matches no Service',
    );
  });
});
