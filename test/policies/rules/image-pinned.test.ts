import { compliant, ctr, expectOnly, findings } from './compliant';

describe('image-pinned', () => {
  it('reports the one changed field of the compliant fixture', () => {
    expectOnly(
      'image-pinned',
      (o) => (ctr(o).image = 'registry.example.com/api:latest'),
      "image-pinned: Deployment/api: container 'api' uses 'registry.example.com/api:latest' without a pinned tag",
    );
  });

  it('takes only a well-formed sha256 digest for a pin', () => {
    expectOnly(
      'image-pinned',
      (o) => (ctr(o).image = 'registry.example.com/api@sha256:abc'),
      "image-pinned: Deployment/api: container 'api' uses 'registry.example.com/api@sha256:abc' without a pinned tag",
    );
    const o = compliant();
    ctr(o).image = `registry.example.com/api@sha256:${'0'.repeat(64)}`;
    expect(findings(o).filter((f) => f.startsWith('image-pinned:'))).toEqual([]);
  });
});
