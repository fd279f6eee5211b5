import { validateEnvironment } from '../../stacks/environment-rules';
import { prod } from '../../stacks/prod';
import { dev } from '../../stacks/dev';
import { ENVIRONMENTS } from '../../stacks/environments';
import { OPERATORS_FOR } from '../../stacks/kubernetes-versions';

/** The one-line problems validateEnvironment reports for an environment, or [] when it is accepted. */
function problems(env: Parameters<typeof validateEnvironment>[0]): string[] {
  try {
    validateEnvironment(env);
    return [];
  } catch (e) {
    return (e as Error).message.split('\n');
  }
}

describe('validateEnvironment (rules across fields)', () => {
  it('accepts every environment the project ships', () => {
    expect([...problems(prod), ...problems(dev)]).toEqual([]);
  });

  it('load-tests any service the environment has, named by loadTests.target', () => {
    const withoutGateway = prod.services.filter((s) => s.name !== 'api-gateway');
    expect(problems({ ...prod, services: withoutGateway, loadTests: { ...prod.loadTests!, target: 'web' } })).toEqual([]);
    expect(problems({ ...prod, services: withoutGateway })).toEqual([
      `prod: 'loadTests.target' ("api-gateway") must name one of the services (nlp-service, audit-service, web)`,
    ]);
  });

  it('refuses a zone of another region, naming the zone and the region', () => {
    expect(problems({ ...prod, zones: ['us-east-1a', ...prod.zones.slice(1)] })).toEqual([
      `prod: 'zones[0]' ("us-east-1a") is not a zone of region 'eu-west-1' ('cloud.region'), which has eu-west-1a, eu-west-1b, eu-west-1c (stacks/aws-zones.ts)`,
    ]);
  });

  it('refuses a service listed twice and two public services on one path', () => {
    const gateway = prod.services.find((s) => s.name === 'api-gateway')!;
    expect(problems({ ...prod, services: [...prod.services, gateway] })).toEqual(
      expect.arrayContaining([`prod: 'services' ("api-gateway") names a service twice`]),
    );
  });

  it('reports every problem at once, shape problems before the rules run', () => {
    const lines = problems({ ...prod, namespace: 'Not A Label', zones: [] } as never);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((l) => l.startsWith('prod: '))).toBe(true);
  });
});

describe('the edge', () => {
  const airgap = ENVIRONMENTS.airgap;
  it('refuses Envoy Gateway on a minor it does not support, naming both ways out', () => {
    expect(problems({ ...airgap, kubernetesVersion: '1.31', operators: OPERATORS_FOR['1.31'] })).toContainEqual(
      expect.stringMatching(
        /^airgap: 'ingress' \("1\.31"\) needs Envoy Gateway on-prem, which supports Kubernetes 1\.33, 1\.34, 1\.35, 1\.36; .*'ingress\.className'/,
      ),
    );
    // With the site's own controller, the version does not matter to the edge.
    expect(
      problems({
        ...airgap,
        kubernetesVersion: '1.31',
        operators: OPERATORS_FOR['1.31'],
        ingress: { ...airgap.ingress!, className: 'nginx' },
      }).filter((p) => p.includes("'ingress'")),
    ).toEqual([]);
  });

  it('routes gRPC only for public services behind the Gateway, and not on AWS yet', () => {
    const grpc = (env: typeof airgap, name: string) => ({
      ...env,
      services: env.services.map((s) => (s.name === name ? { ...s, grpcServices: ['shop.v1.Orders'] } : s)),
    });
    expect(problems(grpc(airgap, 'web'))).toEqual([]);
    expect(problems(grpc(airgap, 'audit-service'))).toEqual([
      `airgap: 'services.audit-service.grpcServices' (["shop.v1.Orders"]) routes a service at the edge: only 'public' services have routes; remove it`,
    ]);
    expect(problems(grpc(prod, 'web'))).toContainEqual(
      expect.stringMatching(/^prod: 'services\.web\.grpcServices' .* is not served on AWS yet/),
    );
  });
});
