import { Duration } from 'cdk8s';
import fc from 'fast-check';
import { Problems } from '../../../constructs/core/errors';
import { CallGraphService, checkCallGraph } from '../../../constructs/traffic/call-graph';
import { IDEMPOTENT_METHODS, worstCallMs } from '../../../constructs/traffic/dependency';
import { amplificationBelow, edgePolicy } from '../../../constructs/traffic/edge-policy';
import { ENVIRONMENTS } from '../../../stacks/environments';
import { callGraphOf } from '../../../stacks/environment';

const svc = (name: string, extra: Partial<CallGraphService> = {}): CallGraphService => ({
  name,
  latencyThreshold: Duration.millis(200),
  replicasMax: 4,
  ...extra,
});

function graphOf(services: CallGraphService[]) {
  const p = new Problems('test');
  const g = checkCallGraph(p, services);
  p.throwIfAny();
  return g!;
}

const edgeTo = (services: CallGraphService[], name: string, protocol: 'http' | 'grpc' = 'http') => {
  const g = graphOf(services);
  return {
    graph: g,
    policy: edgePolicy(
      g,
      g.services.find((s) => s.name === name)!,
      protocol,
    ),
  };
};

describe('amplificationBelow', () => {
  it('is 1 for a service that calls nothing and the largest product of attempts along the paths below otherwise', () => {
    const g = graphOf([
      svc('a', {
        dependencies: [
          { kind: 'service', service: 'b' },
          { kind: 'service', service: 'd', retries: { attempts: 2 } },
        ],
      }),
      svc('b', { dependencies: [{ kind: 'service', service: 'c', retries: { attempts: 3 } }] }),
      svc('c'),
      svc('d'),
    ]);
    expect(amplificationBelow(g, 'c')).toBe(1);
    expect(amplificationBelow(g, 'b')).toBe(3);
    // a -> b (3 by default) -> c (3): 9, more than a -> d (2).
    expect(amplificationBelow(g, 'a')).toBe(9);
  });
});

describe('edgePolicy', () => {
  it('gives a leaf service 3 tries of 2.5 x its latency objective on idempotent methods, within its own timeout', () => {
    const { policy } = edgeTo([svc('web')], 'web');
    expect(policy).toMatchObject({
      service: 'web',
      callers: ['edge'],
      attempts: 3,
      perTryTimeoutMs: 500,
      requestTimeoutMs: 2000,
      retriedMethods: IDEMPOTENT_METHODS,
      circuitBreaker: { maxConnections: 128, maxRequestsPerConnection: 1000 },
      outlierDetection: { maxEjectionPercent: 50, consecutive5xxErrors: 5 },
    });
    expect(worstCallMs(policy.attempts, policy.perTryTimeoutMs, policy.backoffMs)).toBeLessThanOrEqual(policy.requestTimeoutMs);
  });

  it('takes only the retries the amplification bound leaves below the service, and then one try over the whole budget', () => {
    // api -> audit (3) -> db-like leaf (3): 9 below api, so the edge may not retry api at all (9 x 2 > 10).
    const services = [
      svc('api', { dependencies: [{ kind: 'service', service: 'audit' }] }),
      svc('audit', { dependencies: [{ kind: 'service', service: 'leaf' }] }),
      svc('leaf'),
    ];
    const { policy } = edgeTo(services, 'api');
    expect(policy.attempts).toBe(1);
    expect(policy.perTryTimeoutMs).toBe(policy.requestTimeoutMs);
    // One level up the bound leaves 10 / 3 = 3 tries.
    expect(edgeTo(services, 'audit').policy.attempts).toBe(3);
  });

  it('drops tries that would not fit the service timeout', () => {
    // 3 x 500 ms + backoff = 1600 ms > 1200 ms; 2 x 500 + 25 = 1025 ms fits.
    const { policy } = edgeTo([svc('web', { timeout: Duration.millis(1200) })], 'web');
    expect(policy.attempts).toBe(2);
  });

  it('never retries gRPC at the edge (a gRPC call is a POST)', () => {
    const { policy } = edgeTo([svc('orders')], 'orders', 'grpc');
    expect(policy).toMatchObject({ protocol: 'grpc', attempts: 1, perTryTimeoutMs: 2000 });
  });

  it('on the example platform: web is retried 3 times, api-gateway not at all (its paths already multiply by 9)', () => {
    const g = callGraphOf(ENVIRONMENTS.prod);
    const of = (name: string) =>
      edgePolicy(
        g,
        g.services.find((s) => s.name === name)!,
      );
    expect(amplificationBelow(g, 'api-gateway')).toBe(9);
    expect(of('api-gateway')).toMatchObject({ attempts: 1, requestTimeoutMs: 2000 });
    expect(of('web')).toMatchObject({ attempts: 3, perTryTimeoutMs: 500 });
  });

  it('keeps any path from the edge within the amplification bound and every retried call within the request timeout', () => {
    // Chains of 1 to 4 services with random attempts: the edge's tries times the path below stay within the bound.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 }),
        fc.integer({ min: 100, max: 3000 }),
        (attempts, timeoutMs) => {
          const names = ['s0', ...attempts.map((_, i) => `s${i + 1}`)];
          const services = names.map((n, i) =>
            svc(n, {
              timeout: Duration.millis(Math.max(timeoutMs, 200)),
              dependencies: i < attempts.length ? [{ kind: 'service', service: names[i + 1], retries: { attempts: attempts[i] } }] : [],
            }),
          );
          const p = new Problems('prop');
          const g = checkCallGraph(p, services);
          if (p.count > 0 || !g) return; // a graph the call graph itself refuses is not the edge's to route
          const policy = edgePolicy(
            g,
            g.services.find((s) => s.name === 's0')!,
          );
          expect(policy.attempts * amplificationBelow(g, 's0')).toBeLessThanOrEqual(g.amplificationBound);
          expect(worstCallMs(policy.attempts, policy.perTryTimeoutMs, policy.backoffMs)).toBeLessThanOrEqual(policy.requestTimeoutMs);
        },
      ),
    );
  });
});
