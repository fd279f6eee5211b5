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

/** How public services are reached from outside the cluster: the edge's hosts, certificate and DNS. */
export interface IngressSettings {
  /** Host names served, e.g. `['www.example.com']`; the certificate must cover them. */
  readonly hosts: readonly string[];
  /**
   * Opt-in, on-premises only: the IngressClass of a controller the site keeps running itself. perfstack then writes a
   * plain Ingress for it instead of the Gateway API objects, and installs no edge controller (docs/edge.md).
   * @default - the Gateway: the AWS Load Balancer Controller on AWS, Envoy Gateway on-premises
   */
  readonly className?: string;
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
  readonly serviceName: string;
  readonly servicePort: number;
}

export interface PlatformIngressProps {
  readonly namespace: string;
  readonly settings: IngressSettings;
  readonly backends: readonly IngressBackend[];
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Name of the Ingress and of the cert-manager TLS Secret. */
export const INGRESS_NAME = 'platform';

/** TLS 1.3 with TLS 1.2 fallback, the AWS recommended policy (the ALB's listeners). */
export const ALB_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * Annotations of the opt-in Ingress: cert-manager's where it issues the certificate. The site's controller reads its
 * own annotations, which perfstack does not guess.
 * @see https://cert-manager.io/docs/usage/ingress/
 */
export function ingressAnnotations(settings: IngressSettings): Record<string, string> {
  return settings.tls.kind === 'cert-manager' ? { 'cert-manager.io/cluster-issuer': settings.tls.clusterIssuer } : {};
}

/** The Secret the edge terminates TLS with, where TLS terminates in the cluster (cert-manager's or the site's). */
export function tlsSecretName(settings: IngressSettings): string | undefined {
  if (settings.tls.kind === 'secret') return settings.tls.secretName;
  return settings.tls.kind === 'cert-manager' ? `${INGRESS_NAME}-tls` : undefined;
}

const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/;

/** Checks ingress settings; problems go to `p` under `input`. */
export function checkIngress(p: Problems, input: string, s: IngressSettings, onAws: boolean): void {
  p.check(s.hosts.length > 0, `${input}.hosts`, s.hosts, 'must list at least one host name the certificate covers');
  for (const h of s.hosts) p.check(HOST.test(h), `${input}.hosts`, h, 'must be a DNS name such as "www.example.com"');
  if (s.className !== undefined) {
    p.check(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(s.className), `${input}.className`, s.className, 'must name an IngressClass');
    p.check(
      !onAws,
      `${input}.className`,
      s.className,
      'opts into a plain Ingress for a controller an on-prem site keeps; on AWS the edge is the Gateway the AWS Load Balancer Controller serves: remove it',
    );
  }
  if (onAws) {
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
 * The opt-in edge for an on-prem site that keeps its own ingress controller (`ingress.className`): one Ingress for the
 * environment's public services, host-based with path prefixes (`/api` to api-gateway, `/` to web), TLS from a Secret
 * cert-manager issues or the site provides. Timeouts, retries and breakers at this edge are the site controller's.
 */
export class PlatformIngress extends Construct {
  public readonly ingress: k8s.KubeIngress;
  /** The Secret holding the certificate, where it lives in the cluster. */
  public readonly tlsSecretName?: string;

  constructor(scope: Construct, id: string, props: PlatformIngressProps) {
    super(scope, id);
    const s = props.settings;
    const secretName = tlsSecretName(s);
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
        annotations: ingressAnnotations(s),
      },
      spec: {
        ingressClassName: s.className,
        ...(secretName ? { tls: [{ hosts: [...s.hosts], secretName }] } : {}),
        rules: s.hosts.map((host) => ({ host, http: { paths } })),
      },
    });
  }
}
