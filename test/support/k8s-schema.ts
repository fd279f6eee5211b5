/**
 * Strict validation of synthesized objects, as `kubectl apply --validate=strict` would do it offline, for one
 * Kubernetes version: built-in kinds against that version's OpenAPI definitions, custom resources against the CRDs
 * of the operator lines in force for it (stacks/kubernetes-versions.ts). Unknown fields fail: every object schema
 * that lists properties is closed (`additionalProperties: false`) unless it says `x-kubernetes-preserve-unknown-fields`.
 *
 * The schema files are the upstream files named in schemas/manifest.json, read from {@link schemasDir}.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { workerCache } from './worker-cache';
import { KUBERNETES_VERSIONS, KubernetesVersion, OPERATORS_FOR, OperatorVersions } from '../../stacks/kubernetes-versions';

const REPO = path.resolve(__dirname, '../..');
export const MANIFEST_FILE = path.join(REPO, 'schemas/manifest.json');

/** The committed copies of the upstream files (`npm run schemas:vendor` refreshes them from ../shared/crds). */
export const VENDORED_SCHEMAS = path.join(REPO, 'schemas/files');

/**
 * Where the schema files are: `PERFSTACK_SCHEMAS_DIR`, else `../shared/crds` where it exists (this workplace), else
 * the committed `schemas/files/`, so a bare clone's `npm test` needs nothing else.
 */
export function schemasDir(): string {
  if (process.env.PERFSTACK_SCHEMAS_DIR) return path.resolve(process.env.PERFSTACK_SCHEMAS_DIR);
  const shared = path.resolve(REPO, '../shared/crds');
  return fs.existsSync(shared) ? shared : VENDORED_SCHEMAS;
}

export const SHARED_CRDS = schemasDir();

/** One upstream file of schemas/manifest.json. */
export interface SchemaFile {
  readonly file: string;
  /** `kubernetes`, `keda`, `cloudnative-pg`, ... */
  readonly component: string;
  readonly version: string;
  /** The kind a CRD file defines (the first, for files with several). */
  readonly kind?: string;
  readonly url: string;
  readonly repository: string;
  readonly path: string;
  readonly tag?: string;
  readonly commit: string;
  readonly bytes: number;
  readonly sha256: string;
}

export function readSchemaManifest(): readonly SchemaFile[] {
  return (JSON.parse(fs.readFileSync(MANIFEST_FILE, 'utf8')) as { files: SchemaFile[] }).files;
}

/** The files one Kubernetes version is validated against, and what had to stand in for a file that is not stored. */
export interface SchemaSet {
  readonly version: KubernetesVersion;
  /** File of the Kubernetes definitions. */
  readonly kubernetes: string;
  /** CRD files, one per custom-resource kind. */
  readonly crds: readonly string[];
  /** One line per substitution: which stored file stands for a release that is not stored. */
  readonly substitutions: readonly string[];
}

/** Manifest component of each operator in {@link OperatorVersions}. */
const COMPONENT_OF: Readonly<Record<string, keyof OperatorVersions>> = {
  vpa: 'verticalPodAutoscaler',
  keda: 'keda',
  'cloudnative-pg': 'cloudnativePg',
  'prometheus-operator': 'prometheusOperator',
  'k6-operator': 'k6Operator',
  karpenter: 'karpenter',
  'chaos-mesh': 'chaosMesh',
  'aws-load-balancer-controller': 'awsLoadBalancerController',
};

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * The nearest stored file for a wanted release: the same release; else the newest older one (operator lines only add
 * fields, so anything the older file accepts the wanted line accepts too: the strict choice); else the oldest newer one.
 */
function nearest(candidates: readonly SchemaFile[], wanted: string): SchemaFile {
  const sorted = [...candidates].sort((a, b) => compareVersions(a.version, b.version));
  return (
    sorted.find((c) => c.version === wanted) ??
    sorted.filter((c) => compareVersions(c.version, wanted) < 0).pop() ??
    sorted.find((c) => compareVersions(c.version, wanted) > 0)!
  );
}

/**
 * Kubernetes definitions are stored for 1.28, 1.34 and 1.35. 1.29 to 1.33 use the nearest stored file that has
 * every field they serve: 1.34's. 1.28's would be nearer for 1.29 and 1.30 but lacks fields they serve and that
 * version-gated features emit (the kubelet's preStop `sleep` from 1.30); Kubernetes does not remove fields within an
 * API version, so a newer file accepts what an older cluster serves. That a field is not emitted before its minor is
 * what the gates' own tests check, on both sides of each gate.
 */
const KUBERNETES_SCHEMA_FOR: Readonly<Record<KubernetesVersion, string>> = {
  '1.28': '1.28.0',
  '1.29': '1.34.0',
  '1.30': '1.34.0',
  '1.31': '1.34.0',
  '1.32': '1.34.0',
  '1.33': '1.34.0',
  '1.34': '1.34.0',
  '1.35': '1.35.0',
  '1.36': '1.36.0',
};

/** The schema files for a Kubernetes version and the operator lines in force for it. */
export function schemaSetFor(version: KubernetesVersion, operators: OperatorVersions = OPERATORS_FOR[version]): SchemaSet {
  const manifest = readSchemaManifest();
  const substitutions: string[] = [];
  const k8s = manifest.find((f) => f.component === 'kubernetes' && f.version === KUBERNETES_SCHEMA_FOR[version])!;
  if (!k8s.version.startsWith(`${version}.`)) substitutions.push(`Kubernetes ${version}: definitions of ${k8s.version} (${k8s.file})`);
  const crds: string[] = [];
  const byKind = new Map<string, SchemaFile[]>();
  for (const f of manifest.filter((m) => m.component !== 'kubernetes')) byKind.set(f.kind!, [...(byKind.get(f.kind!) ?? []), f]);
  for (const [kind, files] of byKind) {
    const wanted = operators[COMPONENT_OF[files[0].component]] ?? files[0].version;
    const chosen = nearest(files, wanted);
    if (chosen.version !== wanted) substitutions.push(`${files[0].component} ${wanted} ${kind}: CRD of ${chosen.version} (${chosen.file})`);
    crds.push(chosen.file);
  }
  return { version, kubernetes: k8s.file, crds: crds.sort(), substitutions };
}

const OBJECT_META = 'k8s.json#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

type Schema = { [key: string]: unknown };

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [key: string]: unknown;
}

/** Closes object schemas and translates Kubernetes OpenAPI extensions to JSON Schema. */
function harden(node: unknown, crd: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => harden(n, crd));
  if (node === null || typeof node !== 'object') return node;
  const src = node as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(src)) {
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, harden(s, crd)])) : harden(v, crd);
  }
  if (src.properties && src.additionalProperties === undefined && src['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (crd && src['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (crd && src.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

/**
 * CRD patterns are Go RE2. JavaScript lacks RE2's inline case-insensitive flag `(?i)`: drop it and make the whole
 * pattern case-insensitive (every CRD use here puts it at the start of the pattern or right after `^`).
 */
function re2(pattern: string, flags: string): RegExp {
  return pattern.includes('(?i)') ? new RegExp(pattern.split('(?i)').join(''), `${flags}i`) : new RegExp(pattern, flags);
}
re2.code = 're2';

function makeAjv(): Ajv {
  // Without ajv's passes that tidy the generated code, compiling a version's validators takes about half the time
  // (0.7 s against 1.3 s for 1.35, in every test worker); validating what tests synthesize stays a few milliseconds.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, code: { regExp: re2, optimize: false } });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  for (const f of ['double', 'float', 'byte', 'int-or-string', 'quantity']) ajv.addFormat(f, true);
  return ajv;
}

/** GVK key, e.g. `apps/v1/Deployment` or `v1/Service`. */
function gvk(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/**
 * One Kubernetes definitions file compiled into an Ajv instance, with the CRD validators compiled against it (their
 * `metadata` refers to its ObjectMeta). Shared by every schema set that reads the same definitions file.
 */
class KubernetesCore {
  public readonly ajv = makeAjv();
  private readonly builtin = new Map<string, string>();
  private readonly compiled = new Map<string, ValidateFunction>();
  /** CRD schemas by file, then by GVK; a file is parsed when a kind first needs it. */
  private readonly crdFiles = new Map<string, Map<string, Schema>>();

  constructor(file: string) {
    const defs = (JSON.parse(fs.readFileSync(file, 'utf8')) as { definitions: Record<string, Schema> }).definitions;
    const hardened: Record<string, unknown> = {};
    for (const [name, def] of Object.entries(defs)) {
      hardened[name] = harden(def, false);
      const kinds = (def['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[];
      for (const k of kinds) this.builtin.set(gvk(k.group ? `${k.group}/${k.version}` : k.version, k.kind), name);
    }
    this.ajv.addSchema({ $id: 'k8s.json', definitions: hardened });
  }

  public hasBuiltin(key: string): boolean {
    return this.builtin.has(key);
  }

  public builtinValidator(key: string): ValidateFunction | undefined {
    const name = this.builtin.get(key);
    return name === undefined ? undefined : this.ajv.getSchema(`k8s.json#/definitions/${name}`);
  }

  /** The CRD schemas of one file, by GVK. */
  public crds(file: string): ReadonlyMap<string, Schema> {
    let schemas = this.crdFiles.get(file);
    if (schemas) return schemas;
    schemas = new Map();
    // js-yaml: about 7 times faster than `yaml` on these multi-megabyte files, with the same YAML 1.2 core schema.
    for (const crd of loadAll(fs.readFileSync(file, 'utf8'), null, { schema: CORE_SCHEMA }) as (Schema | null)[]) {
      if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
      const spec = crd.spec as {
        group: string;
        names: { kind: string };
        versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Schema } }[];
      };
      for (const v of spec.versions) {
        if (!v.served || !v.schema) continue;
        const schema = harden(v.schema.openAPIV3Schema, true) as Schema;
        // CRDs leave metadata open; the API server still applies ObjectMeta's schema to it. apiVersion and kind are
        // always accepted, whether the CRD's schema lists them (most do) or not (Istio's).
        schema.properties = {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          ...(schema.properties as Schema),
          metadata: { $ref: OBJECT_META },
        };
        schema.required = [...new Set([...((schema.required as string[]) ?? []), 'apiVersion', 'kind', 'metadata'])];
        schemas.set(gvk(`${spec.group}/${v.name}`, spec.names.kind), schema);
      }
    }
    this.crdFiles.set(file, schemas);
    return schemas;
  }

  public crdValidator(file: string, key: string): ValidateFunction | undefined {
    const id = `${file}#${key}`;
    let fn = this.compiled.get(id);
    if (!fn) {
      const schema = this.crds(file).get(key);
      if (!schema) return undefined;
      fn = this.ajv.compile(schema);
      this.compiled.set(id, fn);
    }
    return fn;
  }
}

export class SchemaValidator {
  private readonly core: KubernetesCore;
  /** The CRD file that defines each GVK, once looked up. */
  private readonly crdFileOf = new Map<string, string | null>();

  constructor(
    public readonly set: SchemaSet = schemaSetFor(KUBERNETES_VERSIONS[0]),
    public readonly dir: string = schemasDir(),
    core?: KubernetesCore,
  ) {
    this.core = core ?? new KubernetesCore(path.join(dir, set.kubernetes));
  }

  /** The set's CRD file defining `key`: files whose manifest kind is `kind` first, so the others are rarely parsed. */
  private crdFile(key: string, kind: string): string | undefined {
    if (!this.crdFileOf.has(key)) {
      const manifest = readSchemaManifest();
      const kindOf = (f: string) => manifest.find((m) => m.file === f)?.kind;
      const order = [...this.set.crds.filter((f) => kindOf(f) === kind), ...this.set.crds.filter((f) => kindOf(f) !== kind)];
      const found = order.map((f) => path.join(this.dir, f)).find((f) => this.core.crds(f).has(key));
      this.crdFileOf.set(key, found ?? null);
    }
    return this.crdFileOf.get(key) ?? undefined;
  }

  /** Kinds this validator knows, for messages. */
  public knows(apiVersion: string, kind: string): boolean {
    const key = gvk(apiVersion, kind);
    return this.core.hasBuiltin(key) || this.crdFile(key, kind) !== undefined;
  }

  /** Human-readable errors for one object; empty when it is valid. */
  public validate(obj: KubeObject): string[] {
    const key = gvk(obj.apiVersion, obj.kind);
    let fn = this.core.builtinValidator(key);
    if (!fn) {
      const file = this.crdFile(key, obj.kind);
      if (file) fn = this.core.crdValidator(file, key);
    }
    if (!fn) return [`${key}: no schema for this kind (neither in ${this.set.kubernetes} nor a CRD of ${this.set.crds.join(', ')})`];
    if (fn(obj)) return [];
    return (fn.errors ?? []).map((e) => describe(key, obj, e));
  }

  /** A validator for another set that reads the same definitions file, sharing what this one compiled. */
  public sibling(set: SchemaSet): SchemaValidator {
    if (set.kubernetes !== this.set.kubernetes) throw new Error(`${set.kubernetes} is not ${this.set.kubernetes}`);
    return new SchemaValidator(set, this.dir, this.core);
  }
}

/**
 * The validator for a Kubernetes version and the operator lines in force (default: those of
 * {@link OPERATORS_FOR}), shared by every test of the worker; sets that read the same definitions file share their
 * compiled definitions. Defaults to the oldest supported version, whose schema files are the strictest (fewest
 * fields), for constructs tested without an environment.
 */
export function schemaValidator(version: KubernetesVersion = KUBERNETES_VERSIONS[0], operators?: OperatorVersions): SchemaValidator {
  const set = schemaSetFor(version, operators);
  const dir = schemasDir();
  // Versions with the same files (1.29 to 1.32) share one validator.
  const key = JSON.stringify([dir, set.kubernetes, set.crds]);
  // Built once per worker (about 1 s to read and 1-2 s to compile each), not once per test file.
  const cache = workerCache<SchemaValidator>('schema-validators');
  let v = cache.get(key);
  if (!v) {
    const sameDefinitions = [...cache.values()].find((c) => c.dir === dir && c.set.kubernetes === set.kubernetes);
    v = sameDefinitions ? sameDefinitions.sibling(set) : new SchemaValidator(set, dir);
    cache.set(key, v);
  }
  return v;
}

function describe(key: string, obj: KubeObject, e: ErrorObject): string {
  const where = `${key} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}${e.instancePath}`;
  if (e.keyword === 'additionalProperties')
    return `${where}: unknown field '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  return `${where}: ${e.message}`;
}
