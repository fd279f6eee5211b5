import { AWS_ZONE_LETTERS, awsZoneProblem, awsZones } from '../../stacks/aws-zones';

describe('AWS zones', () => {
  it("accepts exactly a listed region's zones, naming them when refusing another", () => {
    expect(awsZones('eu-west-1')).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(awsZoneProblem('eu-west-1', 'eu-west-1c')).toBeUndefined();
    expect(awsZoneProblem('eu-west-1', 'eu-west-1g')).toBe(
      "is not a zone of region 'eu-west-1' ('cloud.region'), which has eu-west-1a, eu-west-1b, eu-west-1c (stacks/aws-zones.ts)",
    );
  });

  it('checks a region it does not list by the zone grammar only', () => {
    expect(awsZoneProblem('xx-test-9', 'xx-test-9q')).toBeUndefined();
    expect(awsZoneProblem('xx-test-9', 'eu-west-1a')).toMatch(/AWS zones are the region and a letter, e.g. "xx-test-9a"$/);
  });

  it('lists every region with distinct lowercase letters', () => {
    for (const [region, letters] of Object.entries(AWS_ZONE_LETTERS)) {
      expect(region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
      expect(letters).toMatch(/^[a-z]+$/);
      expect(new Set(letters).size).toBe(letters.length);
    }
  });
});
