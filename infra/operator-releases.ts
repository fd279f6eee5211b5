import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { Environment } from '../stacks/environment';
import {
  GATEWAY_API_CRDS,
  OperatorName,
  ResolvedOperator,
  needsGatewayApiCrds,
  operatorValues,
  resolveOperators,
} from '../stacks/operator-catalogue';
import { Cluster } from './cluster';
import { CONFIG_NAMESPACE, OperatorConfig } from '../stacks/stack-config';

/**
 * What the AWS Load Balancer Controller needs, reduced from the upstream policy: read the VPC, certificates and
 * load balancers; create load balancers, target groups and security groups only with its cluster tag, and change
 * or delete only the ones carrying it.
 * @see https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/main/docs/install/iam_policy.json
 */
export function loadBalancerControllerPolicy(clusterName: string): string {
  const tagged = { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } };
  const tagging = { Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['iam:CreateServiceLinkedRole'],
        Resource: '*',
        Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
      },
      {
        Effect: 'Allow',
        Action: [
          'ec2:DescribeAccountAttributes',
          'ec2:DescribeAddresses',
          'ec2:DescribeAvailabilityZones',
          'ec2:DescribeInternetGateways',
          'ec2:DescribeVpcs',
          'ec2:DescribeVpcPeeringConnections',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeInstances',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeTags',
          'ec2:GetCoipPoolUsage',
          'ec2:DescribeCoipPools',
          'ec2:GetSecurityGroupsForVpc',
          'elasticloadbalancing:Describe*',
          'acm:ListCertificates',
          'acm:DescribeCertificate',
          'wafv2:GetWebACL',
          'wafv2:GetWebACLForResource',
          'shield:GetSubscriptionState',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
        Resource: '*',
        Condition: { StringEquals: { [`aws:ResourceTag/elbv2.k8s.aws/cluster`]: clusterName } },
      },
      { Effect: 'Allow', Action: ['ec2:CreateSecurityGroup'], Resource: '*', Condition: tagging },
      {
        Effect: 'Allow',
        Action: ['ec2:CreateTags'],
        Resource: 'arn:aws:ec2:*:*:security-group/*',
        Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' }, ...tagging },
      },
      {
        Effect: 'Allow',
        Action: ['ec2:CreateTags', 'ec2:DeleteTags', 'ec2:DeleteSecurityGroup'],
        Resource: '*',
        Condition: { StringEquals: { [`aws:ResourceTag/elbv2.k8s.aws/cluster`]: clusterName } },
      },
      {
        Effect: 'Allow',
        Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:AddTags'],
        Resource: '*',
        Condition: tagging,
      },
      {
        Effect: 'Allow',
        Action: [
          'elasticloadbalancing:CreateListener',
          'elasticloadbalancing:DeleteListener',
          'elasticloadbalancing:CreateRule',
          'elasticloadbalancing:DeleteRule',
          'elasticloadbalancing:ModifyListener',
          'elasticloadbalancing:ModifyRule',
          'elasticloadbalancing:AddListenerCertificates',
          'elasticloadbalancing:RemoveListenerCertificates',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: [
          'elasticloadbalancing:ModifyLoadBalancerAttributes',
          'elasticloadbalancing:SetIpAddressType',
          'elasticloadbalancing:SetSecurityGroups',
          'elasticloadbalancing:SetSubnets',
          'elasticloadbalancing:DeleteLoadBalancer',
          'elasticloadbalancing:ModifyTargetGroup',
          'elasticloadbalancing:ModifyTargetGroupAttributes',
          'elasticloadbalancing:DeleteTargetGroup',
          'elasticloadbalancing:RegisterTargets',
          'elasticloadbalancing:DeregisterTargets',
          'elasticloadbalancing:RemoveTags',
          'elasticloadbalancing:SetWebAcl',
        ],
        Resource: '*',
        Condition: tagged,
      },
    ],
  });
}

/**
 * What external-dns needs for one Route 53 zone: change records there, list zones and records to find its own.
 * @see https://kubernetes-sigs.github.io/external-dns/latest/docs/tutorials/aws/#iam-policy
 */
export function externalDnsPolicy(hostedZoneId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['route53:ChangeResourceRecordSets'], Resource: [`arn:aws:route53:::hostedzone/${hostedZoneId}`] },
      {
        Effect: 'Allow',
        Action: ['route53:ListHostedZones', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
        Resource: '*',
      },
    ],
  });
}

export interface OperatorsArgs {
  readonly environment: Environment;
  /** Provider of the target cluster. */
  readonly provider: k8s.Provider;
  /** The EKS cluster, where the stack built one: IRSA roles are made for the operators that call AWS. @default - none */
  readonly cluster?: Cluster;
  /** Role the cluster autoscaler's service account assumes (made with the node pools' add-ons). @default - none */
  readonly clusterAutoscalerRoleArn?: pulumi.Input<string>;
  /** The stack's `perfstack:operators` settings. @default - every operator managed, at its pin */
  readonly config?: Readonly<Partial<Record<OperatorName, OperatorConfig>>>;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/** The operators a stack installs: the environment's, less those the config leaves to the site. */
export function managedOperators(env: Environment, config: OperatorsArgs['config'] = {}): ResolvedOperator[] {
  return (
    resolveOperators(env)
      // Air-gapped sites install from operators.releases.yaml with their mirrored charts; Karpenter needs its role and
      // interruption queue, which the platform team owns.
      .filter((op) => config[op.name]?.managed ?? (!env.airGapped && op.name !== 'karpenter'))
      .map((op) =>
        config[op.name]?.chartVersion
          ? { ...op, chartVersion: config[op.name]!.chartVersion, source: `${CONFIG_NAMESPACE}:operators.${op.name}.chartVersion` }
          : op,
      )
  );
}

/** Releases that read Gateway API objects, so wait for the standard CRDs. */
const READS_GATEWAY_API: readonly OperatorName[] = ['istio-base', 'aws-load-balancer-controller', 'envoy-gateway', 'cert-manager'];

/**
 * The operators of an environment as Helm releases at their pinned chart versions, each after the releases it
 * depends on (cert-manager before the webhooks it certifies, Prometheus before the adapter). A release waits until
 * its workloads are ready, so CRDs are established when the App's custom resources are applied after them. The
 * AWS Load Balancer Controller, cluster autoscaler and external-dns get least-privilege IRSA roles.
 */
export class Operators extends pulumi.ComponentResource {
  /** Releases by operator name. */
  public readonly releases: Readonly<Partial<Record<OperatorName, k8s.helm.v3.Release>>>;
  public readonly roles: Readonly<Partial<Record<OperatorName, aws.iam.Role>>>;
  /** The releases each release waits for, by operator name. */
  public readonly order: Readonly<Partial<Record<OperatorName, readonly OperatorName[]>>>;
  /** Chart version of each release, by operator name. */
  public readonly chartVersions: Readonly<Partial<Record<OperatorName, string>>>;
  /** Gateway API's standard CRDs, where the mesh or the edge needs them. */
  public readonly gatewayApiCrds?: k8s.yaml.v2.ConfigFile;

  constructor(name: string, args: OperatorsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('perfstack:k8s:Operators', name, {}, opts);
    const env = args.environment;
    const roles: Partial<Record<OperatorName, aws.iam.Role>> = {};
    const roleArns: Partial<Record<OperatorName, pulumi.Input<string>>> = {};
    const ops = managedOperators(env, args.config);
    const has = (n: OperatorName) => ops.some((o) => o.name === n);
    if (args.cluster) {
      const role = (op: OperatorName, policy: string) => {
        const r = args.cluster!.serviceAccountRole(
          `${name}-${op}`,
          {
            namespace: ops.find((o) => o.name === op)!.namespace,
            serviceAccount: ops.find((o) => o.name === op)!.serviceAccount!,
            tags: args.tags,
          },
          this,
        );
        new aws.iam.RolePolicy(`${name}-${op}`, { role: r.name, policy }, { parent: this });
        roles[op] = r;
        roleArns[op] = r.arn;
      };
      if (has('aws-load-balancer-controller')) role('aws-load-balancer-controller', loadBalancerControllerPolicy(args.cluster.clusterName));
      if (has('external-dns') && env.ingress?.dns) role('external-dns', externalDnsPolicy(env.ingress.dns.hostedZoneId));
    }
    if (args.clusterAutoscalerRoleArn) roleArns['cluster-autoscaler'] = args.clusterAutoscalerRoleArn;

    // Gateway API's standard CRDs come from the release's manifest, before what reads them: the mesh, the edge's
    // controller, and cert-manager's gateway-shim (which watches Gateways only if their CRDs exist when it starts).
    this.gatewayApiCrds = needsGatewayApiCrds(env)
      ? new k8s.yaml.v2.ConfigFile(`${name}-gateway-api-crds`, { file: GATEWAY_API_CRDS.url }, { parent: this, provider: args.provider })
      : undefined;
    const releases: Partial<Record<OperatorName, k8s.helm.v3.Release>> = {};
    const chartVersions: Partial<Record<OperatorName, string>> = {};
    const order: Partial<Record<OperatorName, OperatorName[]>> = {};
    for (const op of ops) {
      if (!op.chartVersion) {
        void pulumi.log.warn(
          `${op.name} ${op.appVersion}: no chart version is pinned for this app version, so the stack does not install it; ` +
            `set ${CONFIG_NAMESPACE}:operators.${op.name}.chartVersion, or ${CONFIG_NAMESPACE}:operators.${op.name}.managed false where the site runs it`,
          this,
        );
        continue;
      }
      chartVersions[op.name] = op.chartVersion;
      order[op.name] = op.dependsOn.filter((d) => releases[d] !== undefined);
      const oci = op.repository.startsWith('oci://');
      const values = pulumi
        .output(roleArns[op.name])
        .apply((roleArn) => operatorValues(op, env, { roleArn, clusterName: args.cluster?.clusterName }));
      releases[op.name] = new k8s.helm.v3.Release(
        `${name}-${op.name}`,
        {
          name: op.name,
          chart: oci ? `${op.repository}/${op.chart}` : op.chart,
          version: op.chartVersion,
          repositoryOpts: oci ? undefined : { repo: op.repository },
          namespace: op.namespace,
          createNamespace: true,
          values,
          // Wait for the operator's pods (and so its CRDs and webhooks); roll back a failed install or upgrade.
          atomic: true,
          timeout: 900,
          cleanupOnFail: true,
        },
        {
          parent: this,
          provider: args.provider,
          dependsOn: [
            ...op.dependsOn.map((d) => releases[d]).filter((r): r is k8s.helm.v3.Release => r !== undefined),
            ...(roles[op.name] ? [roles[op.name]!] : []),
            ...(this.gatewayApiCrds && READS_GATEWAY_API.includes(op.name) ? [this.gatewayApiCrds] : []),
          ],
        },
      );
    }
    this.releases = releases;
    this.roles = roles;
    this.chartVersions = chartVersions;
    this.order = order;
    this.registerOutputs({ releases: chartVersions });
  }
}
