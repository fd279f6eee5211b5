import { ENVIRONMENTS } from '../../stacks/environments';
import { THIRD_PARTY_IMAGES } from '../../stacks/images';
import { filesOf } from '../support/environments';

/** Repositories that are gone or frozen: a new cluster cannot pull from them (Bitnami removed its versioned images in 2025). */
const REMOVED = [/(^|\/)bitnami\//, /(^|\/)bitnamilegacy\//];

describe('images', () => {
  it.each(Object.keys(ENVIRONMENTS))('%s pulls no image from a removed or frozen repository', (name) => {
    const images = filesOf(name)
      .flatMap((f) => [...f.content.matchAll(/^\s*(?:- )?image: (\S+)$/gm)].map((m) => m[1]))
      .filter((i) => REMOVED.some((r) => r.test(i)));
    expect(images).toEqual([]);
  });

  it('pins every third-party image to a version tag, with at most a variant after it', () => {
    for (const [name, ref] of Object.entries(THIRD_PARTY_IMAGES)) {
      expect([name, REMOVED.some((r) => r.test(ref))]).toEqual([name, false]);
      expect(ref).toMatch(/:v?\d+\.\d+(\.\d+)?(-[a-z]+[a-z0-9.]*)*$/);
      expect(ref).not.toMatch(/:(latest|lts|current)(-|$)/);
    }
  });
});
