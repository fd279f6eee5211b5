/**
 * Readers of each field of the stack config: the value's type and range, with a fix for every problem. Keys the config
 * does not have are ./keys.ts's to report, not theirs.
 */
import { cidrProblem } from '../../constructs/core/grammars';
import { Environment } from '../environment';
import { OPERATOR_CATALOGUE, OperatorName } from '../operator-catalogue';
import { Report } from './issues';
import {
  ApiCaching,
  CONFIG_NAMESPACE,
  CdnConfig,
  ClusterConfig,
  DEFAULT_NODE_OVERHEAD,
  InstanceType,
  NodeOverhead,
  NodePoolsConfig,
  OperatorConfig,
} from './types';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPositive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

export function readInstanceTypes(v: unknown, issue: Report): Record<string, InstanceType> {
  const key = 'instanceTypes';
  if (!isRecord(v) || Object.keys(v).length === 0) {
    issue(key, 'is required: a table of instance type -> { vcpu, memoryGiB, onDemandHourly, spotHourly } (USD per hour)');
    return {};
  }
  const out: Record<string, InstanceType> = {};
  for (const [name, spec] of Object.entries(v)) {
    if (!INSTANCE_TYPE.test(name)) issue(`${key}.${name}`, 'is not an EC2 instance type name such as m6i.xlarge');
    const s = isRecord(spec) ? spec : {};
    const fields = ['vcpu', 'memoryGiB', 'onDemandHourly', 'spotHourly'] as const;
    const bad = fields.filter((f) => !isPositive(s[f]));
    if (bad.length > 0) {
      issue(`${key}.${name}`, `needs positive numbers for ${bad.join(', ')} (prices in USD per hour)`);
      continue;
    }
    if ((s.spotHourly as number) > (s.onDemandHourly as number)) {
      issue(
        `${key}.${name}.spotHourly`,
        `(${String(s.spotHourly)}) is above onDemandHourly (${String(s.onDemandHourly)}); check the price table`,
      );
    }
    if (s.reservedHourly !== undefined && (!isPositive(s.reservedHourly) || (s.reservedHourly as number) > (s.onDemandHourly as number))) {
      issue(
        `${key}.${name}.reservedHourly`,
        `(${String(s.reservedHourly)}) must be a positive price at or below onDemandHourly (${String(s.onDemandHourly)})`,
      );
    }
    out[name] = {
      vcpu: s.vcpu as number,
      memoryGiB: s.memoryGiB as number,
      onDemandHourly: s.onDemandHourly as number,
      spotHourly: s.spotHourly as number,
      ...(isPositive(s.reservedHourly) ? { reservedHourly: s.reservedHourly as number } : {}),
    };
  }
  return out;
}

function readTypeList(v: unknown, key: string, table: Record<string, InstanceType>, issue: Report): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((t) => typeof t !== 'string')) {
    issue(key, 'must be a non-empty list of instance types, e.g. [m6i.xlarge]');
    return [];
  }
  const unknown = (v as string[]).filter((t) => table[t] === undefined);
  if (unknown.length > 0 && Object.keys(table).length > 0) {
    issue(key, `names ${unknown.join(', ')}, missing from ${CONFIG_NAMESPACE}:instanceTypes; add size and prices there`);
  }
  if (new Set(v).size !== v.length) issue(key, 'lists an instance type twice');
  return v as string[];
}

export function readNodePools(v: unknown, spotPercent: number, table: Record<string, InstanceType>, issue: Report): NodePoolsConfig {
  const key = 'nodePools';
  if (!isRecord(v)) {
    issue(key, `is required: { onDemand: { instanceTypes: [...] }${spotPercent > 0 ? ', spot: { instanceTypes: [at least 3] }' : ''} }`);
    return { onDemand: { instanceTypes: [] } };
  }
  const onDemand = readTypeList(isRecord(v.onDemand) ? v.onDemand.instanceTypes : undefined, `${key}.onDemand.instanceTypes`, table, issue);
  if (spotPercent === 0) {
    if (v.spot !== undefined) issue(`${key}.spot`, 'is set but the environment has cloud.spotPercent 0; remove it or raise spotPercent');
    return { onDemand: { instanceTypes: onDemand } };
  }
  const spotKey = `${key}.spot.instanceTypes`;
  const spot = readTypeList(isRecord(v.spot) ? v.spot.instanceTypes : undefined, spotKey, table, issue);
  if (spot.length > 0 && spot.length < 3) {
    issue(
      spotKey,
      `lists ${spot.length} type(s); a spot pool needs at least 3 of one size class so one capacity shortage does not empty it`,
    );
  }
  const shapes = new Set(spot.filter((t) => table[t]).map((t) => `${table[t].vcpu} vCPU/${table[t].memoryGiB} GiB`));
  if (shapes.size > 1) {
    issue(spotKey, `mixes sizes (${[...shapes].join(', ')}); use one size class so every spot node fits the same pods`);
  }
  return { onDemand: { instanceTypes: onDemand }, spot: { instanceTypes: spot } };
}

export function readCluster(v: unknown, issue: Report): ClusterConfig {
  if (v === undefined) return {};
  if (!isRecord(v)) {
    issue('cluster', 'must be an object: { publicAccessCidrs: [...] }');
    return {};
  }
  const out: { publicAccessCidrs?: string[]; adminRoleArns?: string[] } = {};
  const admins = v.adminRoleArns;
  if (admins !== undefined) {
    if (!Array.isArray(admins) || admins.some((a) => typeof a !== 'string' || !/^arn:aws:iam::\d{12}:role\/.+/.test(a))) {
      issue('cluster.adminRoleArns', 'must be a list of IAM role ARNs (arn:aws:iam::<account>:role/<name>)');
    } else out.adminRoleArns = admins as string[];
  }
  const cidrs = v.publicAccessCidrs;
  if (cidrs === undefined) return out;
  if (!Array.isArray(cidrs)) {
    issue('cluster.publicAccessCidrs', 'must be a list of IPv4 CIDRs (your CI runners and VPN), or omitted for a private endpoint');
    return out;
  }
  const before = cidrIssues(cidrs);
  if (before.length > 0) {
    before.forEach(([i, problem]) => issue(`cluster.publicAccessCidrs.${i}`, problem));
    return out;
  }
  if (cidrs.includes('0.0.0.0/0')) issue('cluster.publicAccessCidrs', 'opens the API endpoint to the internet; list the CI and VPN ranges');
  return { ...out, publicAccessCidrs: cidrs as string[] };
}

function cidrIssues(cidrs: readonly unknown[]): [number, string][] {
  return cidrs.flatMap((c, i): [number, string][] => {
    const problem = cidrProblem(c);
    return problem ? [[i, problem]] : [];
  });
}

export function readNodeOverhead(v: unknown, issue: Report): NodeOverhead {
  if (v === undefined) return DEFAULT_NODE_OVERHEAD;
  if (!isRecord(v) || !isPositive(v.cpuMillis) || !isPositive(v.memoryMiB)) {
    issue('nodeOverhead', 'must be { cpuMillis, memoryMiB } with positive numbers, or omitted for the EKS default');
    return DEFAULT_NODE_OVERHEAD;
  }
  return { cpuMillis: v.cpuMillis, memoryMiB: v.memoryMiB };
}

const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'];
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/;

export function readCdn(v: unknown, production: boolean, issue: Report): CdnConfig {
  const key = 'cdn';
  if (!isRecord(v)) {
    if (v !== undefined) issue(key, 'must be an object: { aliases, certificateArn, priceClass, originShield, apiCaching }');
    if (production)
      issue(
        `${key}.certificateArn`,
        'is required in production: TLS 1.2 as the minimum needs your own certificate (ACM, us-east-1) and aliases',
      );
    return {};
  }
  if (v.apiOriginDomain !== undefined) {
    issue(`${key}.apiOriginDomain`, 'is no longer read: the API origin is the load balancer of the Ingress the stack creates; remove it');
  }
  const aliases = v.aliases ?? [];
  if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string' || !HOSTNAME.test(a))) {
    issue(`${key}.aliases`, 'must be a list of host names such as www.example.com');
  }
  const certificateArn = v.certificateArn;
  if (
    certificateArn !== undefined &&
    (typeof certificateArn !== 'string' || !/^arn:aws:acm:us-east-1:\d{12}:certificate\//.test(certificateArn))
  ) {
    issue(`${key}.certificateArn`, 'must be an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from there)');
  }
  if (Array.isArray(aliases) && aliases.length > 0 && certificateArn === undefined) {
    issue(`${key}.certificateArn`, 'is required with aliases: an ACM certificate in us-east-1 that covers them');
  } else if (production && certificateArn === undefined) {
    // With the default *.cloudfront.net certificate CloudFront accepts TLS 1.0 whatever the distribution says.
    issue(
      `${key}.certificateArn`,
      'is required in production: TLS 1.2 as the minimum needs your own certificate (ACM, us-east-1) and aliases',
    );
  }
  const priceClass = v.priceClass ?? 'PriceClass_100';
  if (typeof priceClass !== 'string' || !PRICE_CLASSES.includes(priceClass))
    issue(`${key}.priceClass`, `must be one of ${PRICE_CLASSES.join(', ')}`);
  const originShield = v.originShield ?? false;
  if (typeof originShield !== 'boolean') issue(`${key}.originShield`, 'must be true or false');
  const apiCaching = v.apiCaching ?? 'disabled';
  if (apiCaching !== 'disabled' && apiCaching !== 'origin') {
    issue(`${key}.apiCaching`, "must be 'disabled' (never cache API responses) or 'origin' (honour the origin's Cache-Control)");
  }
  return {
    aliases: aliases as string[],
    certificateArn: certificateArn as string | undefined,
    priceClass: priceClass as CdnConfig['priceClass'],
    originShield: originShield as boolean,
    apiCaching: apiCaching as ApiCaching,
  };
}

export function readOperators(v: unknown, issue: Report): Partial<Record<OperatorName, OperatorConfig>> {
  if (v === undefined) return {};
  const known = Object.keys(OPERATOR_CATALOGUE);
  if (!isRecord(v)) {
    issue('operators', `must be an object keyed by operator (${known.join(', ')}): { <name>: { managed: false } }`);
    return {};
  }
  const out: Partial<Record<OperatorName, OperatorConfig>> = {};
  for (const [name, c] of Object.entries(v)) {
    const key = `operators.${name}`;
    // An operator perfstack does not install is reported by ./keys.ts.
    if (!known.includes(name)) continue;
    if (!isRecord(c)) {
      issue(key, 'must be an object: { managed: false } or { chartVersion: "x.y.z" }');
      continue;
    }
    if (c.managed !== undefined && typeof c.managed !== 'boolean') issue(`${key}.managed`, 'must be true or false');
    if (
      c.chartVersion !== undefined &&
      (typeof c.chartVersion !== 'string' || !/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(c.chartVersion))
    ) {
      issue(`${key}.chartVersion`, 'must be a chart version such as "1.2.3"');
    }
    out[name as OperatorName] = { managed: c.managed as boolean | undefined, chartVersion: c.chartVersion as string | undefined };
  }
  return out;
}

/**
 * `perfstack:ingress.certificateArn`: the regional ACM certificate of the stack's load balancer, when it is the
 * stack's rather than the environment's (the environment value is what `npm run synth` writes).
 */
export function readIngress(v: unknown, env: Environment, issue: Report): Environment | undefined {
  if (v === undefined) return undefined;
  const arn = isRecord(v) ? v.certificateArn : undefined;
  if (!isRecord(v)) {
    issue('ingress', 'must be { certificateArn: <ACM certificate ARN in the environment region> }');
    return undefined;
  }
  if (!env.ingress) {
    issue('ingress', `is set but environment '${env.name}' has no ingress; give it one or remove this key`);
    return undefined;
  }
  const region = env.cloud.kind === 'aws' ? env.cloud.region : '';
  if (typeof arn !== 'string' || !new RegExp(`^arn:aws:acm:${region}:\\d{12}:certificate/[0-9a-f-]+$`).test(arn)) {
    issue(
      'ingress.certificateArn',
      `must be an ACM certificate ARN in ${region} (the load balancer's region), covering ${env.ingress.hosts.join(', ')}`,
    );
    return undefined;
  }
  return { ...env, ingress: { ...env.ingress, tls: { kind: 'acm', certificateArn: arn } } };
}
