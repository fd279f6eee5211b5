import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ApiCaching } from '../stacks/stack-config';

/**
 * AWS-managed CloudFront policies, by their fixed ids (as aws-cdk's `CachePolicy.CACHING_OPTIMIZED` does), so no
 * lookup runs at preview.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
 */
export const MANAGED_POLICIES = {
  /** Cache key without cookies or query strings; gzip and brotli; TTL from the object's Cache-Control, 1 s to 1 year. */
  cachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  useOriginCacheControlHeaders: '83da9c7e-98b4-4e11-a168-04f0df8e2c65',
  /** Origin request policy: every viewer header, cookie and query string except Host (the origin's certificate names its own host). */
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
  /** Origin request policy: every viewer header including Host, so the origin's certificate must cover the aliases. */
  allViewer: '216adef6-5c7f-47e4-b989-5492eafa07d3',
  /** Response headers policy: HSTS, X-Content-Type-Options, X-Frame-Options, Referrer-Policy, XSS protection. */
  securityHeaders: '67f7725c-6f97-4210-82d7-5512b31e9d03',
} as const;

export const MIN_TLS = 'TLSv1.2_2021';

const READ = ['GET', 'HEAD', 'OPTIONS'];
const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];

export interface CdnArgs {
  /** DNS name of the ingress load balancer that serves the API over HTTPS (the Ingress status, an output). */
  readonly apiOriginDomain: pulumi.Input<string>;
  /** Region of the environment: the bucket's, and Origin Shield's when on. */
  readonly region: string;
  /** Name of the static-asset bucket (globally unique). */
  readonly bucketName: string;
  /** Paths served from the bucket with content-hashed, immutable names. @default ['/assets/*', '/static/*'] */
  readonly staticPaths?: readonly string[];
  /** Paths sent to the API origin. @default ['/api/*'] */
  readonly apiPaths?: readonly string[];
  /** @default 'disabled' */
  readonly apiCaching?: ApiCaching;
  /** @default - the cloudfront.net name only */
  readonly aliases?: readonly string[];
  /** ACM certificate in us-east-1 for the aliases. @default - the default CloudFront certificate */
  readonly certificateArn?: string;
  /** @default 'PriceClass_100' */
  readonly priceClass?: string;
  /** @default false */
  readonly originShield?: boolean;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * CloudFront in front of the platform. The site and immutable assets come from a private S3 bucket that only this
 * distribution can read (Origin Access Control, all public access blocked, bucket-owner-enforced ownership); API
 * paths go to the ingress load balancer over HTTPS with TLS 1.2. Static paths use the managed caching-optimized
 * policy (gzip and brotli, TTL from the assets' `Cache-Control: max-age=31536000, immutable`); API paths are never
 * cached, or cached as the origin's Cache-Control says when `apiCaching` is `origin`. Viewers get HTTP/2 and
 * HTTP/3, are redirected to HTTPS, and need TLS 1.2 or newer.
 */
export class Cdn extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly distribution: aws.cloudfront.Distribution;
  public readonly originAccessControl: aws.cloudfront.OriginAccessControl;
  public readonly staticPaths: readonly string[];
  public readonly apiPaths: readonly string[];
  public readonly apiCaching: ApiCaching;

  constructor(name: string, args: CdnArgs, opts?: pulumi.ComponentResourceOptions) {
    super('perfstack:aws:Cdn', name, {}, opts);
    const child = { parent: this };
    this.staticPaths = args.staticPaths ?? ['/assets/*', '/static/*'];
    this.apiPaths = args.apiPaths ?? ['/api/*'];
    this.apiCaching = args.apiCaching ?? 'disabled';

    this.bucket = new aws.s3.Bucket(`${name}-static`, { bucket: args.bucketName, tags: args.tags }, child);
    const block = new aws.s3.BucketPublicAccessBlock(
      `${name}-static`,
      { bucket: this.bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-static`,
      { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-static`,
      { bucket: this.bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
      child,
    );
    this.originAccessControl = new aws.cloudfront.OriginAccessControl(
      name,
      {
        description: `${name}: CloudFront reads the static bucket`,
        originAccessControlOriginType: 's3',
        signingBehavior: 'always',
        signingProtocol: 'sigv4',
      },
      child,
    );

    const shield = args.originShield ? { enabled: true, originShieldRegion: args.region } : undefined;
    const staticOrigin = 'static';
    const apiOrigin = 'api';
    const staticBehavior = (pathPattern: string) => ({
      pathPattern,
      targetOriginId: staticOrigin,
      viewerProtocolPolicy: 'redirect-to-https',
      allowedMethods: READ,
      cachedMethods: READ,
      compress: true,
      cachePolicyId: MANAGED_POLICIES.cachingOptimized,
      responseHeadersPolicyId: MANAGED_POLICIES.securityHeaders,
    });
    const apiBehavior = (pathPattern: string) => ({
      pathPattern,
      targetOriginId: apiOrigin,
      viewerProtocolPolicy: 'redirect-to-https',
      allowedMethods: ALL_METHODS,
      cachedMethods: ['GET', 'HEAD'],
      compress: true,
      cachePolicyId: this.apiCaching === 'origin' ? MANAGED_POLICIES.useOriginCacheControlHeaders : MANAGED_POLICIES.cachingDisabled,
      // With aliases the viewer's Host goes to the load balancer, whose certificate covers them (CloudFront checks
      // the origin certificate against the Host it sends): the load balancer's own name needs no certificate.
      originRequestPolicyId:
        args.aliases && args.aliases.length > 0 ? MANAGED_POLICIES.allViewer : MANAGED_POLICIES.allViewerExceptHostHeader,
      responseHeadersPolicyId: MANAGED_POLICIES.securityHeaders,
    });
    // The default behaviour is the static one without a path pattern (it matches what no other pattern does).
    const defaultBehavior: Omit<ReturnType<typeof staticBehavior>, 'pathPattern'> & { pathPattern?: string } = staticBehavior('*');
    delete defaultBehavior.pathPattern;

    this.distribution = new aws.cloudfront.Distribution(
      name,
      {
        enabled: true,
        comment: `${name}: static assets from S3, API from the ingress`,
        httpVersion: 'http2and3',
        isIpv6Enabled: true,
        priceClass: args.priceClass ?? 'PriceClass_100',
        aliases: args.aliases && args.aliases.length > 0 ? [...args.aliases] : undefined,
        defaultRootObject: 'index.html',
        origins: [
          {
            originId: staticOrigin,
            domainName: this.bucket.bucketRegionalDomainName,
            originAccessControlId: this.originAccessControl.id,
            originShield: shield,
          },
          {
            originId: apiOrigin,
            domainName: args.apiOriginDomain,
            customOriginConfig: {
              httpPort: 80,
              httpsPort: 443,
              originProtocolPolicy: 'https-only',
              originSslProtocols: ['TLSv1.2'],
              originKeepaliveTimeout: 60,
              originReadTimeout: 30,
            },
            originShield: shield,
          },
        ],
        defaultCacheBehavior: defaultBehavior,
        // API paths first: CloudFront takes the first pattern that matches.
        orderedCacheBehaviors: [...this.apiPaths.map(apiBehavior), ...this.staticPaths.map(staticBehavior)],
        restrictions: { geoRestriction: { restrictionType: 'none' } },
        viewerCertificate: args.certificateArn
          ? { acmCertificateArn: args.certificateArn, sslSupportMethod: 'sni-only', minimumProtocolVersion: MIN_TLS }
          : { cloudfrontDefaultCertificate: true, minimumProtocolVersion: MIN_TLS },
        tags: args.tags,
      },
      child,
    );

    // Only this distribution may read the bucket (the OAC's signed requests carry its ARN).
    new aws.s3.BucketPolicy(
      `${name}-static`,
      {
        bucket: this.bucket.id,
        policy: pulumi.all([this.bucket.arn, this.distribution.arn]).apply(([bucketArn, distributionArn]) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'CloudFrontReadsStaticAssets',
                Effect: 'Allow',
                Principal: { Service: 'cloudfront.amazonaws.com' },
                Action: 's3:GetObject',
                Resource: `${bucketArn}/*`,
                Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
              },
            ],
          }),
        ),
      },
      { parent: this, dependsOn: [block] },
    );

    this.registerOutputs({ domainName: this.distribution.domainName, bucket: this.bucket.id });
  }
}
