/**
 * Strict validation of synthesized objects, as `kubectl apply --validate=strict` would do it offline: built-in kinds
 * against the Kubernetes 1.28 OpenAPI definitions, custom resources against their CRD's openAPIV3Schema. Unknown
 * fields fail: every object schema that lists properties is closed (`additionalProperties: false`) unless it says
 * `x-kubernetes-preserve-unknown-fields`.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

export const SHARED_CRDS = path.resolve(__dirname, '../../../shared/crds');
const K8S_DEFINITIONS = path.join(SHARED_CRDS, 'k8s-v1.28.0_definitions.json');
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
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, code: { regExp: re2 } });
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

export class SchemaValidator {
  private readonly ajv = makeAjv();
  private readonly builtin = new Map<string, string>();
  private readonly crdSchemas = new Map<string, Schema>();
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(crdDir = SHARED_CRDS) {
    const defs = (JSON.parse(fs.readFileSync(K8S_DEFINITIONS, 'utf8')) as { definitions: Record<string, Schema> }).definitions;
    const hardened: Record<string, unknown> = {};
    for (const [name, def] of Object.entries(defs)) {
      hardened[name] = harden(def, false);
      const kinds = (def['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[];
      for (const k of kinds) this.builtin.set(gvk(k.group ? `${k.group}/${k.version}` : k.version, k.kind), name);
    }
    this.ajv.addSchema({ $id: 'k8s.json', definitions: hardened });

    for (const file of fs
      .readdirSync(crdDir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(crdDir, file), 'utf8'))) {
        const crd = doc.toJS() as Schema | null;
        if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
        const spec = crd.spec as {
          group: string;
          names: { kind: string };
          versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Schema } }[];
        };
        for (const v of spec.versions) {
          if (!v.served || !v.schema) continue;
          const schema = harden(v.schema.openAPIV3Schema, true) as Schema;
          // CRDs leave metadata open; the API server still applies ObjectMeta's schema to it.
          schema.properties = { ...(schema.properties as Schema), metadata: { $ref: OBJECT_META } };
          schema.required = [...new Set([...((schema.required as string[]) ?? []), 'apiVersion', 'kind', 'metadata'])];
          this.crdSchemas.set(gvk(`${spec.group}/${v.name}`, spec.names.kind), schema);
        }
      }
    }
  }

  /** Kinds this validator knows, for messages. */
  public knows(apiVersion: string, kind: string): boolean {
    const key = gvk(apiVersion, kind);
    return this.builtin.has(key) || this.crdSchemas.has(key);
  }

  /** Human-readable errors for one object; empty when it is valid. */
  public validate(obj: KubeObject): string[] {
    const key = gvk(obj.apiVersion, obj.kind);
    let fn = this.compiled.get(key);
    if (!fn) {
      const builtin = this.builtin.get(key);
      const crd = this.crdSchemas.get(key);
      if (builtin) fn = this.ajv.getSchema(`k8s.json#/definitions/${builtin}`);
      else if (crd) fn = this.ajv.compile(crd);
      if (!fn) return [`${key}: no schema for this kind (neither Kubernetes 1.28 nor a CRD in ${SHARED_CRDS})`];
      this.compiled.set(key, fn);
    }
    if (fn(obj)) return [];
    return (fn.errors ?? []).map((e) => describe(key, obj, e));
  }
}

function describe(key: string, obj: KubeObject, e: ErrorObject): string {
  const where = `${key} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}${e.instancePath}`;
  if (e.keyword === 'additionalProperties')
    return `${where}: unknown field '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  return `${where}: ${e.message}`;
}
