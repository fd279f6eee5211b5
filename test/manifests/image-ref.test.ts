import fc from 'fast-check';
import { formatImageRef, parseImageRef } from '../../manifests/images';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseImageRef', () => {
  it('splits registry, path, tag and digest the way registries read them', () => {
    expect(parseImageRef('registry.airgap.internal:5000/library/redis:7.2.5')).toEqual({
      registry: 'registry.airgap.internal:5000',
      path: 'library/redis',
      tag: '7.2.5',
      digest: undefined,
    });
    expect(parseImageRef(`ghcr.io/cloudnative-pg/postgresql:16.4@${DIGEST}`)).toEqual({
      registry: 'ghcr.io',
      path: 'cloudnative-pg/postgresql',
      tag: '16.4',
      digest: DIGEST,
    });
    expect(parseImageRef(`localhost/app@${DIGEST}`)).toEqual({ registry: 'localhost', path: 'app', tag: undefined, digest: DIGEST });
    expect(parseImageRef('grafana/k6:0.54.0')).toEqual({ registry: undefined, path: 'grafana/k6', tag: '0.54.0', digest: undefined });
  });

  it.each([['https://ghcr.io/x:1'], ['ghcr.io/Upper:1'], ['x@sha256:short'], [''], ['a b:1'], ['ghcr.io/x:bad/tag']])(
    'refuses %j',
    (ref) => {
      expect(parseImageRef(ref)).toBeUndefined();
    },
  );

  it('formats back to the same text for any valid reference', () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom('ghcr.io', 'registry.local:5000', 'localhost'), { nil: undefined }),
        fc.array(component, { minLength: 1, maxLength: 3 }),
        fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,10}$/), { nil: undefined }),
        fc.option(fc.stringMatching(/^[a-f0-9]{64}$/), { nil: undefined }),
        (registry, parts, tag, hex) => {
          const text = formatImageRef({ registry, path: parts.join('/'), tag, digest: hex ? `sha256:${hex}` : undefined });
          // A one-component path after no registry reads as a path, not a registry.
          expect(formatImageRef(parseImageRef(text)!)).toBe(text);
        },
      ),
    );
  });
});
