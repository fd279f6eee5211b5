import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Problems } from '../../../constructs/core/errors';
import { IngressSettings, PlatformIngress, checkIngress, ingressAnnotations } from '../../../constructs/platform/ingress';
import { ENVIRONMENTS } from '../../../stacks/environments';
import { buildPlatform } from '../../../stacks/platform';

const acm: IngressSettings = {
  hosts: ['www.example.com'],
  className: 'alb',
  tls: { kind: 'acm', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000' },
};

function build(settings: IngressSettings, aws?: { groupName: string }) {
  const chart = new Chart(Testing.app(), 'test');
  const svc = (name: string) => new k8s.KubeService(chart, name, { metadata: { name }, spec: { ports: [{ port: 80 }] } });
  const api = svc('api-gateway');
  const web = svc('web');
  new PlatformIngress(chart, 'Ingress', {
    namespace: 'web',
    settings,
    aws,
    backends: [
      { path: '/', service: web, serviceName: 'web', servicePort: 80, readinessPath: '/readyz' },
      { path: '/api', service: api, serviceName: 'api-gateway', servicePort: 80, readinessPath: '/healthz/ready' },
    ],
  });
  const objects = Testing.synth(chart);
  return { ingress: objects.find((o) => o.kind === 'Ingress'), services: objects.filter((o) => o.kind === 'Service') };
}

describe('PlatformIngress', () => {
  it('on AWS asks for an internet-facing ALB with pod targets, HTTPS with the ACM certificate, HTTP/2 and an HTTP redirect', () => {
    const { ingress } = build(acm, { groupName: 'perfstack-prod' });
    expect(ingress.spec.ingressClassName).toBe('alb');
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/group.name': 'perfstack-prod',
      'alb.ingress.kubernetes.io/certificate-arn': (acm.tls as { certificateArn: string }).certificateArn,
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/load-balancer-attributes': expect.stringContaining('routing.http2.enabled=true'),
    });
  });

  it('health-checks each backend on its own readiness path', () => {
    const { services } = build(acm, { groupName: 'g' });
    const path = (name: string) =>
      services.find((s) => s.metadata.name === name).metadata.annotations['alb.ingress.kubernetes.io/healthcheck-path'];
    expect(path('api-gateway')).toBe('/healthz/ready');
    expect(path('web')).toBe('/readyz');
  });

  it('routes the longer prefix first so /api never falls through to the site', () => {
    const { ingress } = build(acm, { groupName: 'g' });
    expect(ingress.spec.rules[0].http.paths.map((p: { path: string }) => p.path)).toEqual(['/api', '/']);
  });

  it('on-premises takes the certificate from cert-manager through the ClusterIssuer annotation', () => {
    const { ingress, services } = build({
      hosts: ['web.site.internal'],
      className: 'nginx',
      tls: { kind: 'cert-manager', clusterIssuer: 'site-ca' },
    });
    expect(ingress.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'site-ca' });
    expect(ingress.spec.tls).toEqual([{ hosts: ['web.site.internal'], secretName: 'platform-tls' }]);
    expect(services[0].metadata.annotations).toBeUndefined();
  });

  it('uses a Secret the site provides', () => {
    const { ingress } = build({ hosts: ['web.site.internal'], className: 'nginx', tls: { kind: 'secret', secretName: 'site-cert' } });
    expect(ingress.spec.tls[0].secretName).toBe('site-cert');
  });

  it('lets external-dns manage only the origin name', () => {
    expect(ingressAnnotations({ ...acm, dns: { hostedZoneId: 'Z123', hostname: 'www.example.com' } }, { groupName: 'g' })).toMatchObject({
      'external-dns.alpha.kubernetes.io/hostname': 'www.example.com',
      'external-dns.alpha.kubernetes.io/ingress-hostname-source': 'annotation-only',
    });
  });

  it('rejects an ACM certificate off AWS and cert-manager on AWS, naming the key', () => {
    const off = new Problems('site');
    checkIngress(off, 'ingress', { ...acm, className: 'nginx' }, false);
    expect(() => off.throwIfAny()).toThrow(/ingress.tls.kind.*'acm' needs AWS/);
    const on = new Problems('prod');
    checkIngress(on, 'ingress', { hosts: ['a.example.com'], className: 'nginx', tls: { kind: 'secret', secretName: 'x' } }, true);
    expect(() => on.throwIfAny()).toThrow(/ingress.className[\s\S]*ingress.tls.kind/);
  });
});

describe('the environments', () => {
  it('give prod an Ingress for its public services and let the load balancer reach them', () => {
    const platform = buildPlatform(ENVIRONMENTS.prod);
    const ingress = platform.ingress!.ingress.toJson();
    expect(ingress.spec.rules[0].http.paths.map((p: { backend: { service: { name: string } } }) => p.backend.service.name)).toEqual([
      'api-gateway',
      'web',
    ]);
    const np = platform.services['web'].networkPolicy.toJson();
    expect(JSON.stringify(np.spec.ingress)).toContain(ENVIRONMENTS.prod.ingressFrom.map((p) => p.ipBlock?.cidr)[0]);
  });
});
