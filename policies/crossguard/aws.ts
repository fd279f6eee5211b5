/**
 * Rules over the AWS side of a stack, as pure functions of Pulumi resource properties so they are tested without
 * the Pulumi engine.
 */

export interface StackResource {
  readonly type: string;
  readonly urn: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly props: Record<string, any>;
}

export interface Violation {
  readonly message: string;
  readonly urn: string;
}

/** Spot pools need several instance types (capacity pools) and every zone's subnets, or one shortage drains them. */
export function spotNodeGroupViolations(resources: readonly StackResource[]): Violation[] {
  const subnets = resources.filter((r) => r.type === 'aws:ec2/subnet:Subnet');
  // Stack policies see outputs, where a subnet's id may only show in its ARN (`...:subnet/subnet-0abc`).
  const zoneOf = (id: string) =>
    subnets.find((s) => s.props.id === id || String(s.props.arn ?? '').endsWith(`:subnet/${id}`) || s.urn.endsWith(`::${id}`))?.props
      .availabilityZone;
  const allZones = new Set(
    subnets
      .filter((s) => !s.props.mapPublicIpOnLaunch)
      .map((s) => s.props.availabilityZone)
      .filter(Boolean),
  );
  return resources
    .filter((r) => r.type === 'aws:eks/nodeGroup:NodeGroup' && r.props.capacityType === 'SPOT')
    .flatMap((r) => {
      const out: Violation[] = [];
      const types: string[] = r.props.instanceTypes ?? [];
      if (types.length < 3)
        out.push({
          urn: r.urn,
          message: `spot node group uses ${types.length} instance type(s); use at least 3 of one size class so one shortage does not empty it`,
        });
      const zones = new Set((r.props.subnetIds ?? []).map(zoneOf).filter(Boolean));
      const missing = [...allZones].filter((z) => !zones.has(z));
      if (missing.length > 0)
        out.push({ urn: r.urn, message: `spot node group has no subnet in ${missing.join(', ')}; spot capacity must span every zone` });
      return out;
    });
}

const TLS12 = /^TLSv1\.2_/;

/** CloudFront serves HTTPS only, with TLS 1.2 or newer. */
export function cloudfrontViolations(resources: readonly StackResource[]): Violation[] {
  return resources
    .filter((r) => r.type === 'aws:cloudfront/distribution:Distribution')
    .flatMap((r) => {
      const out: Violation[] = [];
      const behaviors = [r.props.defaultCacheBehavior, ...(r.props.orderedCacheBehaviors ?? [])].filter(Boolean);
      for (const b of behaviors) {
        if (!['https-only', 'redirect-to-https'].includes(b.viewerProtocolPolicy)) {
          out.push({
            urn: r.urn,
            message: `cache behavior '${b.pathPattern ?? 'default'}' allows HTTP (viewerProtocolPolicy ${b.viewerProtocolPolicy}); use redirect-to-https`,
          });
        }
      }
      const min = r.props.viewerCertificate?.minimumProtocolVersion;
      if (!TLS12.test(min ?? ''))
        out.push({
          urn: r.urn,
          message: `minimumProtocolVersion is ${min ?? 'unset (TLSv1 with the default certificate)'}; use TLSv1.2_2021`,
        });
      return out;
    });
}

/** S3 origins are private: reached only through Origin Access Control, with public access blocked on the bucket. */
export function s3OriginViolations(resources: readonly StackResource[]): Violation[] {
  const blocks = resources.filter((r) => r.type === 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock');
  return resources
    .filter((r) => r.type === 'aws:cloudfront/distribution:Distribution')
    .flatMap((r) =>
      (r.props.origins ?? [])
        .filter((o: { domainName?: string }) => /\.s3[.-]/.test(o.domainName ?? ''))
        .flatMap((o: { domainName: string; originId: string; originAccessControlId?: string }) => {
          const out: Violation[] = [];
          if (!o.originAccessControlId) out.push({ urn: r.urn, message: `S3 origin '${o.originId}' has no Origin Access Control` });
          const bucket = o.domainName.split('.s3')[0];
          const block = blocks.find((b) => b.props.bucket === bucket);
          const closed =
            block &&
            ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'].every((k) => block.props[k] === true);
          if (!closed)
            out.push({ urn: r.urn, message: `bucket '${bucket}' behind origin '${o.originId}' does not block all public access` });
          return out;
        }),
    );
}
