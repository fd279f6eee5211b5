import { createHash } from 'crypto';
import { parseAllDocuments } from 'yaml';
import { GATEWAY_API_CRDS } from '../stacks/operator-catalogue';
import { download } from './charts';

/** Where the bundle keeps Gateway API's CRDs; install.sh applies `crds/*.yaml` before any chart. */
export const GATEWAY_API_CRDS_FILE = `crds/gateway-api-${GATEWAY_API_CRDS.version}-standard-install.yaml`;

/** The kinds perfstack's edge and the mesh's waypoints create: the file must define them. */
const REQUIRED_KINDS = ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute'] as const;

/** Besides CRDs, standard-install.yaml carries the safe-upgrades ValidatingAdmissionPolicy and its binding. */
const OTHER_KINDS = ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];

interface Doc {
  kind?: string;
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: { group?: string; names?: { kind?: string } };
}

/**
 * Why `text` is not Gateway API's standard-channel install of the pinned version, one line per problem; empty when it
 * is. Every object must carry the release's own `bundle-version` and `channel: standard` annotations, so an
 * experimental-channel file (Envoy Gateway's chart carries one) or another release is refused on the connected side.
 */
export function gatewayApiCrdProblems(text: string, source: string): string[] {
  const problems: string[] = [];
  const docs = parseAllDocuments(text);
  const parseError = docs.find((d) => d.errors.length > 0);
  if (parseError) return [`${source}: not YAML (${parseError.errors[0].message.split('\n')[0]})`];
  const objects = docs.map((d) => d.toJS() as Doc | null).filter((o): o is Doc => o !== null);
  const kinds = new Set<string>();
  for (const o of objects) {
    const name = `${o.kind ?? '?'} ${o.metadata?.name ?? '?'}`;
    const version = o.metadata?.annotations?.['gateway.networking.k8s.io/bundle-version'];
    const channel = o.metadata?.annotations?.['gateway.networking.k8s.io/channel'];
    if (o.kind === 'CustomResourceDefinition') {
      if (o.spec?.group !== 'gateway.networking.k8s.io') problems.push(`${source}: ${name} is not in group gateway.networking.k8s.io`);
      if (o.spec?.names?.kind) kinds.add(o.spec.names.kind);
    } else if (!OTHER_KINDS.includes(o.kind ?? '')) problems.push(`${source}: ${name} is not a Gateway API CRD`);
    if (version !== GATEWAY_API_CRDS.version)
      problems.push(`${source}: ${name} is bundle-version ${version ?? '(none)'}, expected ${GATEWAY_API_CRDS.version}`);
    if (channel !== 'standard') problems.push(`${source}: ${name} is channel ${channel ?? '(none)'}, expected standard`);
  }
  for (const k of REQUIRED_KINDS) if (!kinds.has(k)) problems.push(`${source}: defines no ${k} CRD`);
  return problems;
}

/**
 * Downloads Gateway API's standard-install.yaml from its pinned release URL (the one the Pulumi program applies), or
 * from `url` (a connected mirror of it), and checks it is that release's standard channel.
 */
export async function fetchGatewayApiCrds(url: string = GATEWAY_API_CRDS.url): Promise<{ content: Buffer; sha256: string }> {
  const content = Buffer.from(await download(url, 'bytes'));
  const problems = gatewayApiCrdProblems(content.toString('utf8'), url);
  if (problems.length > 0) throw new GatewayApiCrdsError(problems.join('\n'));
  return { content, sha256: createHash('sha256').update(content).digest('hex') };
}

/** The Gateway API CRD file is not the pinned release's standard channel. */
export class GatewayApiCrdsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayApiCrdsError';
  }
}
