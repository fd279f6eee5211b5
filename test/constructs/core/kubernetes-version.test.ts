import {
  FEATURE_SINCE,
  KUBERNETES_VERSIONS,
  OLDEST_KUBERNETES_VERSION,
  atLeast,
  supports,
} from '../../../constructs/core/kubernetes-version';

describe('Kubernetes versions', () => {
  it('run from 1.28 to 1.36 in order, the oldest being the default', () => {
    expect(KUBERNETES_VERSIONS).toEqual(['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36']);
    expect(OLDEST_KUBERNETES_VERSION).toBe('1.28');
    expect(atLeast('1.35', '1.29')).toBe(true);
    expect(atLeast('1.29', '1.29')).toBe(true);
    expect(atLeast('1.28', '1.29')).toBe(false);
  });

  it.each(Object.entries(FEATURE_SINCE))('turn on %s exactly from %s', (feature, since) => {
    const index = KUBERNETES_VERSIONS.indexOf(since);
    for (const [i, v] of KUBERNETES_VERSIONS.entries())
      expect([v, supports(v, feature as keyof typeof FEATURE_SINCE)]).toEqual([v, i >= index]);
  });
});
