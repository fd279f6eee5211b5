import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { ApiServerAccess, apiServerEgress, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import {
  KnownServices,
  PolicyRule,
  RemediationPolicy,
  RemediationPolicyInput,
  checkRemediationPolicy,
  policyRoleRules,
  resolveRemediationPolicy,
} from './remediation-policy';

export interface RemediationRunnerProps {
  readonly namespace: string;
  readonly policy: RemediationPolicyInput;
  /** The environment's services and their replica bounds: what the policy may name. */
  readonly services: KnownServices;
  /** The runner's image (remediation/ bundled onto a Node.js base; see docs/operations.md). */
  readonly image: string;
  /** Where escalations are posted, e.g. `http://alertmanager-operated.monitoring.svc:9093`. */
  readonly alertmanagerUrl: string;
  readonly monitoringNamespace: string;
  readonly apiServer: ApiServerAccess;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Port of the runner's webhook (`/alerts`) and metrics (`/metrics`). */
export const REMEDIATION_PORT = 8080;
const NAME = 'remediation-runner';

/**
 * The remediation runner: one replica (its limits live in its memory), its policy in a ConfigMap, a Role that names
 * exactly the objects the policy acts on, and a NetworkPolicy that lets only Alertmanager call it and lets it reach
 * only the API server and Alertmanager.
 */
export class RemediationRunner extends Construct {
  public readonly policy: RemediationPolicy;
  public readonly roleRules: readonly PolicyRule[];
  public readonly role: k8s.KubeRole;
  public readonly deployment: k8s.KubeDeployment;
  /** The webhook URL for Alertmanager's receiver. */
  public readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: RemediationRunnerProps) {
    super(scope, id);
    const problems = Problems.of(this);
    checkRemediationPolicy(problems, 'policy', props.policy, props.services);
    problems.throwIfAny();
    this.policy = resolveRemediationPolicy(props.namespace, props.policy, props.services);
    this.roleRules = policyRoleRules(this.policy);
    const labels = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'remediation', ...(props.labels ?? {}) };
    const meta = { name: NAME, namespace: props.namespace, labels };
    const selector = { 'app.kubernetes.io/name': NAME };
    this.webhookUrl = `http://${NAME}.${props.namespace}.svc:${REMEDIATION_PORT}/alerts`;

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta, automountServiceAccountToken: false });
    this.role = new k8s.KubeRole(this, 'Role', {
      metadata: meta,
      rules: this.roleRules.map((r) => ({
        apiGroups: [...r.apiGroups],
        resources: [...r.resources],
        verbs: [...r.verbs],
        ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}),
      })),
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: props.namespace }],
    });
    new k8s.KubeConfigMap(this, 'Policy', { metadata: meta, data: { 'policy.json': `${JSON.stringify(this.policy, null, 2)}\n` } });
    const port = k8s.IntOrString.fromNumber(REMEDIATION_PORT);
    new k8s.KubeService(this, 'Service', {
      metadata: meta,
      spec: { selector, ports: [{ name: 'http', port: REMEDIATION_PORT, targetPort: port }] },
    });
    const monitoring = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.monitoringNamespace } } };
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: meta,
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [monitoring], ports: [{ port, protocol: 'TCP' }] }],
        egress: [
          apiServerEgress(props.apiServer),
          { to: [monitoring], ports: [{ port: k8s.IntOrString.fromNumber(9093), protocol: 'TCP' }] },
          { ports: [{ port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' }] },
        ],
      },
    });
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta,
      spec: {
        // One: the rate limits and cooldowns are in its memory, and two runners would each allow the limit.
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: true,
            securityContext: restrictedPodSecurity(65532),
            containers: [
              {
                name: 'runner',
                image: props.image,
                args: ['--policy=/etc/remediation/policy.json', `--port=${REMEDIATION_PORT}`],
                env: [
                  { name: 'ALERTMANAGER_URL', value: props.alertmanagerUrl.replace(/\/$/, '') },
                  { name: 'POD_NAMESPACE', value: props.namespace },
                ],
                ports: [{ name: 'http', containerPort: REMEDIATION_PORT }],
                readinessProbe: { httpGet: { path: '/healthz', port } },
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('20m'), memory: k8s.Quantity.fromString('64Mi') },
                  limits: { memory: k8s.Quantity.fromString('128Mi') },
                },
                securityContext: restrictedContainerSecurity(),
                volumeMounts: [{ name: 'policy', mountPath: '/etc/remediation', readOnly: true }],
              },
            ],
            volumes: [{ name: 'policy', configMap: { name: NAME } }],
          },
        },
      },
    });
  }
}
