import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';

/**
 * The skeleton the periodic jobs that read Prometheus share (the air-gap metrics export and the weekly report):
 * a CronJob that never overlaps itself, retries twice and stops after an hour, runs non-root without a service
 * account token under the restricted security contexts, and a NetworkPolicy that lets it reach nothing but
 * Prometheus (and nothing reach it).
 */

/** The `prometheusUrl` check of the jobs that query Prometheus: an http(s) URL. */
export const prometheusUrlCheck = (url: string) =>
  [
    /^https?:\/\/[^/\s]+/.test(url),
    'prometheusUrl',
    url,
    'must be an http(s) URL such as http://prometheus-operated.monitoring.svc:9090',
  ] as const;

/** All such a job may reach: Prometheus's port in the monitoring namespace. */
function prometheusEgress(monitoringNamespace: string): k8s.NetworkPolicyEgressRule {
  return {
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoringNamespace } } }],
    ports: [{ port: k8s.IntOrString.fromNumber(9090), protocol: 'TCP' }],
  };
}

export interface PrometheusJobProps {
  /** Name of the CronJob and its NetworkPolicy; also the pods' `app.kubernetes.io/name`. */
  readonly name: string;
  readonly namespace: string;
  /** Labels of both objects and the pods (including `app.kubernetes.io/name: <name>`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly schedule: string;
  /** UID (and group) the pod runs as. */
  readonly uid: number;
  /** Namespace Prometheus runs in, for the egress rule. */
  readonly monitoringNamespace: string;
  /** The one container; its security context is set here. */
  readonly container: Omit<k8s.Container, 'securityContext'>;
  readonly volumes: readonly k8s.Volume[];
  /** @default - none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
}

/** The CronJob and its NetworkPolicy, in `scope` as `CronJob` and `NetworkPolicy`. */
export function prometheusJob(scope: Construct, props: PrometheusJobProps): k8s.KubeCronJob {
  const metadata = { name: props.name, namespace: props.namespace, labels: { ...props.labels } };
  new k8s.KubeNetworkPolicy(scope, 'NetworkPolicy', {
    metadata,
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': props.name } },
      policyTypes: ['Ingress', 'Egress'],
      egress: [prometheusEgress(props.monitoringNamespace)],
    },
  });
  return new k8s.KubeCronJob(scope, 'CronJob', {
    metadata,
    spec: {
      schedule: props.schedule,
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 2,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 3600,
          template: {
            metadata: { labels: { ...props.labels }, ...(props.podAnnotations ? { annotations: { ...props.podAnnotations } } : {}) },
            spec: {
              restartPolicy: 'Never',
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurity(props.uid),
              containers: [{ ...props.container, securityContext: restrictedContainerSecurity() }],
              volumes: [...props.volumes],
            },
          },
        },
      },
    },
  });
}
