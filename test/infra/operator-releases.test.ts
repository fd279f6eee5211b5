import * as pulumi from '@pulumi/pulumi';
import { StackOutputs, buildStack } from '../../infra/program';
import { externalDnsPolicy, loadBalancerControllerPolicy } from '../../infra/operator-releases';
import { CloudStackSettings, readStackSettings } from '../../stacks/stack-config';
import { resolveOperators } from '../../stacks/operator-catalogue';
import { Recorded, recordStack, stackConfigValues } from '../support/pulumi-mocks';

/** prod's stack settings (prod runs a Kubernetes version EKS supports), with config overrides. */
function prodSettings(extra: Record<string, unknown> = {}): CloudStackSettings {
  return readStackSettings({ ...stackConfigValues('prod'), ...extra }, 'prod') as CloudStackSettings;
}

let recorded: Recorded[];
let outputs: StackOutputs;
let optedOut: Recorded[];

beforeAll(async () => {
  jest.spyOn(pulumi.log, 'warn').mockImplementation(async () => undefined);
  recorded = await recordStack('prod', () => (outputs = buildStack(prodSettings())));
  optedOut = await recordStack('prod', () =>
    buildStack(prodSettings({ operators: { keda: { managed: false }, 'cloudnative-pg': { chartVersion: '0.28.3' } } })),
  );
});

/** The `key: reason` lines of a config error. */
function problems(read: () => unknown): string[] {
  try {
    read();
    return [];
  } catch (e) {
    if (pulumi.InputPropertiesError.isInstance(e)) return e.errors.map((i) => `${i.propertyPath}: ${i.reason}`);
    if (pulumi.InputPropertyError.isInstance(e)) return [`${e.propertyPath}: ${e.reason}`];
    throw e;
  }
}

const releases = (rs: Recorded[]) => rs.filter((r) => r.type === 'kubernetes:helm.sh/v3:Release');
const resolve = <T>(o: pulumi.Output<T>) => new Promise<T>((ok) => o.apply((v) => ok(v)));

describe('a cloud stack at Kubernetes 1.36', () => {
  it('runs EKS at 1.36', () => {
    expect(recorded.find((r) => r.type === 'aws:eks/cluster:Cluster')!.inputs.version).toBe('1.36');
  });

  it('installs one Helm release per operator at its pinned chart version, from its chart repository', () => {
    const expected = resolveOperators(prodSettings().environment);
    const byName = Object.fromEntries(releases(recorded).map((r) => [r.inputs.name, r.inputs]));
    expect(Object.keys(byName).sort()).toEqual(expected.map((o) => o.name).sort());
    for (const op of expected) {
      expect(byName[op.name]).toMatchObject({ chart: op.chart, version: op.chartVersion, namespace: op.namespace, atomic: true });
      expect(byName[op.name].repositoryOpts.repo).toBe(op.repository);
    }
    expect(outputs.operators['aws-load-balancer-controller']).toBe('3.5.0');
  });

  it("applies Gateway API's CRDs before the mesh's first chart", () => {
    const crds = recorded.find((r) => r.type === 'kubernetes:yaml/v2:ConfigFile')!;
    expect(crds.inputs.file).toBe('https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml');
    expect(releases(recorded).map((r) => r.inputs.name)).toEqual(expect.arrayContaining(['istio-base', 'istiod', 'istio-cni', 'ztunnel']));
  });

  it('installs the ingress controller with an IRSA role that may only touch load balancers tagged for its cluster', () => {
    const lbc = releases(recorded).find((r) => r.inputs.name === 'aws-load-balancer-controller')!;
    expect(lbc.inputs.values.clusterName).toBe('perfstack-prod');
    const roleArn = lbc.inputs.values.serviceAccount.annotations['eks.amazonaws.com/role-arn'];
    expect(roleArn).toMatch(/^arn:/);
    const policy = JSON.parse(loadBalancerControllerPolicy('perfstack-prod'));
    const deletes = policy.Statement.find((s: { Action: string[] }) => s.Action.includes('elasticloadbalancing:DeleteLoadBalancer'));
    expect(deletes.Condition).toEqual({ Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } });
    const trust = recorded.filter((r) => r.type === 'aws:iam/role:Role').map((r) => r.inputs.assumeRolePolicy as string);
    expect(trust.some((t) => t.includes('system:serviceaccount:kube-system:aws-load-balancer-controller'))).toBe(true);
  });

  it('lets external-dns change records in the environment zone only', () => {
    const policy = JSON.parse(externalDnsPolicy('Z05PERFSTACKPROD'));
    expect(policy.Statement[0]).toEqual({
      Effect: 'Allow',
      Action: ['route53:ChangeResourceRecordSets'],
      Resource: ['arn:aws:route53:::hostedzone/Z05PERFSTACKPROD'],
    });
    const dns = releases(recorded).find((r) => r.inputs.name === 'external-dns')!;
    expect(dns.inputs.values.extraArgs).toEqual(['--zone-id-filter=Z05PERFSTACKPROD']);
  });

  it('installs cert-manager before the operators whose webhooks it certifies', () => {
    const order = outputs.components!.operators.order;
    expect(order.keda).toContain('cert-manager');
    expect(order['vertical-pod-autoscaler']).toContain('cert-manager');
    expect(order['prometheus-adapter']).toContain('kube-prometheus-stack');
  });

  it('applies the App only after every operator release (CRDs established before custom resources)', () => {
    const { operators, workloads } = outputs.components!;
    const releaseSet = new Set(Object.values(operators.releases));
    expect(workloads!.waitsFor.filter((r) => releaseSet.has(r as never))).toHaveLength(releaseSet.size);
    expect(releaseSet.size).toBe(resolveOperators(prodSettings().environment).length);
  });

  it("points CloudFront's API origin at the edge Gateway's address (its load balancer), an output of the stack", async () => {
    const hostname = await resolve(outputs.loadBalancerHostname!);
    expect(hostname).toMatch(/\.elb\.amazonaws\.com$/);
    const distribution = recorded.find((r) => r.type === 'aws:cloudfront/distribution:Distribution')!;
    expect(distribution.inputs.origins.find((o: { originId: string }) => o.originId === 'api').domainName).toBe(hostname);
  });
});

describe('operator opt-outs', () => {
  it('skips an operator the site runs and installs a chart version the config names', () => {
    const names = releases(optedOut).map((r) => r.inputs.name);
    expect(names).not.toContain('keda');
    expect(releases(optedOut).find((r) => r.inputs.name === 'cloudnative-pg')!.inputs.version).toBe('0.28.3');
  });

  it('rejects an unknown operator and a non-boolean managed, naming the key', () => {
    expect(
      problems(() => readStackSettings({ ...stackConfigValues('prod'), operators: { kedah: {}, keda: { managed: 'no' } } }, 'prod')),
    ).toEqual([
      expect.stringMatching(/^perfstack:operators.kedah: \(\{\}\) is not a field of 'operators'; known: .*\bkeda\b/),
      'perfstack:operators.keda.managed: ("no") must be true or false',
    ]);
  });

  it("takes the load balancer's certificate from config when the stack names one", () => {
    const arn = 'arn:aws:acm:eu-west-1:333333333333:certificate/11111111-2222-4333-8444-555555555555';
    const settings = readStackSettings({ ...stackConfigValues('prod'), ingress: { certificateArn: arn } }, 'prod');
    expect(settings.environment.ingress!.tls).toEqual({ kind: 'acm', certificateArn: arn });
    expect(
      problems(() =>
        readStackSettings({ ...stackConfigValues('prod'), ingress: { certificateArn: arn.replace('eu-west-1', 'us-east-1') } }, 'prod'),
      ),
    ).toEqual([
      expect.stringMatching(
        /^perfstack:ingress.certificateArn: \("arn:aws:acm:us-east-1:[^"]+"\) must be an ACM certificate ARN in eu-west-1/,
      ),
    ]);
  });

  it('no longer takes the API origin from config', () => {
    const cdn = { ...(stackConfigValues('prod').cdn as object), apiOriginDomain: 'x.example.com' };
    expect(problems(() => readStackSettings({ ...stackConfigValues('prod'), cdn }, 'prod'))).toEqual([
      expect.stringMatching(
        /^perfstack:cdn.apiOriginDomain: \("x.example.com"\) is no longer read: the API origin is the load balancer of the Ingress/,
      ),
    ]);
  });
});
