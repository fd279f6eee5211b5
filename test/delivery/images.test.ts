import { imagesIn, rewriteImages } from '../../delivery/images';
import { UPSTREAM_REGISTRIES, sourceRegistry } from '../../delivery/bundle';

const objects = () => [
  {
    kind: 'Deployment',
    spec: { template: { spec: { initContainers: [{ image: 'r/a:1' }], containers: [{ image: 'r/b:2' }, { image: 'r/a:1' }] } } },
  },
  { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: 'r/c:3' }] } } } } } },
  { kind: 'Cluster', apiVersion: 'postgresql.cnpg.io/v1', spec: { imageName: 'r/pg:16' } },
  { kind: 'ConfigMap', data: { image: 42 } },
];

describe('imagesIn', () => {
  it('finds every image of containers, init containers, job templates and CloudNativePG clusters once', () => {
    expect(imagesIn(objects())).toEqual(['r/a:1', 'r/b:2', 'r/c:3', 'r/pg:16']);
  });

  it('rewrites every occurrence and refuses an image it has no digest for', () => {
    const o = objects();
    const map = new Map(imagesIn(o).map((i) => [i, `${i}@sha256:${'0'.repeat(64)}`]));
    rewriteImages(o, map);
    expect(imagesIn(o).every((i) => i.endsWith('0'.repeat(64)))).toBe(true);
    expect(() => rewriteImages(objects(), new Map())).toThrow(/image 'r\/a:1' has no resolved digest/);
  });
});

describe('sourceRegistry', () => {
  it('takes an explicit prefix first, then the mirror, then the public upstream', () => {
    expect(sourceRegistry('perfstack/api', { byPrefix: { 'perfstack/': 'ghcr.io/acme' }, fallback: 'mirror:5000' })).toBe('ghcr.io/acme');
    expect(sourceRegistry('library/redis', { fallback: 'mirror:5000' })).toBe('mirror:5000');
    expect(sourceRegistry('cloudnative-pg/postgresql', {})).toBe(UPSTREAM_REGISTRIES['cloudnative-pg/']);
    expect(sourceRegistry('perfstack/api', {})).toBeUndefined();
  });
});
