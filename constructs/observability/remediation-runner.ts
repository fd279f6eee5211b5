import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceMonitor } from '../../imports/servicemonitors-monitoring.coreos.com';
import { Problems } from '../core/errors';
import { exemptionAnnotations } from '../core/labels';
import { NodeTool } from '../core/node-tool';
import { PRIORITY_CLASSES } from '../workload/capacity-class';
import { ApiServerAccess, apiServerEgress, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import {
  KnownServices,
  PolicyRule,
  RemediationPolicy,
  RemediationPolicyInput,
  checkRemediationPolicy,
  policyAlerts,
  policyRoleRules,
  resolveRemediationPolicy,
} from './remediation-policy';

export interface RemediationRunnerProps {
  readonly namespace: string;
  readonly policy: RemediationPolicyInput;
  /** The environment's services and their replica bounds: what the policy may name. */
  readonly services: KnownServices;
  /**
   * The Node.js image that runs the runner: remediation/main.ts is bundled at synth into a ConfigMap
   * (constructs/core/node-tool.ts), so no image of the runner's own is built.
   */
  readonly nodeImage: string;
  /** How the runner reaches the cache; required when the policy clears a cache prefix. @default - no cache access */
  readonly cache?: RemediationCacheAccess;
  /** Where escalations are posted, e.g. `http://alertmanager-operated.monitoring.svc:9093`. */
  readonly alertmanagerUrl: string;
  readonly monitoringNamespace: string;
  readonly apiServer: ApiServerAccess;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The cache a `cacheClear` action deletes keys from: the environment's Valkey/Redis cluster. */
export interface RemediationCacheAccess {
  /** `host:port` seeds, as services get them (`REDIS_CLUSTER_SEEDS`). */
  readonly seeds: string;
  /** Secret and key of the cache password, read into the runner's environment by reference. */
  readonly authSecret: { readonly name: string; readonly key: string };
  /** Pod labels the cache's NetworkPolicy admits clients by. */
  readonly clientLabels: Readonly<Record<string, string>>;
}

/** Port of the runner's webhook (`/alerts`) and metrics (`/metrics`). */
export const REMEDIATION_PORT = 8080;
const NAME = 'remediation-runner';

/** The runner's webhook in `namespace`, known before the runner is built (the routing is built first). */
export function remediationWebhookUrl(namespace: string): string {
  return `http://${NAME}.${namespace}.svc:${REMEDIATION_PORT}/alerts`;
}

/**
 * The remediation runner: one replica (its limits live in its memory), its policy in a ConfigMap, its program
 * bundled into another, a Role that names exactly the objects the policy acts on, and a NetworkPolicy that lets only
 * Alertmanager call it and lets it reach the API server and Alertmanager (and, through the namespace's own egress
 * rule, the cache, whose policy admits it by the client label it carries only when the policy clears a cache).
 */
export class RemediationRunner extends Construct {
  public readonly policy: RemediationPolicy;
  public readonly roleRules: readonly PolicyRule[];
  public readonly role: k8s.KubeRole;
  public readonly deployment: k8s.KubeDeployment;
  /** Scrapes `perfstack_remediation_decisions_total` and `perfstack_remediation_outcomes_total`. */
  public readonly serviceMonitor: ServiceMonitor;
  /** The bundled runner and its ConfigMap. */
  public readonly program: NodeTool;
  /** The webhook URL for Alertmanager's receiver. */
  public readonly webhookUrl: string;
  /** The alert names the policy answers: what Alertmanager routes to the runner. */
  public readonly alerts: readonly string[];

  constructor(scope: Construct, id: string, props: RemediationRunnerProps) {
    super(scope, id);
    const problems = Problems.of(this);
    checkRemediationPolicy(problems, 'policy', props.policy, props.services);
    props.policy.services.forEach((svc, i) =>
      svc.rules.forEach((r, j) =>
        problems.check(
          r.action.kind !== 'cacheClear' || props.cache !== undefined,
          `policy.services[${i}].rules[${j}].action`,
          r.action.kind,
          "clears a cache, but the runner has no 'cache' access (seeds, password Secret, client labels)",
        ),
      ),
    );
    problems.throwIfAny();
    this.policy = resolveRemediationPolicy(props.namespace, props.policy, props.services);
    this.roleRules = policyRoleRules(this.policy);
    this.alerts = policyAlerts(props.policy);
    const clearsCache = this.policy.services.some((s) => s.rules.some((r) => r.action.kind === 'cacheClear'));
    const cache = clearsCache ? props.cache : undefined;
    // Its own name and component win over the caller's labels: the selector reads them.
    const labels = { ...(props.labels ?? {}), 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'remediation' };
    const meta = { name: NAME, namespace: props.namespace, labels };
    const selector = { 'app.kubernetes.io/name': NAME };
    this.webhookUrl = remediationWebhookUrl(props.namespace);

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
    this.program = new NodeTool(this, 'Program', {
      name: `${NAME}-program`,
      namespace: props.namespace,
      entry: 'remediation/main.ts',
      image: props.nodeImage,
      labels,
    });
    const port = k8s.IntOrString.fromNumber(REMEDIATION_PORT);
    new k8s.KubeService(this, 'Service', {
      metadata: meta,
      spec: { selector, ports: [{ name: 'http', port: REMEDIATION_PORT, targetPort: port }] },
    });
    this.serviceMonitor = new ServiceMonitor(this, 'ServiceMonitor', {
      metadata: meta,
      spec: {
        selector: { matchLabels: selector },
        // The counters' own `service` label is the service acted on; without honorLabels the scrape's target label
        // (the runner's Service) would take its place and rename it `exported_service`.
        endpoints: [{ port: 'http', path: '/metrics', interval: '30s', honorLabels: true }],
      },
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
      metadata: {
        ...meta,
        annotations: exemptionAnnotations({
          rules: ['production-replicas', 'zone-spread', 'service-account-token'],
          reason: 'one runner (its rate limits and cooldowns are in its memory; two would each allow the limit) that acts through the API',
        }),
      },
      spec: {
        // One: the rate limits and cooldowns are in its memory, and two runners would each allow the limit.
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...labels, ...(cache?.clientLabels ?? {}) }, annotations: this.program.podAnnotations },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: true,
            priorityClassName: PRIORITY_CLASSES.standard.name,
            securityContext: restrictedPodSecurity(65532),
            containers: [
              {
                ...this.program.container('runner', ['--policy=/etc/remediation/policy.json', `--port=${REMEDIATION_PORT}`]),
                env: [
                  { name: 'ALERTMANAGER_URL', value: props.alertmanagerUrl.replace(/\/$/, '') },
                  { name: 'POD_NAMESPACE', value: props.namespace },
                  ...(cache
                    ? [
                        { name: 'REDIS_CLUSTER_SEEDS', value: cache.seeds },
                        {
                          name: 'REDIS_PASSWORD',
                          valueFrom: { secretKeyRef: { name: cache.authSecret.name, key: cache.authSecret.key } },
                        },
                      ]
                    : []),
                ],
                ports: [{ name: 'http', containerPort: REMEDIATION_PORT }],
                readinessProbe: { httpGet: { path: '/healthz', port } },
                livenessProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 20, failureThreshold: 3 },
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('20m'), memory: k8s.Quantity.fromString('64Mi') },
                  limits: { memory: k8s.Quantity.fromString('128Mi') },
                },
                securityContext: restrictedContainerSecurity(),
                volumeMounts: [{ name: 'policy', mountPath: '/etc/remediation', readOnly: true }, this.program.volumeMount],
              },
            ],
            volumes: [{ name: 'policy', configMap: { name: NAME } }, this.program.volume],
          },
        },
      },
    });
  }
}
