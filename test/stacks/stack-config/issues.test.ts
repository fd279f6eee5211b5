import * as pulumi from '@pulumi/pulumi';
import { failed, inputErrorLines, lookup, withValue } from '../../../stacks/stack-config/issues';

describe('stack config issues', () => {
  it('looks a dotted key up through keys that hold dots themselves', () => {
    const values = { instanceTypes: { 'm6i.xlarge': { vcpu: 4 } }, cdn: { priceClass: 'PriceClass_100' } };
    expect(lookup(values, 'instanceTypes.m6i.xlarge.vcpu')).toBe(4);
    expect(lookup(values, 'cdn.priceClass')).toBe('PriceClass_100');
    expect(lookup(values, 'cdn.missing')).toBeUndefined();
    expect(lookup(values, '')).toBe(values);
  });

  it('puts the value received first, once, as every one-line error does', () => {
    expect(withValue(['10.0.0.0/33'], 'must be a CIDR')).toBe('(["10.0.0.0/33"]) must be a CIDR');
    expect(withValue(undefined, 'is required')).toBe('is required');
    expect(withValue(3, '(3) already says it')).toBe('(3) already says it');
  });

  it('throws one problem as an InputPropertyError and several as an InputPropertiesError, each line readable', () => {
    const one = failed([{ propertyPath: 'perfstack:mode', reason: '("x") is not a mode' }]);
    expect(pulumi.InputPropertyError.isInstance(one)).toBe(true);
    expect(inputErrorLines(one)).toEqual([`'perfstack:mode' ("x") is not a mode`]);
    const two = failed([
      { propertyPath: 'perfstack:a', reason: 'one' },
      { propertyPath: 'perfstack:b', reason: 'two' },
    ]);
    expect(pulumi.InputPropertiesError.isInstance(two)).toBe(true);
    expect(inputErrorLines(two)).toEqual(["'perfstack:a' one", "'perfstack:b' two"]);
    expect(inputErrorLines(new Error('not an input error'))).toBeUndefined();
  });
});
