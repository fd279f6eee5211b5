import { k8s } from 'cdk8s-plus-28';
import { Problems } from './errors';

/**
 * The container security context of the `restricted` Pod Security Standard, plus a read-only root filesystem:
 * non-root, no privilege escalation, every capability dropped, the runtime's default seccomp profile.
 */
export function restrictedContainerSecurity(): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** A pod security context running everything as `uid` (and its group), with the runtime's default seccomp profile. */
export function restrictedPodSecurity(uid: number): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
}

/**
 * The Kubernetes API server's addresses. The few pods that must reach it (operators' instance managers, bootstrap
 * Jobs) get an egress rule to it through the namespace's default-deny policy.
 */
export interface ApiServerAccess {
  readonly cidrs: readonly string[];
  readonly port: number;
}

export function checkApiServer(problems: Problems, access: ApiServerAccess): void {
  problems.check(access.cidrs.length > 0, 'apiServer.cidrs', access.cidrs, 'must list the Kubernetes API server address range');
}

/** The NetworkPolicy egress rule to the API server. */
export function apiServerEgress(access: ApiServerAccess): k8s.NetworkPolicyEgressRule {
  return {
    to: access.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
    ports: [{ port: k8s.IntOrString.fromNumber(access.port), protocol: 'TCP' }],
  };
}
