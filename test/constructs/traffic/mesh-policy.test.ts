import { Duration } from 'cdk8s';
import { Problems } from '../../../constructs/core/errors';
import { CallGraph, CallGraphService, checkCallGraph } from '../../../constructs/traffic/call-graph';
import { Dependency } from '../../../constructs/traffic/dependency';
import { meshPolicies, retryOn, routeTimeoutMs, unenforcedPolicyLines } from '../../../constructs/traffic/mesh-policy';

const svc = (name: string, dependencies: Dependency[] = []): CallGraphService => ({
  name,
  latencyThreshold: Duration.millis(200),
  replicasMax: 4,
  dependencies,
});

function graphOf(services: CallGraphService[]): CallGraph {
  const p = new Problems('prod');
  const g = checkCallGraph(p, services);
  p.throwIfAny();
  return g!;
}

describe('meshPolicies', () => {
  it('gives each called service one policy, naming its callers, and none to services nobody calls', () => {
    const g = graphOf([
      svc('web', [{ kind: 'service', service: 'audit' }]),
      svc('api', [{ kind: 'service', service: 'audit' }, { kind: 'redis' }]),
      svc('audit'),
    ]);
    const policies = meshPolicies(g);
    expect(policies.map((p) => [p.service, p.callers, p.attempts, p.perTryTimeoutMs, p.retriedMethods])).toEqual([
      ['audit', ['web', 'api'], 3, 500, 'all'],
    ]);
  });

  it('retries only the idempotent methods when some caller sends a method that may not be repeated', () => {
    const g = graphOf([
      svc('web', [{ kind: 'service', service: 'audit', methods: ['POST'] }]),
      svc('api', [{ kind: 'service', service: 'audit' }]),
      svc('audit'),
    ]);
    const [p] = meshPolicies(g);
    expect(p.attempts).toBe(3);
    expect(p.retriedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
  });

  it('times a retried route for every try and backoff, a single try for its per-try timeout', () => {
    const [p] = meshPolicies(graphOf([svc('api', [{ kind: 'service', service: 'audit' }]), svc('audit')]));
    expect([routeTimeoutMs(p, true), routeTimeoutMs(p, false)]).toEqual([1600, 500]);
  });

  it("retries where the request never reached the application, the policy's codes, and gRPC's unavailable", () => {
    const g = graphOf([
      svc('api', [{ kind: 'service', service: 'nlp', protocol: 'grpc', idempotent: true, retries: { statusCodes: [503] } }]),
      svc('nlp'),
    ]);
    expect(retryOn(meshPolicies(g)[0])).toBe('connect-failure,refused-stream,reset,unavailable,503');
  });
});

describe('unenforcedPolicyLines', () => {
  it('states every service-to-service policy on one line each, leaving the data tier to the client settings', () => {
    const g = graphOf([svc('api', [{ kind: 'service', service: 'audit' }, { kind: 'redis' }]), svc('audit')]);
    expect(unenforcedPolicyLines('airgap', g)).toEqual([
      `airgap: 'mesh' ("none"): api -> audit is not enforced by a mesh: 3 attempt(s) of 500 ms (at most 1600 ms), at most 128 connections and 192 pending, ejection after 5 consecutive 5xx (at most 50% of instances); api's HTTP client must apply it`,
    ]);
  });
});
