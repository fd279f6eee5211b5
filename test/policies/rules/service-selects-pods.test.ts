import { expectOnly } from './compliant';

describe('service-selects-pods', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'service-selects-pods',
      (o) => (o.find((x) => x.kind === 'Service').spec.selector = { app: 'apii' }),
      'service-selects-pods: Service/api: selector {"app":"apii"} matches no pod template',
    );
  });
});
