import { validateEnvironment } from '../../stacks/environment-rules';
import { prod } from '../../stacks/prod';
import { dev } from '../../stacks/dev';

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
