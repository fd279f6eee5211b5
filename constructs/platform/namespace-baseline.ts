import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { KubernetesVersion, OLDEST_KUBERNETES_VERSION } from '../core/kubernetes-version';
import { isDnsLabel } from '../core/labels';
import { DeclaredContext, contextAnnotations } from '../../manifests/context';

export interface NamespaceBaselineProps {
  readonly name: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Where the objects go, written as `perfstack.io/*` annotations on the Namespace so that a reader of the YAML
   * (the policy CLI, the CrossGuard pack) applies the right rules without knowing the environment.
   * @default - no context annotations
   */
  readonly context?: DeclaredContext;
  /**
   * Let the AWS Load Balancer Controller inject its pod readiness gate, so a rollout waits until the new pods are
   * healthy in the load balancer's target group.
   * @default false
   */
  readonly awsLoadBalancerReadinessGates?: boolean;
  /**
   * Kubernetes minor of the cluster: Pod Security `restricted` is enforced as that version defines it (checks added
   * by later minors apply as the cluster is upgraded and this value follows).
   * @default '1.28'
   */
  readonly kubernetesVersion?: KubernetesVersion;
  /**
   * Enrol every pod of the namespace in Istio's ambient mesh (ztunnel: mTLS at L4, no sidecar) and admit what
   * ambient needs through the default-deny policy: HBONE (TCP 15008) from the namespace's pods and waypoint, and the
   * kubelet's probes, which ambient source-NATs to 169.254.7.127.
   * @see https://istio.io/latest/docs/ambient/usage/networkpolicy/
   * @default false
   */
  readonly ambientMesh?: boolean;
}

/** The address ambient mode gives the kubelet's health probes. */
export const AMBIENT_PROBE_SOURCE = '169.254.7.127/32';

/**
 * A namespace that is safe before anything lands in it: Pod Security `restricted` enforced, all traffic denied by
 * default, then DNS and traffic between the namespace's own pods allowed. Workloads open their own ingress.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export class NamespaceBaseline extends Construct {
  public readonly namespace: k8s.KubeNamespace;
  public readonly defaultDeny: k8s.KubeNetworkPolicy;
  public readonly allowDns: k8s.KubeNetworkPolicy;
  public readonly allowSameNamespace: k8s.KubeNetworkPolicy;
  /** Present when the namespace is enrolled in the ambient mesh. */
  public readonly allowAmbient?: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: NamespaceBaselineProps) {
    super(scope, id);
    Problems.of(this).check(isDnsLabel(props.name), 'name', props.name, 'must be a DNS label').throwIfAny();
    const labels = { ...(props.labels ?? {}) };
    this.namespace = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: props.name,
        ...(props.context ? { annotations: contextAnnotations(props.context) } : {}),
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': `v${props.kubernetesVersion ?? OLDEST_KUBERNETES_VERSION}`,
          ...(props.awsLoadBalancerReadinessGates ? { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } : {}),
          ...(props.ambientMesh ? { 'istio.io/dataplane-mode': 'ambient' } : {}),
        },
      },
    });
    const meta = (name: string) => ({ name, namespace: props.name, labels });
    this.defaultDeny = new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: meta('default-deny-all'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    this.allowDns = new k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: meta('allow-dns-egress'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' },
              { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' },
            ],
          },
        ],
      },
    });
    // Egress only: each workload's own policy decides who may connect to it.
    this.allowSameNamespace = new k8s.KubeNetworkPolicy(this, 'AllowSameNamespace', {
      metadata: meta('allow-same-namespace-egress'),
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] },
    });
    if (props.ambientMesh) {
      this.allowAmbient = new k8s.KubeNetworkPolicy(this, 'AllowAmbient', {
        metadata: meta('allow-ambient-ingress'),
        spec: {
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [
            { from: [{ podSelector: {} }], ports: [{ port: k8s.IntOrString.fromNumber(15008), protocol: 'TCP' }] },
            { from: [{ ipBlock: { cidr: AMBIENT_PROBE_SOURCE } }] },
          ],
        },
      });
    }
  }
}
