import { MANAGED_POLICIES } from '../../infra/cdn';
import { ENVIRONMENTS } from '../../stacks/environments';
import { CloudStackSettings } from '../../stacks/stack-config';
import { ofType, one, recordStacks, settingsOf } from './support/stacks';

// The Cdn component (infra/cdn.ts) as the staging and prod stacks build it.
// The CDN's API origin is the App's Ingress load balancer: these stacks deploy the App.
recordStacks(['staging', 'prod']);

describe.each(['staging', 'prod'])('the %s CDN', (stack) => {
  const distribution = () => one(stack, 'aws:cloudfront/distribution:Distribution').inputs;
  const behaviors = () => [distribution().defaultCacheBehavior, ...distribution().orderedCacheBehaviors];

  it('serves HTTP/2 and HTTP/3, redirects HTTP to HTTPS everywhere and needs TLS 1.2', () => {
    expect(distribution().httpVersion).toBe('http2and3');
    for (const b of behaviors()) expect(b.viewerProtocolPolicy).toBe('redirect-to-https');
    expect(distribution().viewerCertificate.minimumProtocolVersion).toBe('TLSv1.2_2021');
  });

  it('reads static assets from a private bucket through Origin Access Control', () => {
    const origin = distribution().origins.find((o: { originId: string }) => o.originId === 'static');
    const oac = one(stack, 'aws:cloudfront/originAccessControl:OriginAccessControl');
    expect(origin.originAccessControlId).toBe(oac.id);
    expect(oac.inputs).toMatchObject({ originAccessControlOriginType: 's3', signingBehavior: 'always', signingProtocol: 'sigv4' });
    expect(origin.domainName).toBe(
      `perfstack-${stack}-static-${(ENVIRONMENTS[stack].cloud as { accountId: string }).accountId}.s3.eu-west-1.amazonaws.com`,
    );
    const policy = ofType(stack, 'aws:s3/bucketPolicy:BucketPolicy').map((p) => JSON.parse(p.inputs.policy))[0];
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Condition: { StringEquals: { 'AWS:SourceArn': `arn:aws:cloudfront::000000000000:distribution/${stack}` } },
    });
  });

  it('caches static paths with the managed caching-optimized policy, compressed, and never caches the API', () => {
    const byPath = Object.fromEntries(behaviors().map((b) => [b.pathPattern ?? 'default', b]));
    for (const path of ['default', '/assets/*', '/static/*']) {
      expect(byPath[path]).toMatchObject({ targetOriginId: 'static', cachePolicyId: MANAGED_POLICIES.cachingOptimized, compress: true });
    }
    expect(byPath['/api/*']).toMatchObject({
      targetOriginId: 'api',
      cachePolicyId: MANAGED_POLICIES.cachingDisabled,
      // With aliases the viewer's Host reaches the load balancer, whose certificate covers them.
      originRequestPolicyId: (settingsOf(stack) as CloudStackSettings).cdn?.aliases?.length
        ? MANAGED_POLICIES.allViewer
        : MANAGED_POLICIES.allViewerExceptHostHeader,
    });
    expect(byPath['/api/*'].allowedMethods).toContain('POST');
    // The API paths come first: CloudFront takes the first pattern that matches.
    expect(distribution().orderedCacheBehaviors[0].pathPattern).toBe('/api/*');
  });

  it('reaches the API origin over HTTPS with TLS 1.2 only', () => {
    const origin = distribution().origins.find((o: { originId: string }) => o.originId === 'api');
    expect(origin.customOriginConfig).toMatchObject({ originProtocolPolicy: 'https-only', originSslProtocols: ['TLSv1.2'] });
  });
});

describe('CDN settings from stack config', () => {
  it('gives prod its aliases, its certificate, PriceClass_100 and an Origin Shield in its region', () => {
    const d = one('prod', 'aws:cloudfront/distribution:Distribution').inputs;
    expect(d.aliases).toEqual(['www.perfstack.dev']);
    expect(d.priceClass).toBe('PriceClass_100');
    expect(d.viewerCertificate).toMatchObject({
      sslSupportMethod: 'sni-only',
      acmCertificateArn: expect.stringMatching(/^arn:aws:acm:us-east-1:/),
    });
    for (const o of d.origins) expect(o.originShield).toEqual({ enabled: true, originShieldRegion: 'eu-west-1' });
  });

  it('leaves Origin Shield off in staging and serves its alias with its own certificate', () => {
    const d = one('staging', 'aws:cloudfront/distribution:Distribution').inputs;
    expect(d.aliases).toEqual(['staging.perfstack.dev']);
    expect(d.viewerCertificate.acmCertificateArn).toMatch(/^arn:aws:acm:us-east-1:222222222222:/);
    for (const o of d.origins) expect(o.originShield).toBeUndefined();
  });
});
