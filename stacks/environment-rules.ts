/**
 * The rules of an Environment that span fields (references between them, uniqueness, what a cloud allows), after
 * its shape and ranges pass the schema (./environment-schema.ts). One entry: {@link validateEnvironment}.
 */
import { ConfigError, Problems } from '../constructs/core/errors';
import { checkLabels, costLabels } from '../constructs/core/labels';
import { checkIngress } from '../constructs/platform/ingress';
import { checkAnomalyThresholds } from '../constructs/observability/anomaly-rules';
import {
  CACHE_ANOMALY_DEFAULTS,
  DATABASE_ANOMALY_DEFAULTS,
  checkDataTierThresholds,
} from '../constructs/observability/data-tier-anomaly-thresholds';
import { CallGraph, checkCallGraph } from '../constructs/traffic/call-graph';
import { Environment, callGraphServices, edgeOf } from './environment';
import { RULE_IDS, checkEnvironmentShape } from './environment-schema';
import { awsZoneProblem } from './aws-zones';
import { ENVOY_GATEWAY_FOR, ISTIO_FOR } from './kubernetes-versions';

export { ConfigError };

/**
 * Checks the environment as a whole; throws one {@link ConfigError} listing every problem. Returns the call graph it
 * resolved while checking, so the caller (stacks/platform.ts) builds from it instead of resolving it again.
 */
export function validateEnvironment(env: Environment): CallGraph {
  const p = new Problems(typeof env?.name === 'string' && env.name !== '' ? env.name : '(unnamed environment)');
  // Shape first (a value from JavaScript or JSON may hold anything): the checks below assume the declared types.
  if (!checkEnvironmentShape(p, env)) p.throwIfAny();
  p.check(new Set(env.zones).size === env.zones.length, 'zones', env.zones, 'must not repeat a zone');
  if (env.cloud.kind === 'aws') {
    p.check(!env.airGapped, 'airGapped', env.airGapped, "cannot be true with cloud 'aws'; use cloud { kind: 'none' }");
  }
  checkLabels(p, 'costAllocation', costLabels(env.name, env.costAllocation));
  if (env.ingress) checkIngress(p, 'ingress', env.ingress, env.cloud.kind === 'aws');
  checkEdge(p, env);
  const paths = env.services.filter((s) => s.exposure === 'public').map((s) => s.ingressPath ?? '/');
  const dupPath = paths.find((x, i) => paths.indexOf(x) !== i);
  p.check(dupPath === undefined, 'services', dupPath, "gives two public services the same 'ingressPath'; give each its own prefix");
  const names = env.services.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  p.check(dup === undefined, 'services', dup, 'names a service twice');
  // The anomaly thresholds' ranges (and minWeeks <= weeks) as AnomalyRules checks them, named by service.
  for (const s of env.services) if (s.anomaly) checkAnomalyThresholds(p, `services.${s.name}.anomaly`, s.anomaly);
  checkDataTierThresholds(p, 'dataTier.redis.anomaly', CACHE_ANOMALY_DEFAULTS, env.dataTier.redis.anomaly);
  checkDataTierThresholds(p, 'dataTier.postgres.anomaly', DATABASE_ANOMALY_DEFAULTS, env.dataTier.postgres.anomaly);
  p.check(
    !env.airGapped || /^https?:\/\/[^/]+\.svc(\.cluster\.local)?(:\d+)?(\/|$)/.test(env.monitoring.runbookBaseUrl ?? ''),
    'monitoring.runbookBaseUrl',
    env.monitoring.runbookBaseUrl,
    'must be an in-cluster URL (http://<service>.<namespace>.svc/...) in an air-gapped environment',
  );
  checkReferences(p, env);
  const graph = checkCallGraph(p, callGraphServices(env));
  p.check(
    env.mesh !== 'istio-ambient' || ISTIO_FOR[env.kubernetesVersion] !== undefined,
    'mesh',
    env.mesh,
    `has no Istio release in the catalogue for Kubernetes ${env.kubernetesVersion} (it has one for ${Object.keys(ISTIO_FOR).join(', ')}); use 'none' or one of those versions`,
  );
  p.throwIfAny();
  // Without problems recorded, the graph is resolved.
  return graph!;
}

/** Cross-references within an environment: what one field names must exist elsewhere. */
function checkReferences(p: Problems, env: Environment): void {
  const region = env.cloud.kind === 'aws' ? env.cloud.region : undefined;
  if (region !== undefined) {
    env.zones.forEach((zone, i) => {
      const problem = awsZoneProblem(region, zone);
      if (problem) p.add(`zones[${i}]`, zone, problem);
    });
  }
  for (const s of env.services) {
    for (const [i, rule] of (s.policyExemption?.rules ?? []).entries()) {
      p.check(
        RULE_IDS.includes(rule),
        `services.${s.name}.policyExemption.rules[${i}]`,
        rule,
        `is not a policy rule; known: ${RULE_IDS.join(', ')}`,
      );
    }
  }
  const names = env.services.map((s) => s.name);
  if (env.loadTests) {
    p.check(
      names.includes(env.loadTests.target),
      'loadTests.target',
      env.loadTests.target,
      `must name one of the services (${names.join(', ')})`,
    );
  }
}

/** What the edge needs: an Envoy Gateway line for the version on-prem; gRPC routes only where they can be served. */
function checkEdge(p: Problems, env: Environment): void {
  const edge = edgeOf(env);
  p.check(
    edge !== 'envoy-gateway' || ENVOY_GATEWAY_FOR[env.kubernetesVersion] !== undefined,
    'ingress',
    env.kubernetesVersion,
    `needs Envoy Gateway on-prem, which supports Kubernetes ${Object.keys(ENVOY_GATEWAY_FOR).join(', ')}; ` +
      "upgrade 'kubernetesVersion', or set 'ingress.className' to keep your site's own ingress controller",
  );
  for (const s of env.services.filter((x) => x.grpcServices !== undefined)) {
    const input = `services.${s.name}.grpcServices`;
    p.check(s.exposure === 'public', input, s.grpcServices, "routes a service at the edge: only 'public' services have routes; remove it");
    p.check(
      edge !== 'ingress',
      input,
      s.grpcServices,
      "needs the Gateway's GRPCRoute; the opt-in Ingress ('ingress.className') routes HTTP only: remove one of them",
    );
    p.check(
      edge !== 'aws-load-balancer-controller',
      input,
      s.grpcServices,
      "is not served on AWS yet: a GRPC target group health-checks over gRPC, which the service's HTTP readiness probe does not answer, and a GRPCRoute has no timeout field on the ALB; serve it over HTTP there",
    );
  }
}
