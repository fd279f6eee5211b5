import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ConfigError } from '../constructs/core/errors';
import { KARPENTER_DISCOVERY_TAG } from '../constructs/platform/karpenter-node-pools';
import { costLabels } from '../constructs/core/labels';
import { awsNames } from '../stacks/environment';
import { SynthesizedChart, synthesizeCharts } from '../stacks/synth';
import { BackupStorage } from './backup-storage';
import { podDemands } from '../sizing/node-sizing';
import { PoolBounds } from '../sizing/pool-bounds';
import { Cdn } from './cdn';
import { Cluster } from './cluster';
import { ClusterAddons } from './cluster-addons';
import { Network } from './network';
import { NodePools, nodePoolBounds } from './node-pools';
import { Operators } from './operator-releases';
import { StackSettings } from '../stacks/stack-config';
import { GatewayStatus, Workloads } from './workloads';

/** What `pulumi stack output` shows. */
export interface StackOutputs {
  readonly environment: string;
  readonly mode: StackSettings['mode'];
  readonly charts: string[];
  readonly clusterName?: pulumi.Output<string>;
  readonly kubeconfig?: pulumi.Output<string>;
  readonly nodePoolBounds?: PoolBounds;
  /** For the cluster-autoscaler chart's service account (`eks.amazonaws.com/role-arn`). */
  readonly clusterAutoscalerRoleArn?: pulumi.Output<string>;
  readonly cdnDomainName?: pulumi.Output<string>;
  readonly staticBucket?: pulumi.Output<string>;
  /** Operator releases the stack installed, by name, with chart versions. */
  readonly operators: Record<string, string>;
  /** DNS name of the edge's load balancer, the Gateway's address (the CDN's API origin; point the hosts at it). */
  readonly loadBalancerHostname?: pulumi.Output<string>;
  /** The components, for tests and programs that build on the stack (not stack outputs). */
  readonly components?: { readonly operators: Operators; readonly workloads?: Workloads; readonly cdn?: Cdn };
}

/** The load balancer's DNS name from a Gateway's status (its first address). */
export function gatewayAddress(gateway: { readonly status: pulumi.Output<GatewayStatus | undefined> }): pulumi.Output<string> {
  return gateway.status.apply((s) => s?.addresses?.[0]?.value ?? '');
}

/** The load balancer's DNS name from an Ingress's status. */
export function ingressHostname(ingress: k8s.networking.v1.Ingress): pulumi.Output<string> {
  return ingress.status.apply((s) => {
    const lb = s?.loadBalancer?.ingress?.[0];
    return lb?.hostname ?? lb?.ip ?? '';
  });
}

/**
 * The whole stack. A cloud stack builds network, EKS, node pools, add-ons, backup storage and (where the
 * environment has one) the CDN, then deploys the environment's cdk8s App into the new cluster. An existing-cluster
 * stack deploys only the App, to the current (or named) kubeconfig context.
 */
export function buildStack(settings: StackSettings): StackOutputs {
  const env = settings.environment;
  let charts: SynthesizedChart[];
  try {
    charts = synthesizeCharts(env);
  } catch (e) {
    // A mistake in the Environment: its one-line-per-problem report, without a stack trace.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  if (settings.mode === 'existing-cluster') {
    const provider = new k8s.Provider(env.name, { context: settings.kubeContext, enableServerSideApply: true });
    const operators = new Operators(`${env.name}-operators`, { environment: env, provider, config: settings.operators });
    const workloads = new Workloads(env.name, { environment: env, charts, provider, dependsOn: Object.values(operators.releases) }, {});
    return {
      environment: env.name,
      mode: settings.mode,
      charts: Object.keys(workloads.groups),
      operators: releaseVersions(operators),
      loadBalancerHostname: edgeHostname(workloads),
      components: { operators, workloads },
    };
  }

  const cloud = settings.environment.cloud;
  const names = awsNames(env.name);
  const clusterName = names.cluster;
  // AWS cost-allocation tags: the same team/cost-center labels the Kubernetes objects carry.
  const tags = costLabels(env.name, env.costAllocation);
  const awsProvider = new aws.Provider(env.name, { region: cloud.region as aws.Region, allowedAccountIds: [cloud.accountId] });
  const opts = { providers: { aws: awsProvider } };

  const network = new Network(
    env.name,
    { zones: env.zones, cidr: cloud.vpcCidr, region: cloud.region, clusterName, natGateways: env.production ? 'per-zone' : 'one', tags },
    opts,
  );
  const cluster = new Cluster(
    env.name,
    {
      clusterName,
      version: env.kubernetesVersion,
      region: cloud.region,
      subnetIds: network.privateSubnets.map((s) => s.id),
      publicAccessCidrs: settings.cluster.publicAccessCidrs,
      adminRoleArns: settings.cluster.adminRoleArns,
      deletionProtection: env.production,
      tags,
    },
    opts,
  );
  const objects = charts.flatMap((c) => c.objects as Record<string, unknown>[]);
  const bounds = nodePoolBounds(settings, podDemands(objects));
  const nodePools = new NodePools(
    env.name,
    {
      clusterName: cluster.eks.name,
      version: cluster.eks.version,
      subnetIds: network.nodeSubnetIds,
      onDemand: { instanceTypes: settings.nodePools.onDemand.instanceTypes, bounds: bounds.onDemand },
      // With Karpenter, spot nodes come from its NodePools; the node group keeps system pods and Karpenter itself.
      spot:
        settings.nodePools.spot && bounds.spot && !cloud.karpenter
          ? { instanceTypes: settings.nodePools.spot.instanceTypes, bounds: bounds.spot }
          : undefined,
      roleName: names.nodeRole,
      tags,
    },
    opts,
  );
  const addons = new ClusterAddons(env.name, { cluster, tags }, { ...opts, dependsOn: [nodePools] });
  if (cloud.karpenter) {
    // Karpenter finds the node security group by the discovery tag, as it finds the subnets (tagged by Network).
    new aws.ec2.Tag(
      `${env.name}-karpenter-discovery`,
      { resourceId: cluster.eks.vpcConfig.clusterSecurityGroupId, key: KARPENTER_DISCOVERY_TAG, value: clusterName },
      { parent: cluster },
    );
  }

  const backup = env.dataTier.postgres.backup;
  const postgres = objects.find((o) => o.kind === 'Cluster' && String(o.apiVersion).startsWith('postgresql.cnpg.io/')) as
    { metadata: { name: string; namespace: string } } | undefined;
  if (backup.kind === 's3' && postgres) {
    new BackupStorage(
      `${env.name}-postgres-backup`,
      {
        cluster,
        destinationPath: backup.destinationPath,
        roleArn: backup.iamRoleArn,
        namespace: postgres.metadata.namespace,
        serviceAccount: postgres.metadata.name,
        tags,
      },
      opts,
    );
  }

  // The operators, then the App: one `pulumi up` from nothing to a running platform.
  const provider = new k8s.Provider(env.name, { kubeconfig: cluster.kubeconfig, enableServerSideApply: true }, { dependsOn: [addons] });
  const operators = new Operators(
    `${env.name}-operators`,
    { environment: env, provider, cluster, clusterAutoscalerRoleArn: addons.autoscalerRole.arn, config: settings.operators, tags },
    { dependsOn: [addons] },
  );
  let workloads: Workloads | undefined;
  if (settings.deployWorkloads) {
    workloads = new Workloads(env.name, { environment: env, charts, provider, dependsOn: [addons, ...Object.values(operators.releases)] });
  }
  const loadBalancerHostname = workloads ? edgeHostname(workloads) : undefined;

  let cdn: Cdn | undefined;
  if (settings.cdn && loadBalancerHostname) {
    cdn = new Cdn(
      env.name,
      {
        apiOriginDomain: loadBalancerHostname,
        region: cloud.region,
        bucketName: `perfstack-${env.name}-static-${cloud.accountId}`,
        apiCaching: settings.cdn.apiCaching,
        aliases: settings.cdn.aliases,
        certificateArn: settings.cdn.certificateArn,
        priceClass: settings.cdn.priceClass,
        originShield: settings.cdn.originShield,
        tags,
      },
      opts,
    );
  } else if (settings.cdn) {
    void pulumi.log.warn(
      `${env.name}: the CDN waits for the edge's load balancer (the Gateway's address), its API origin; deployWorkloads is false, so it is not built`,
    );
  }
  return {
    environment: env.name,
    mode: settings.mode,
    charts: Object.keys(workloads?.groups ?? {}),
    clusterName: cluster.eks.name,
    // Not secret: it authenticates through `aws eks get-token` and holds no credential.
    kubeconfig: cluster.kubeconfig,
    nodePoolBounds: bounds,
    clusterAutoscalerRoleArn: addons.autoscalerRole.arn,
    cdnDomainName: cdn?.distribution.domainName,
    staticBucket: cdn?.bucket.id,
    operators: releaseVersions(operators),
    loadBalancerHostname,
    components: { operators, workloads, cdn },
  };
}

function releaseVersions(operators: Operators): Record<string, string> {
  return { ...operators.chartVersions } as Record<string, string>;
}

/** The edge's address: the Gateway's, or the opt-in Ingress's. */
function edgeHostname(workloads: Workloads): pulumi.Output<string> | undefined {
  const gateway = Object.values(workloads.gateways)[0];
  if (gateway) return gatewayAddress(gateway);
  const ingress = Object.values(workloads.ingresses)[0];
  return ingress ? ingressHostname(ingress) : undefined;
}
