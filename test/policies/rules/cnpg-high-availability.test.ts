import { expectOnly } from './compliant';

describe('cnpg-high-availability', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'cnpg-high-availability',
      (o) => (o.find((x) => x.kind === 'Pooler').spec.pgbouncer.poolMode = 'session'),
      "cnpg-high-availability: Pooler/pg-rw: pools in 'session' mode; use 'transaction'",
    );
  });
});
