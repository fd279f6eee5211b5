import { ctr, expectOnly } from './compliant';

describe('no-inline-secrets', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'no-inline-secrets',
      (o) => (ctr(o).env = [{ name: 'DB_PASSWORD', value: 'hunter2' }]),
      "no-inline-secrets: Deployment/api: container 'api' sets DB_PASSWORD to a literal value; use valueFrom.secretKeyRef",
    );
  });
});
