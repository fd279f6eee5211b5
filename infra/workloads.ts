import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { Environment } from '../stacks/environment';
import { GATEWAY_CLASSES } from '../constructs/traffic/edge-gateway';
import { SynthesizedChart, synthesizeCharts } from '../stacks/synth';

/** API groups that ship with Kubernetes: objects in them need no CRD. Groups without a dot (apps, batch, ...) are built in too. */
const BUILT_IN_GROUPS = new Set([
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

/** Kinds whose plural is not the kind plus `s`/`es`. */
const IRREGULAR_PLURALS: Readonly<Record<string, string>> = {
  NetworkChaos: 'networkchaos',
  PodChaos: 'podchaos',
  IngressClassParams: 'ingressclassparams',
};

/** The CRD that defines `kind` in `apiVersion` (`scaledobjects.keda.sh`), or undefined for a built-in kind. */
export function crdNameOf(apiVersion: string, kind: string): string | undefined {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  if (!group.includes('.') || BUILT_IN_GROUPS.has(group)) return undefined;
  const lower = kind.toLowerCase();
  // The English rules the CRD generators apply: policy -> policies, class -> classes, route -> routes.
  const plural =
    IRREGULAR_PLURALS[kind] ??
    (/[^aeiou]y$/.test(lower) ? `${lower.slice(0, -1)}ies` : /(s|x|z|ch|sh)$/.test(lower) ? `${lower}es` : `${lower}s`);
  return `${plural}.${group}`;
}

/** The CRDs a set of objects needs, sorted. */
export function requiredCrds(objects: readonly Record<string, unknown>[]): string[] {
  const names = objects.map((o) => crdNameOf(String(o.apiVersion), String(o.kind))).filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

/** What the edge's controller reports on a Gateway: the load balancer's DNS name or IP. */
export interface GatewayStatus {
  readonly addresses?: readonly { readonly type?: string; readonly value: string }[];
}

const EDGE_CLASSES = new Set(Object.values(GATEWAY_CLASSES).map((c) => c.name));

/** A Gateway of the edge (an edge GatewayClass), not the mesh's waypoint. */
export function isEdgeGateway(o: Record<string, unknown>): boolean {
  return (
    o.kind === 'Gateway' &&
    o.apiVersion === 'gateway.networking.k8s.io/v1' &&
    EDGE_CLASSES.has(String((o.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName))
  );
}

export interface WorkloadsArgs {
  /** The environment whose cdk8s App is deployed. */
  readonly environment: Environment;
  /** The environment's synthesized charts, when the caller has them already. @default synthesizeCharts(environment) */
  readonly charts?: readonly SynthesizedChart[];
  /**
   * Provider of the target cluster.
   * @default - the ambient provider (current kubeconfig context)
   */
  readonly provider?: k8s.Provider;
  /**
   * What must exist before anything is read or applied: the operator releases (their CRDs established).
   * @default - nothing
   */
  readonly dependsOn?: readonly pulumi.Resource[];
}

/**
 * Deploys an environment's cdk8s App: the same objects `npm run synth` writes to dist/<env>/, built in memory from
 * the same Environment value. One ConfigGroup per chart; each depth of the chart graph waits for the one before,
 * so namespaces and PriorityClasses exist before the workloads that name them. The CRDs of the custom resources
 * (from the operators, installed beforehand) are read first: a missing operator fails `pulumi preview` with the
 * CRD's name instead of leaving a half-applied deployment.
 */
export class Workloads extends pulumi.ComponentResource {
  /** ConfigGroups by chart name (`platform`, `api-gateway`, ...). */
  public readonly groups: Readonly<Record<string, k8s.yaml.v2.ConfigGroup>>;
  /** The CRDs the App's custom resources need, read from the cluster before anything is applied. */
  public readonly crds: Readonly<Record<string, k8s.apiextensions.v1.CustomResourceDefinition>>;
  /**
   * The Ingresses, as typed resources so their status (the load balancer's DNS name) is an output; `pulumi up`
   * waits until the controller has given each one an address.
   */
  public readonly ingresses: Readonly<Record<string, k8s.networking.v1.Ingress>>;
  /**
   * The edge's Gateways (not the mesh's waypoint), as typed resources so their status (the load balancer's address)
   * is an output; `pulumi up` waits until the controller has given each one an address.
   */
  public readonly gateways: Readonly<
    Record<string, k8s.apiextensions.CustomResource & { readonly status: pulumi.Output<GatewayStatus | undefined> }>
  >;
  /** What every read and object of the App waits for (`args.dependsOn`). */
  public readonly waitsFor: readonly pulumi.Resource[];

  constructor(name: string, args: WorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('perfstack:k8s:Workloads', name, {}, opts);
    const charts = args.charts ?? synthesizeCharts(args.environment);
    const before = [...(args.dependsOn ?? [])];
    this.waitsFor = before;
    const crds: Record<string, k8s.apiextensions.v1.CustomResourceDefinition> = {};
    for (const crd of requiredCrds(charts.flatMap((c) => c.objects))) {
      crds[crd] = k8s.apiextensions.v1.CustomResourceDefinition.get(`${name}-crd-${crd}`, crd, {
        parent: this,
        provider: args.provider,
        dependsOn: before,
      });
    }
    const groups: Record<string, k8s.yaml.v2.ConfigGroup> = {};
    const ingresses: Record<string, k8s.networking.v1.Ingress> = {};
    const byDepth: k8s.yaml.v2.ConfigGroup[][] = [];
    const gateways: Record<string, k8s.apiextensions.CustomResource & { readonly status: pulumi.Output<GatewayStatus | undefined> }> = {};
    const isIngress = (o: Record<string, unknown>) => o.kind === 'Ingress' && o.apiVersion === 'networking.k8s.io/v1';
    const isTyped = (o: Record<string, unknown>) => isIngress(o) || isEdgeGateway(o);
    for (const chart of charts) {
      const needs = requiredCrds(chart.objects).map((crd) => crds[crd]);
      const after = [...before, ...(chart.depth > 0 ? byDepth[chart.depth - 1] : []), ...needs];
      const group = new k8s.yaml.v2.ConfigGroup(
        `${name}-${chart.chart}`,
        { objs: chart.objects.filter((o) => !isTyped(o)) as pulumi.Input<pulumi.Input<Record<string, unknown>>[]> as never },
        { parent: this, provider: args.provider, dependsOn: after },
      );
      for (const o of chart.objects.filter(isIngress)) {
        const meta = o.metadata as { name: string; namespace: string };
        ingresses[`${meta.namespace}/${meta.name}`] = new k8s.networking.v1.Ingress(
          `${name}-${chart.chart}-${meta.name}`,
          o as k8s.networking.v1.IngressArgs,
          { parent: this, provider: args.provider, dependsOn: [...after, group] },
        );
      }
      for (const o of chart.objects.filter(isEdgeGateway)) {
        const meta = o.metadata as { name: string; namespace: string; annotations?: Record<string, string> };
        gateways[`${meta.namespace}/${meta.name}`] = new k8s.apiextensions.CustomResource(
          `${name}-${chart.chart}-${meta.name}`,
          {
            ...o,
            // Wait for the address (Pulumi's generic await knows no Gateway condition); `status` makes it an output.
            metadata: {
              ...meta,
              annotations: { ...(meta.annotations ?? {}), 'pulumi.com/waitFor': 'jsonpath={.status.addresses[0].value}' },
            },
            status: undefined,
          } as unknown as k8s.apiextensions.CustomResourceArgs,
          { parent: this, provider: args.provider, dependsOn: [...after, group] },
        ) as k8s.apiextensions.CustomResource & { readonly status: pulumi.Output<GatewayStatus | undefined> };
      }
      (byDepth[chart.depth] ??= []).push(group);
      groups[chart.chart] = group;
    }
    this.groups = groups;
    this.crds = crds;
    this.ingresses = ingresses;
    this.gateways = gateways;
    this.registerOutputs({ charts: Object.keys(groups), crds: Object.keys(crds) });
  }
}
