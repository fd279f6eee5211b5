/**
 * Availability zones by AWS region: the one place perfstack knows which zone names exist. An account sees zone
 * names mapped onto the region's zone ids (use1-az1...), so the names below are every letter a region's zones are
 * named by. Source: AWS, "AWS Availability Zones" (Regions and Zones, AWS Global Infrastructure, December 2026;
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html) and
 * `aws ec2 describe-availability-zones --region <region>`; Local Zones and Wavelength Zones are not node-pool zones.
 * A region not listed is checked by the zone grammar only (`<region><letter>`); add it here to check its names.
 */
export const AWS_ZONE_LETTERS: Readonly<Record<string, string>> = {
  'us-east-1': 'abcdef',
  'us-east-2': 'abc',
  'us-west-1': 'abc',
  'us-west-2': 'abcd',
  'ca-central-1': 'abd',
  'sa-east-1': 'abc',
  'eu-west-1': 'abc',
  'eu-west-2': 'abc',
  'eu-west-3': 'abc',
  'eu-central-1': 'abc',
  'eu-central-2': 'abc',
  'eu-north-1': 'abc',
  'eu-south-1': 'abc',
  'eu-south-2': 'abc',
  'af-south-1': 'abc',
  'me-south-1': 'abc',
  'ap-east-1': 'abc',
  'ap-south-1': 'abc',
  'ap-northeast-1': 'acd',
  'ap-northeast-2': 'abcd',
  'ap-northeast-3': 'abc',
  'ap-southeast-1': 'abc',
  'ap-southeast-2': 'abc',
};

/** The zones of a listed region, or undefined for a region this table does not know. */
export function awsZones(region: string): readonly string[] | undefined {
  const letters = AWS_ZONE_LETTERS[region];
  return letters === undefined ? undefined : [...letters].map((l) => `${region}${l}`);
}

/** Why `zone` is not a zone of `region` (phrased to follow the value), or undefined when it is. */
export function awsZoneProblem(region: string, zone: string): string | undefined {
  const known = awsZones(region);
  const grammar = zone.length === region.length + 1 && zone.startsWith(region) && /[a-z]$/.test(zone);
  if (known === undefined) {
    return grammar
      ? undefined
      : `is not a zone of region '${region}' ('cloud.region'); AWS zones are the region and a letter, e.g. "${region}a"`;
  }
  return known.includes(zone)
    ? undefined
    : `is not a zone of region '${region}' ('cloud.region'), which has ${known.join(', ')} (stacks/aws-zones.ts)`;
}
