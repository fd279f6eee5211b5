import { declaredContext } from '../../manifests/context';
import { evaluate } from '../engine';
import { KubeObject, PolicyContext } from '../types';

/**
 * A Kubernetes object from a Pulumi resource: `kubernetes:apps/v1:Deployment` with its inputs becomes
 * `{ apiVersion: 'apps/v1', kind: 'Deployment', ... }`. Undefined for non-Kubernetes resources and components.
 */
export function kubeObjectOf(type: string, props: Record<string, unknown>): KubeObject | undefined {
  const m = /^kubernetes:([^:]+):([A-Za-z]+)$/.exec(type);
  if (!m || m[1].startsWith('yaml') || m[1].startsWith('helm')) return undefined;
  const [group, version] = m[1].split('/');
  const apiVersion = group === 'core' ? version : `${group}/${version}`;
  const object = { apiVersion, kind: m[2], ...props } as KubeObject;
  return object.metadata?.name ? object : undefined;
}

/** Runs the same rules as the `policy` CLI over the stack's Kubernetes resources; one message per live finding. */
export function kubernetesViolations(
  resources: readonly { type: string; props: Record<string, unknown>; urn: string }[],
  context: Omit<PolicyContext, 'objects'>,
): { message: string; urn: string }[] {
  const items = resources.flatMap((r) => {
    // CRDs come with the operators; the stack only reads them (infra/workloads.ts) to order its deployment.
    if (r.type === 'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition') return [];
    const object = kubeObjectOf(r.type, r.props);
    return object ? [{ object, urn: r.urn }] : [];
  });
  const report = evaluate(
    items.map((i) => ({ object: i.object })),
    context,
  );
  return report.findings
    .filter((f) => !f.exemptReason && f.severity === 'error')
    .map((f) => ({
      message: `[${f.rule}] ${f.object.kind}/${f.object.name}: ${f.message}`,
      urn:
        items.find(
          (i) =>
            i.object.kind === f.object.kind &&
            i.object.metadata.name === f.object.name &&
            i.object.metadata.namespace === f.object.namespace,
        )?.urn ?? '',
    }));
}

/** Context the pack's configuration may set; what it leaves unset comes from the stack's environment. */
export interface KubernetesPackConfig {
  readonly zones?: number;
  readonly production?: boolean;
  readonly registry?: string;
}

/**
 * The rules' context for a stack: the pack configuration where it is set, else what the stack's Namespace declares
 * in its `perfstack.io/*` annotations (written by the stacks from the Environment), so `pulumi preview` of prod
 * applies production rules without a per-stack pack configuration that would repeat the Environment's values.
 * Without either, 3 zones and not production.
 */
export function packContext(objects: readonly (KubeObject | undefined)[], config: KubernetesPackConfig): Omit<PolicyContext, 'objects'> {
  const declared = declaredContext(objects).context;
  return {
    zones: config.zones ?? declared.zones ?? 3,
    production: config.production ?? declared.production ?? false,
    registry: config.registry ?? declared.registry,
  };
}
