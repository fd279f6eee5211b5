/**
 * The rules of an Environment that span fields (references between them, uniqueness, what a cloud allows), after
 * its shape and ranges pass the schema (./environment-schema.ts). One entry: {@link validateEnvironment}.
 */
import { ConfigError, Problems } from '../constructs/core/errors';
import { checkLabels, costLabels, isDnsLabel } from '../constructs/core/labels';
import { checkRetention } from '../constructs/observability/monitoring-stack-values';
import { checkSlo } from '../constructs/observability/slo';
import { checkIngress } from '../constructs/platform/ingress';
import { checkCallGraph } from '../constructs/traffic/call-graph';
import { Environment, callGraphServices, edgeOf } from './environment';
import { RULE_IDS, checkEnvironmentShape } from './environment-schema';
import { awsZoneProblem } from './aws-zones';
import { ENVOY_GATEWAY_FOR, ISTIO_FOR, OPERATORS_FOR } from './kubernetes-versions';

export { ConfigError };

const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** Checks the environment as a whole; throws one {@link ConfigError} listing every problem. */
export function validateEnvironment(env: Environment): void {
  const p = new Problems(typeof env?.name === 'string' && env.name !== '' ? env.name : '(unnamed environment)');
  // Shape first (a value from JavaScript or JSON may hold anything): the checks below assume the declared types.
  if (!checkEnvironmentShape(p, env)) p.throwIfAny();
  p.check(isDnsLabel(env.name ?? ''), 'name', env.name, 'must be a DNS label such as "prod"');
  p.check(Array.isArray(env.zones) && env.zones.length >= 1, 'zones', env.zones, 'must list at least one zone');
  p.check(new Set(env.zones).size === env.zones.length, 'zones', env.zones, 'must not repeat a zone');
  p.check(
    Object.keys(OPERATORS_FOR).includes(env.kubernetesVersion),
    'kubernetesVersion',
    env.kubernetesVersion,
    `must be one of ${Object.keys(OPERATORS_FOR).join(', ')}`,
  );
  p.check(isDnsLabel(env.namespace ?? ''), 'namespace', env.namespace, 'must be a DNS label');
  p.check(
    (env.imageRegistry ?? '').length > 0 && !env.imageRegistry.endsWith('/'),
    'imageRegistry',
    env.imageRegistry,
    'must be a registry host and optional path, without a trailing slash',
  );
  if (env.cloud.kind === 'aws') {
    p.check(AWS_REGION.test(env.cloud.region), 'cloud.region', env.cloud.region, 'must be an AWS region such as "eu-west-1"');
    p.check(/^\d{12}$/.test(env.cloud.accountId), 'cloud.accountId', env.cloud.accountId, 'must be a 12-digit AWS account id');
    p.check(
      /^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|20)$/.test(env.cloud.vpcCidr ?? ''),
      'cloud.vpcCidr',
      env.cloud.vpcCidr,
      'must be an IPv4 CIDR from /16 to /20, such as "10.30.0.0/16"',
    );
    p.check(
      env.cloud.spotPercent >= 0 && env.cloud.spotPercent <= 90,
      'cloud.spotPercent',
      env.cloud.spotPercent,
      'must be between 0 and 90 (critical pods need on-demand nodes)',
    );
    p.check(!env.airGapped, 'airGapped', env.airGapped, "cannot be true with cloud 'aws'; use cloud { kind: 'none' }");
  }
  checkLabels(p, 'costAllocation', costLabels(env.name, env.costAllocation));
  if (env.ingress) checkIngress(p, 'ingress', env.ingress, env.cloud.kind === 'aws');
  checkEdge(p, env);
  const paths = env.services.filter((s) => s.exposure === 'public').map((s) => s.ingressPath ?? '/');
  const dupPath = paths.find((x, i) => paths.indexOf(x) !== i);
  p.check(dupPath === undefined, 'services', dupPath, "gives two public services the same 'ingressPath'; give each its own prefix");
  p.check(env.services.length > 0, 'services', [], 'must list at least one service');
  const names = env.services.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  p.check(dup === undefined, 'services', dup, 'names a service twice');
  checkRetention(p, 'monitoring.retention', env.monitoring.retention);
  p.check(
    !env.airGapped || /^https?:\/\/[^/]+\.svc(\.cluster\.local)?(:\d+)?(\/|$)/.test(env.monitoring.runbookBaseUrl ?? ''),
    'monitoring.runbookBaseUrl',
    env.monitoring.runbookBaseUrl,
    'must be an in-cluster URL (http://<service>.<namespace>.svc/...) in an air-gapped environment',
  );
  for (const s of env.services) {
    p.check(
      (s.repository ?? '').length > 0,
      `services.${s.name}.repository`,
      s.repository,
      'is required: the image repository under the registry, e.g. "web/api"',
    );
    p.check(
      (s.tag ?? '').length > 0,
      `services.${s.name}.tag`,
      s.tag,
      'is required: a released version such as "1.4.2", or a sha256 digest',
    );
    checkSlo(p, `services.${s.name}.slo`, s.slo);
  }
  checkReferences(p, env);
  checkCallGraph(p, callGraphServices(env));
  p.check(
    env.mesh !== 'istio-ambient' || ISTIO_FOR[env.kubernetesVersion] !== undefined,
    'mesh',
    env.mesh,
    `has no Istio release in the catalogue for Kubernetes ${env.kubernetesVersion} (it has one for ${Object.keys(ISTIO_FOR).join(', ')}); use 'none' or one of those versions`,
  );
  p.throwIfAny();
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
