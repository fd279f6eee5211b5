import * as fs from 'fs';
import * as pulumi from '@pulumi/pulumi';
import { LineCounter, parseDocument } from 'yaml';
import { formatValue } from '../constructs/core/errors';
import { cidrProblem } from '../constructs/core/grammars';
import { shapeProblems, strict, z } from '../constructs/core/schema';
import { Environment } from './environment';
import { ENVIRONMENTS } from './environments';
import { OPERATOR_CATALOGUE, OperatorName } from './operator-catalogue';

/** `'perfstack:cdn.priceClass' ("PriceClass_1") must be one of ...` for each problem of an input error. */
export function inputErrorLines(e: unknown): string[] | undefined {
  if (pulumi.InputPropertiesError.isInstance(e)) return e.errors.map((i) => `'${i.propertyPath}' ${i.reason}`);
  if (pulumi.InputPropertyError.isInstance(e)) return [`'${e.propertyPath}' ${e.reason}`];
  return undefined;
}

/**
 * The Pulumi stack config of an environment (`Pulumi.<env>.yaml`, keys `perfstack:*`): what the Pulumi program
 * (infra/) builds the cloud side from and what the cost report (planning/) prices. It lives beside the
 * environments so that both read it without importing each other.
 */

/** Config namespace of every perfstack key (`perfstack:nodePools`, ...). */
export const CONFIG_NAMESPACE = 'perfstack';

/** Size and price of one EC2 instance type: the pools' node shape and the cost report's price table. */
export interface InstanceType {
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** USD per hour, on-demand. */
  readonly onDemandHourly: number;
  /** USD per hour, spot (a recent average for the region). */
  readonly spotHourly: number;
  /**
   * USD per hour effective with reserved capacity (a 1-year reservation or savings plan), for the cost report's
   * reserved-base option. @default - no reserved price: the option is not shown
   */
  readonly reservedHourly?: number;
}

/** Capacity the kubelet, the OS and the per-node DaemonSets keep on every node; pods get the rest. */
export interface NodeOverhead {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

/** kube-reserved and eviction threshold of an EKS node of about 4 vCPU/16 GiB, plus aws-node, kube-proxy, EBS CSI and node-exporter. */
export const DEFAULT_NODE_OVERHEAD: NodeOverhead = { cpuMillis: 400, memoryMiB: 1536 };

export interface NodePoolsConfig {
  /** Instance types of the on-demand pool (system and critical pods); the first is the sizing shape. */
  readonly onDemand: { readonly instanceTypes: readonly string[] };
  /** Instance types of the spot pool: at least 3 of one size class. Required where the environment uses spot. */
  readonly spot?: { readonly instanceTypes: readonly string[] };
}

export interface ClusterConfig {
  /**
   * Ranges allowed to reach the public API endpoint (the CI runners that run `pulumi up`, the VPN).
   * @default - the public endpoint is off; deploy from inside the VPC
   */
  readonly publicAccessCidrs?: readonly string[];
  /** IAM role ARNs given cluster-admin (SSO permission sets, break-glass). @default - none: only the deploying identity */
  readonly adminRoleArns?: readonly string[];
}

export type ApiCaching = 'disabled' | 'origin';

/** Per-operator choices of a stack (`perfstack:operators.<name>`). */
export interface OperatorConfig {
  /** `false`: the site runs this operator itself; the stack does not install it. @default true (false when air-gapped) */
  readonly managed?: boolean;
  /** A chart version to install instead of the catalogue's pin (or where the catalogue has none). @default - the pin */
  readonly chartVersion?: string;
}

/** The CDN's API origin is the Ingress load balancer the stack creates; these are the distribution's settings. */
export interface CdnConfig {
  /** @default - the distribution's cloudfront.net name only */
  readonly aliases?: readonly string[];
  /** ACM certificate in us-east-1 covering the aliases. @default - the CloudFront default certificate (no aliases) */
  readonly certificateArn?: string;
  /** @default 'PriceClass_100' */
  readonly priceClass?: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
  /** A regional cache in the environment's region in front of both origins. @default false */
  readonly originShield?: boolean;
  /** `disabled`: API responses are never cached; `origin`: CloudFront honours the origin's Cache-Control. @default 'disabled' */
  readonly apiCaching?: ApiCaching;
}

/** Stack settings of a stack that builds its own AWS cloud side (network, EKS, node pools, CDN). */
export interface CloudStackSettings {
  readonly mode: 'cloud';
  readonly environment: Environment & { readonly cloud: Extract<Environment['cloud'], { kind: 'aws' }> };
  readonly cluster: ClusterConfig;
  readonly nodePools: NodePoolsConfig;
  readonly instanceTypes: Readonly<Record<string, InstanceType>>;
  readonly nodeOverhead: NodeOverhead;
  /** Present exactly when the environment turns the CDN on. */
  readonly cdn?: CdnConfig;
  /**
   * Deploy the App into the new cluster. An escape hatch only: `false` builds the cloud side and the operators
   * without the App (e.g. to debug an operator install); one `pulumi up` with the default brings a stack up.
   * @default true
   */
  readonly deployWorkloads: boolean;
  readonly operators: Readonly<Partial<Record<OperatorName, OperatorConfig>>>;
}

/** Stack settings of a stack that deploys only the workloads into a cluster someone else runs (air-gap, on-prem). */
export interface ExistingClusterStackSettings {
  readonly mode: 'existing-cluster';
  readonly environment: Environment;
  /** kubeconfig context to deploy to. @default - the current context */
  readonly kubeContext?: string;
  readonly operators: Readonly<Partial<Record<OperatorName, OperatorConfig>>>;
}

export type StackSettings = CloudStackSettings | ExistingClusterStackSettings;

/** The keys a stack may set, with what each holds: the README's table is this list. */
export const CONFIG_KEYS = [
  'environment',
  'mode',
  'kubeContext',
  'cluster',
  'nodePools',
  'instanceTypes',
  'nodeOverhead',
  'cdn',
  'deployWorkloads',
  'operators',
  'ingress',
] as const;

type Issue = pulumi.InputPropertyErrorDetails;

/**
 * Reads and checks a stack's perfstack config (values keyed without the namespace, already parsed from YAML or
 * JSON). Every problem is reported at once, naming the key and the fix, as `pulumi.InputPropertiesError`.
 *
 * @param stack the stack name, the environment when `perfstack:environment` is unset
 */
export function readStackSettings(values: Readonly<Record<string, unknown>>, stack: string): StackSettings {
  const issues: Issue[] = [];
  // Each reason starts with the value received, as the project's one-line format does: `(["10.0.0.0/33"]) must be ...`.
  const issue = (key: string, reason: string) =>
    issues.push({ propertyPath: `${CONFIG_NAMESPACE}:${key}`, reason: withValue(lookup(values, key), reason) });
  const set = (key: string, value: string) => `pulumi config set ${CONFIG_NAMESPACE}:${key} ${value}`;

  for (const key of Object.keys(values)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) issue(key, `is not a perfstack setting; known keys: ${CONFIG_KEYS.join(', ')}`);
  }
  // Misspelt keys inside the settings (`nodePools.spots`), which the readers below would silently ignore.
  for (const p of shapeProblems(NESTED_KEYS, values)) {
    if (p.fix.startsWith('is not a field')) issue(p.input, p.fix);
  }
  const envName = values.environment ?? stack;
  const environment = typeof envName === 'string' ? ENVIRONMENTS[envName] : undefined;
  if (environment === undefined) {
    issue('environment', `is not an environment; ${set('environment', `<${Object.keys(ENVIRONMENTS).join('|')}>`)}`);
    throw failed(issues);
  }
  const defaultMode = environment.cloud.kind === 'aws' ? 'cloud' : 'existing-cluster';
  const mode = values.mode ?? defaultMode;
  if (mode !== 'cloud' && mode !== 'existing-cluster') {
    issue('mode', `is not a mode; use 'cloud' (build VPC, EKS, node pools, CDN) or 'existing-cluster'`);
  }
  if (mode === 'existing-cluster' || environment.cloud.kind !== 'aws') {
    if (mode === 'cloud') {
      issue(
        'mode',
        `needs an AWS environment and '${environment.name}' has cloud kind '${environment.cloud.kind}'; use 'existing-cluster'`,
      );
    }
    for (const key of ['cluster', 'nodePools', 'instanceTypes', 'nodeOverhead', 'cdn', 'deployWorkloads', 'ingress']) {
      if (values[key] !== undefined) issue(key, "applies only to mode 'cloud' (this stack deploys to an existing cluster); remove it");
    }
    const kubeContext = values.kubeContext;
    if (kubeContext !== undefined && (typeof kubeContext !== 'string' || kubeContext.length === 0)) {
      issue('kubeContext', 'must be the name of a kubeconfig context; omit it to use the current context');
    }
    const operators = readOperators(values.operators, issue);
    if (issues.length > 0) throw failed(issues);
    return { mode: 'existing-cluster', environment, kubeContext: kubeContext as string | undefined, operators };
  }
  if (values.kubeContext !== undefined) issue('kubeContext', "applies only to mode 'existing-cluster'; remove it");

  const cloud = environment.cloud;
  const backup = environment.dataTier.postgres.backup;
  if (backup.kind === 's3' && !backup.iamRoleArn.startsWith(`arn:aws:iam::${cloud.accountId}:role/`)) {
    issue(
      'environment',
      `'${environment.name}' backs PostgreSQL up with role ${backup.iamRoleArn}, outside its account ${cloud.accountId}; the stack creates that role, so name one in the account`,
    );
  }
  const instanceTypes = readInstanceTypes(values.instanceTypes, issue);
  const nodePools = readNodePools(values.nodePools, cloud.spotPercent, instanceTypes, issue);
  const cluster = readCluster(values.cluster, issue);
  const nodeOverhead = readNodeOverhead(values.nodeOverhead, issue);
  let cdn: CdnConfig | undefined;
  if (cloud.cdn) {
    cdn = readCdn(values.cdn, environment.production, issue);
    if (!environment.ingress) issue('cdn', `needs an Ingress for its API origin; give environment '${environment.name}' an 'ingress'`);
    else {
      // CloudFront sends the viewer's Host to the load balancer and checks its certificate against it: without
      // aliases that is *.cloudfront.net, which no load-balancer certificate covers.
      const hosts = environment.ingress.hosts;
      const aliases = cdn.aliases ?? [];
      if (aliases.length === 0) {
        issue(
          'cdn.aliases',
          `must list the site's host names (covered by the load balancer certificate too): the API origin is reached by the viewer's Host; e.g. [${hosts[0]}]`,
        );
      }
      const missing = aliases.filter((a) => !hosts.includes(a));
      if (missing.length > 0) {
        issue(
          'cdn.aliases',
          `names ${missing.join(', ')}, missing from environment '${environment.name}' ingress.hosts (${hosts.join(', ')}); the Ingress must answer for them`,
        );
      }
    }
  } else if (values.cdn !== undefined)
    issue('cdn', `is set but environment '${environment.name}' has cloud.cdn false; remove it or turn the CDN on`);
  const deployWorkloads = values.deployWorkloads ?? true;
  if (typeof deployWorkloads !== 'boolean') issue('deployWorkloads', 'must be true or false');
  const operators = readOperators(values.operators, issue);
  const ingress = readIngress(values.ingress, environment, issue);
  if (issues.length > 0) throw failed(issues);
  return {
    mode: 'cloud',
    operators,
    deployWorkloads: deployWorkloads as boolean,
    environment: (ingress ?? environment) as CloudStackSettings['environment'],
    cluster,
    nodePools,
    instanceTypes,
    nodeOverhead,
    cdn,
  };
}

/** A stack config file that cannot be read as one: its message names the file (and line) and what is wrong. */
export class StackConfigFileError extends Error {}

/** The perfstack values of a stack config file (`Pulumi.<stack>.yaml`), keyed without the namespace. */
export function stackConfigFileValues(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new StackConfigFileError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new StackConfigFileError(`${file}:${e.linePos?.[0].line ?? 1}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  let parsed: unknown;
  try {
    parsed = doc.toJS() ?? {};
  } catch (e) {
    // The yaml library refuses documents that expand aliases excessively (a "billion laughs" file).
    throw new StackConfigFileError(`${file}: cannot be read as YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const config = isRecord(parsed) ? (parsed.config ?? {}) : undefined;
  if (!isRecord(config)) {
    throw new StackConfigFileError(`${file}: is not a Pulumi stack config: expected a map with a 'config:' map of keys`);
  }
  return Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k.startsWith(`${CONFIG_NAMESPACE}:`))
      .map(([k, v]) => [k.slice(CONFIG_NAMESPACE.length + 1), v]),
  );
}

/** Reads the stack's settings from Pulumi config (the program's entry). */
export function stackSettingsFromConfig(): StackSettings {
  // Every key of the namespace, so a misspelt one is reported rather than silently ignored.
  const values: Record<string, unknown> = {};
  for (const [fullKey, raw] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
    try {
      values[key] = JSON.parse(raw);
    } catch {
      values[key] = raw;
    }
  }
  return readStackSettings(values, pulumi.getStack());
}

/** The value at a dotted config key; keys may hold dots themselves (`instanceTypes.m6i.xlarge.vcpu`). */
export function lookup(values: unknown, key: string): unknown {
  if (key === '') return values;
  if (values === null || typeof values !== 'object') return undefined;
  const record = values as Record<string, unknown>;
  if (key in record) return record[key];
  const parts = key.split('.');
  for (let i = parts.length - 1; i >= 1; i--) {
    const head = parts.slice(0, i).join('.');
    if (head in record) return lookup(record[head], parts.slice(i).join('.'));
  }
  return undefined;
}

function withValue(value: unknown, reason: string): string {
  return value === undefined || reason.startsWith('(') ? reason : `(${formatValue(value)}) ${reason}`;
}

function failed(issues: Issue[]): Error {
  if (issues.length === 1) return new pulumi.InputPropertyError(issues[0]);
  return new pulumi.InputPropertiesError({ message: `${issues.length} problems in the stack's perfstack config`, errors: issues });
}

type Report = (key: string, reason: string) => void;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPositive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

function readInstanceTypes(v: unknown, issue: Report): Record<string, InstanceType> {
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

function readNodePools(v: unknown, spotPercent: number, table: Record<string, InstanceType>, issue: Report): NodePoolsConfig {
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

function readCluster(v: unknown, issue: Report): ClusterConfig {
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
  for (const k of Object.keys(v)) {
    if (!['publicAccessCidrs', 'adminRoleArns'].includes(k))
      issue(`cluster.${k}`, 'is not a cluster setting; known: publicAccessCidrs, adminRoleArns');
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

function readNodeOverhead(v: unknown, issue: Report): NodeOverhead {
  if (v === undefined) return DEFAULT_NODE_OVERHEAD;
  if (!isRecord(v) || !isPositive(v.cpuMillis) || !isPositive(v.memoryMiB)) {
    issue('nodeOverhead', 'must be { cpuMillis, memoryMiB } with positive numbers, or omitted for the EKS default');
    return DEFAULT_NODE_OVERHEAD;
  }
  return { cpuMillis: v.cpuMillis, memoryMiB: v.memoryMiB };
}

const anything = z.unknown();
/** Every key of T as an unchecked field: the readers check types and values with better messages. */
function keysOf<T>(keys: Record<keyof T, true>) {
  return strict(Object.fromEntries(Object.keys(keys).map((k) => [k, anything.optional()])));
}
/** The nested objects of the config, for unknown keys only. A key added to these interfaces is a type error here. */
const NESTED_KEYS = z.looseObject({
  nodePools: strict({
    onDemand: keysOf<NodePoolsConfig['onDemand']>({ instanceTypes: true }).optional(),
    spot: keysOf<NonNullable<NodePoolsConfig['spot']>>({ instanceTypes: true }).optional(),
  }).optional(),
  instanceTypes: z
    .record(z.string(), keysOf<InstanceType>({ vcpu: true, memoryGiB: true, onDemandHourly: true, spotHourly: true, reservedHourly: true }))
    .optional(),
  nodeOverhead: keysOf<NodeOverhead>({ cpuMillis: true, memoryMiB: true }).optional(),
});

const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'];
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/;

function readCdn(v: unknown, production: boolean, issue: Report): CdnConfig {
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
  for (const k of Object.keys(v)) {
    if (!['apiOriginDomain', 'aliases', 'certificateArn', 'priceClass', 'originShield', 'apiCaching'].includes(k)) {
      issue(`${key}.${k}`, 'is not a CDN setting; known: aliases, certificateArn, priceClass, originShield, apiCaching');
    }
  }
  return {
    aliases: aliases as string[],
    certificateArn: certificateArn as string | undefined,
    priceClass: priceClass as CdnConfig['priceClass'],
    originShield: originShield as boolean,
    apiCaching: apiCaching as ApiCaching,
  };
}

function readOperators(v: unknown, issue: Report): Partial<Record<OperatorName, OperatorConfig>> {
  if (v === undefined) return {};
  const known = Object.keys(OPERATOR_CATALOGUE);
  if (!isRecord(v)) {
    issue('operators', `must be an object keyed by operator (${known.join(', ')}): { <name>: { managed: false } }`);
    return {};
  }
  const out: Partial<Record<OperatorName, OperatorConfig>> = {};
  for (const [name, c] of Object.entries(v)) {
    const key = `operators.${name}`;
    if (!known.includes(name)) {
      issue(key, `is not an operator perfstack installs; known: ${known.join(', ')}`);
      continue;
    }
    if (!isRecord(c)) {
      issue(key, 'must be an object: { managed: false } or { chartVersion: "x.y.z" }');
      continue;
    }
    for (const k of Object.keys(c))
      if (!['managed', 'chartVersion'].includes(k)) issue(`${key}.${k}`, 'is not an operator setting; known: managed, chartVersion');
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
function readIngress(v: unknown, env: Environment, issue: Report): Environment | undefined {
  if (v === undefined) return undefined;
  const arn = isRecord(v) ? v.certificateArn : undefined;
  if (!isRecord(v) || Object.keys(v).some((k) => k !== 'certificateArn')) {
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
