import { hasDigest, imageTag, isPinned, parseImage } from '../../manifests/images';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseImage', () => {
  it('splits name, tag and digest', () => {
    expect(parseImage(`registry.example.com/web/api:1.4.2@${DIGEST}`)).toEqual({
      name: 'registry.example.com/web/api',
      tag: '1.4.2',
      digest: DIGEST,
    });
  });

  it('reads a colon before the last slash as a registry port, not a tag', () => {
    expect(parseImage('registry.example.com:5000/web/api')).toEqual({
      name: 'registry.example.com:5000/web/api',
      tag: undefined,
      digest: undefined,
    });
    expect(imageTag('registry.example.com:5000/web/api:2.0')).toBe('2.0');
  });

  it('does not take a malformed digest for a digest, nor its hex for a tag', () => {
    expect(parseImage('web/api@sha256:abc')).toEqual({ name: 'web/api', tag: undefined, digest: undefined });
    expect(hasDigest('web/api@sha256:abc')).toBe(false);
  });
});

describe('isPinned', () => {
  it.each([
    ['web/api:1.0.0', true],
    [`web/api@${DIGEST}`, true],
    [`web/api:latest@${DIGEST}`, true],
    ['web/api:latest', false],
    ['web/api', false],
    ['web/api:', false],
    ['registry:5000/web/api', false],
  ])('%s -> %s', (image, pinned) => {
    expect(isPinned(image)).toBe(pinned);
  });
});
