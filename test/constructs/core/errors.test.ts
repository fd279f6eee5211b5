import { ConfigError, Problems, formatValue, shown } from '../../../constructs/core/errors';
import { isLabelKey, isLabelValue } from '../../../constructs/core/labels';

describe('ConfigError', () => {
  it('formats path, input, value and fix on one line per problem', () => {
    const e = new ConfigError('prod/api-gateway', [
      { input: 'replicas.min', value: 11, fix: "must be <= 'replicas.max' (10)" },
      { input: 'image', value: undefined, fix: 'is required' },
    ]);
    expect(e.message).toBe(
      "prod/api-gateway: 'replicas.min' (11) must be <= 'replicas.max' (10)\nprod/api-gateway: 'image' (missing) is required",
    );
  });

  it('quotes strings, shows lists as JSON and pre-formatted values as they are', () => {
    expect(formatValue('a')).toBe('"a"');
    expect(formatValue(['x'])).toBe('["x"]');
    expect(formatValue(shown('256Mi'))).toBe('256Mi');
  });

  it('throws nothing when every check passes', () => {
    expect(() => new Problems('p').check(true, 'a', 1, 'x').throwIfAny()).not.toThrow();
  });
});

describe('labels', () => {
  it('accepts prefixed keys and rejects what the API server rejects', () => {
    expect(isLabelKey('app.kubernetes.io/name')).toBe(true);
    expect(isLabelKey('cost-center')).toBe(true);
    expect(isLabelKey('-bad')).toBe(false);
    expect(isLabelKey('Bad_Prefix/x')).toBe(false);
    expect(isLabelValue('')).toBe(true);
    expect(isLabelValue('a'.repeat(64))).toBe(false);
    expect(isLabelValue('has space')).toBe(false);
  });
});
