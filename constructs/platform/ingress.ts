import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problems } from '../core/errors';

/** Where the Ingress's TLS certificate comes from. */
export type IngressTls =
  /** AWS: an ACM certificate the load balancer terminates TLS with (ARN in the environment's region). */
  | { readonly kind: 'acm'; readonly certificateArn: string }
  /** cert-manager issues the Secret from a ClusterIssuer the site runs (its own CA, ACME, Vault). */
  | { readonly kind: 'cert-manager'; readonly clusterIssuer: string }
  /** The site provides the TLS Secret in the application namespace. */
  | { readonly kind: 'secret'; readonly secretName: string };

/** How public services are reached from outside the cluster. */
export interface IngressSettings {
  /** Host names served, e.g. `['www.example.com']`; the certificate must cover them. */
  readonly hosts: readonly string[];
  /** `alb` (AWS Load Balancer Controller) on AWS; the site's ingress class on-premises (e.g. `nginx`). */
  readonly className: string;
  readonly tls: IngressTls;
  /**
   * Route 53 zone whose records external-dns keeps pointing at the load balancer (AWS only).
   * @default - no external-dns: create the records by hand (docs/deploying.md, "Ingress and TLS")
   */
  readonly dns?: {
    readonly hostedZoneId: string;
    /** The one record external-dns points at the load balancer (the CDN's origin name), one of `hosts`. */
    readonly hostname: string;
  };
}

/** One public service behind the Ingress. */
export interface IngressBackend {
  /** Path prefix, `/api` or `/`. Longer prefixes win, whatever the order. */
  readonly path: string;
  readonly service: k8s.KubeService;
  readonly serviceName: string;
  readonly servicePort: number;
  /** The pods' readiness path: the load balancer's health check uses it too. */
  readonly readinessPath: string;
}

export interface PlatformIngressProps {
  readonly namespace: string;
  readonly settings: IngressSettings;
  readonly backends: readonly IngressBackend[];
  /** The AWS Load Balancer Controller's ALB with these annotations; else the site's controller. */
  readonly aws?: { readonly groupName: string };
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Name of the Ingress and of the cert-manager TLS Secret. */
export const INGRESS_NAME = 'platform';

const ALB = 'alb.ingress.kubernetes.io';
/** TLS 1.3 with TLS 1.2 fallback, the AWS recommended policy. */
export const ALB_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * Annotations of the Ingress. On AWS: an internet-facing ALB shared by the environment's Ingresses (group), HTTPS
 * only with the ACM certificate (HTTP redirects), HTTP/2 to clients, pods as targets (`ip`): the ALB stops sending
 * to a pod as soon as it leaves the endpoints, which the preStop delay waits for. Elsewhere: cert-manager's
 * annotation where it issues the certificate.
 * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/
 * @see https://cert-manager.io/docs/usage/ingress/
 */
export function ingressAnnotations(settings: IngressSettings, aws?: { readonly groupName: string }): Record<string, string> {
  const out: Record<string, string> = {};
  if (aws) {
    Object.assign(out, {
      [`${ALB}/scheme`]: 'internet-facing',
      [`${ALB}/target-type`]: 'ip',
      [`${ALB}/group.name`]: aws.groupName,
      [`${ALB}/listen-ports`]: '[{"HTTP":80},{"HTTPS":443}]',
      [`${ALB}/ssl-redirect`]: '443',
      [`${ALB}/ssl-policy`]: ALB_SSL_POLICY,
      [`${ALB}/load-balancer-attributes`]: 'routing.http2.enabled=true,idle_timeout.timeout_seconds=60',
      // Shorter than the default 300 s: the pods' preStop delay already drains them.
      [`${ALB}/target-group-attributes`]: 'deregistration_delay.timeout_seconds=30',
    });
    if (settings.tls.kind === 'acm') out[`${ALB}/certificate-arn`] = settings.tls.certificateArn;
  }
  if (settings.tls.kind === 'cert-manager') out['cert-manager.io/cluster-issuer'] = settings.tls.clusterIssuer;
  if (settings.dns) {
    // Only the origin name: the other hosts (the CDN's aliases) point at the CDN, not at the load balancer.
    out['external-dns.alpha.kubernetes.io/ingress-hostname-source'] = 'annotation-only';
    out['external-dns.alpha.kubernetes.io/hostname'] = settings.dns.hostname;
  }
  return out;
}

/** Health-check annotations the ALB reads from each backend Service: the readiness path, fast to mark a target down. */
export function albHealthCheckAnnotations(readinessPath: string): Record<string, string> {
  return {
    [`${ALB}/healthcheck-path`]: readinessPath,
    [`${ALB}/healthcheck-port`]: 'traffic-port',
    [`${ALB}/healthcheck-interval-seconds`]: '10',
    [`${ALB}/healthy-threshold-count`]: '2',
    [`${ALB}/unhealthy-threshold-count`]: '2',
    [`${ALB}/success-codes`]: '200',
  };
}

const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/;

/** Checks ingress settings; problems go to `p` under `input`. */
export function checkIngress(p: Problems, input: string, s: IngressSettings, onAws: boolean): void {
  p.check(s.hosts.length > 0, `${input}.hosts`, s.hosts, 'must list at least one host name the certificate covers');
  for (const h of s.hosts) p.check(HOST.test(h), `${input}.hosts`, h, 'must be a DNS name such as "www.example.com"');
  p.check(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(s.className), `${input}.className`, s.className, 'must name an IngressClass');
  if (onAws) {
    p.check(
      s.className === 'alb',
      `${input}.className`,
      s.className,
      "must be 'alb' (the AWS Load Balancer Controller the stack installs)",
    );
    p.check(s.tls.kind === 'acm', `${input}.tls.kind`, s.tls.kind, "must be 'acm' on AWS: the ALB terminates TLS with an ACM certificate");
  } else {
    p.check(s.tls.kind !== 'acm', `${input}.tls.kind`, s.tls.kind, "'acm' needs AWS; use 'cert-manager' or 'secret'");
    p.check(s.dns === undefined, `${input}.dns`, s.dns, 'external-dns records are managed on AWS only; remove it');
  }
  if (s.tls.kind === 'acm') {
    p.check(
      /^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/.test(s.tls.certificateArn),
      `${input}.tls.certificateArn`,
      s.tls.certificateArn,
      'must be an ACM certificate ARN in the environment region',
    );
  }
  if (s.dns) {
    p.check(
      /^Z[A-Z0-9]{1,31}$/.test(s.dns.hostedZoneId),
      `${input}.dns.hostedZoneId`,
      s.dns.hostedZoneId,
      'must be a Route 53 hosted zone id (Z...)',
    );
    p.check(
      s.hosts.includes(s.dns.hostname),
      `${input}.dns.hostname`,
      s.dns.hostname,
      `must be one of ingress.hosts (${s.hosts.join(', ')})`,
    );
  }
}

/**
 * One Ingress for the environment's public services, host-based with path prefixes (`/api` to api-gateway, `/` to
 * web). Its TLS comes from ACM on AWS, or from a Secret cert-manager issues or the site provides.
 */
export class PlatformIngress extends Construct {
  public readonly ingress: k8s.KubeIngress;
  /** The Secret holding the certificate, where it lives in the cluster. */
  public readonly tlsSecretName?: string;

  constructor(scope: Construct, id: string, props: PlatformIngressProps) {
    super(scope, id);
    const s = props.settings;
    const secretName = s.tls.kind === 'secret' ? s.tls.secretName : s.tls.kind === 'cert-manager' ? `${INGRESS_NAME}-tls` : undefined;
    this.tlsSecretName = secretName;
    const paths = [...props.backends]
      .sort((a, b) => b.path.length - a.path.length)
      .map((b) => ({
        path: b.path,
        pathType: 'Prefix',
        backend: { service: { name: b.serviceName, port: { number: b.servicePort } } },
      }));
    this.ingress = new k8s.KubeIngress(this, 'Resource', {
      metadata: {
        name: INGRESS_NAME,
        namespace: props.namespace,
        labels: { ...(props.labels ?? {}) },
        annotations: ingressAnnotations(s, props.aws),
      },
      spec: {
        ingressClassName: s.className,
        ...(secretName ? { tls: [{ hosts: [...s.hosts], secretName }] } : {}),
        rules: s.hosts.map((host) => ({ host, http: { paths } })),
      },
    });
    if (props.aws) {
      for (const b of props.backends) {
        for (const [k, val] of Object.entries(albHealthCheckAnnotations(b.readinessPath))) b.service.metadata.addAnnotation(k, val);
      }
    }
  }
}
