import { Chart, Testing } from 'cdk8s';
import { Problems } from '../../../constructs/core/errors';
import { IngressSettings, PlatformIngress, checkIngress, ingressAnnotations, tlsSecretName } from '../../../constructs/platform/ingress';
import { ENVIRONMENTS } from '../../../stacks/environments';
import { buildPlatform } from '../../../stacks/platform';

const acm: IngressSettings = {
  hosts: ['www.example.com'],
  tls: { kind: 'acm', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000' },
};
const site: IngressSettings = { hosts: ['web.site.internal'], className: 'nginx', tls: { kind: 'cert-manager', clusterIssuer: 'site-ca' } };

function build(settings: IngressSettings) {
  const chart = new Chart(Testing.app(), 'test');
  new PlatformIngress(chart, 'Ingress', {
    namespace: 'web',
    settings,
    backends: [
      { path: '/', serviceName: 'web', servicePort: 80 },
      { path: '/api', serviceName: 'api-gateway', servicePort: 80 },
    ],
  });
  return Testing.synth(chart).find((o) => o.kind === 'Ingress');
}

describe('PlatformIngress (the opt-in for a site that keeps its own controller)', () => {
  it("names the site's IngressClass and routes the longer prefix first so /api never falls through to the site", () => {
    const ingress = build(site);
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules[0].http.paths.map((p: { path: string }) => p.path)).toEqual(['/api', '/']);
  });

  it('takes the certificate from cert-manager through the ClusterIssuer annotation', () => {
    const ingress = build(site);
    expect(ingress.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'site-ca' });
    expect(ingress.spec.tls).toEqual([{ hosts: ['web.site.internal'], secretName: 'platform-tls' }]);
  });

  it('uses a Secret the site provides, and no annotation', () => {
    const settings: IngressSettings = { ...site, tls: { kind: 'secret', secretName: 'site-cert' } };
    expect(build(settings).spec.tls[0].secretName).toBe('site-cert');
    expect(ingressAnnotations(settings)).toEqual({});
    expect(tlsSecretName(acm)).toBeUndefined();
  });
});

describe('checkIngress', () => {
  it('rejects an ACM certificate off AWS and cert-manager on AWS, naming the key', () => {
    const off = new Problems('site');
    checkIngress(off, 'ingress', { ...acm, className: 'nginx' }, false);
    expect(() => off.throwIfAny()).toThrow(/ingress.tls.kind.*'acm' needs AWS/);
    const on = new Problems('prod');
    checkIngress(on, 'ingress', { hosts: ['a.example.com'], tls: { kind: 'secret', secretName: 'x' } }, true);
    expect(() => on.throwIfAny()).toThrow(/ingress.tls.kind.*must be 'acm' on AWS/);
  });

  it('refuses the Ingress opt-in on AWS, where the Gateway is the edge', () => {
    const p = new Problems('prod');
    checkIngress(p, 'ingress', { ...acm, className: 'alb' }, true);
    expect(() => p.throwIfAny()).toThrow(/prod: 'ingress.className' \("alb"\) opts into a plain Ingress .* on AWS the edge is the Gateway/);
  });

  it('accepts an on-prem opt-in with a valid IngressClass name and refuses a malformed one', () => {
    const ok = new Problems('site');
    checkIngress(ok, 'ingress', site, false);
    expect(ok.count).toBe(0);
    const bad = new Problems('site');
    checkIngress(bad, 'ingress', { ...site, className: 'Nginx Class' }, false);
    expect(() => bad.throwIfAny()).toThrow(/'ingress.className' \("Nginx Class"\) must name an IngressClass/);
  });
});

describe('the environments', () => {
  it('write no Ingress by default anywhere: every environment with an edge gets the Gateway', () => {
    const edges = Object.values(ENVIRONMENTS).map((env) => {
      const platform = buildPlatform(env);
      return [env.name, platform.ingress === undefined, platform.gateway !== undefined || env.ingress === undefined];
    });
    expect(edges).toEqual(Object.values(ENVIRONMENTS).map((env) => [env.name, true, true]));
  });

  it('write the Ingress, and no Gateway, when a site opts in with its IngressClass', () => {
    const platform = buildPlatform({ ...ENVIRONMENTS.airgap, ingress: site });
    expect(platform.gateway).toBeUndefined();
    expect(platform.ingress!.ingress.toJson().spec.ingressClassName).toBe('nginx');
  });
});
