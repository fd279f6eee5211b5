import { readCdn, readInstanceTypes, readNodeOverhead } from '../../../stacks/stack-config/fields';
import { DEFAULT_NODE_OVERHEAD } from '../../../stacks/stack-config/types';

/** A field reader's value and the `key: reason` problems it reported. */
function read<T>(reader: (issue: (key: string, reason: string) => void) => T): { value: T; problems: string[] } {
  const problems: string[] = [];
  const value = reader((key, reason) => problems.push(`${key}: ${reason}`));
  return { value, problems };
}

describe('stack config field readers', () => {
  it('reads instance types and names a type that is not an EC2 name', () => {
    const ok = read((issue) =>
      readInstanceTypes({ 'm6i.xlarge': { vcpu: 4, memoryGiB: 16, onDemandHourly: 0.192, spotHourly: 0.08 } }, issue),
    );
    expect(ok.problems).toEqual([]);
    expect(ok.value['m6i.xlarge']).toMatchObject({ vcpu: 4, memoryGiB: 16 });
    const bad = read((issue) => readInstanceTypes({ M6I: { vcpu: 4, memoryGiB: 16, onDemandHourly: 0.192 } }, issue));
    expect(bad.problems).toContain('instanceTypes.M6I: is not an EC2 instance type name such as m6i.xlarge');
  });

  it('defaults the node overhead when unset', () => {
    expect(read((issue) => readNodeOverhead(undefined, issue))).toEqual({ value: DEFAULT_NODE_OVERHEAD, problems: [] });
  });

  it('refuses a CloudFront price class that does not exist, naming the ones that do', () => {
    const { problems } = read((issue) => readCdn({ priceClass: 'PriceClass_1', aliases: ['www.perfstack.dev'] }, true, issue));
    expect(problems.some((p) => p.startsWith('cdn.priceClass: ') && p.includes('PriceClass_100'))).toBe(true);
  });
});
