/**
 * Which CRD files an API server needs for a set of objects: derived from the objects' own apiVersion/kind, so kinds a
 * stack starts to emit are covered without naming them anywhere. Operator lines are honoured: a kind whose operator
 * has a pinned line for the Kubernetes version (stacks/kubernetes-versions.ts) comes from the file schemaSetFor picks
 * for that line (KEDA 2.15 and CloudNativePG 1.24 for 1.28); any other kind from the file in the CRD folder that
 * defines it (the newest release when several do).
 */
import * as fs from 'fs';
import * as path from 'path';
import { KubernetesVersion, OperatorVersions } from '../../stacks/kubernetes-versions';
import { schemaSetFor, schemasDir } from './k8s-schema';
import { KubeObjectRef, crdGroupKind, readCrds } from './kube-apiserver';
import { workerCache } from './worker-cache';

/**
 * The `group/Kind`s Kubernetes itself serves at `version` (from its OpenAPI definitions file, schemaSetFor): every
 * other kind needs a CRD.
 */
export function builtInKinds(version: KubernetesVersion, dir: string = schemasDir()): ReadonlySet<string> {
  const file = path.join(dir, schemaSetFor(version).kubernetes);
  const cache = workerCache<ReadonlySet<string>>('built-in-kinds');
  let kinds = cache.get(file);
  if (!kinds) {
    const defs = (JSON.parse(fs.readFileSync(file, 'utf8')) as { definitions: Record<string, Record<string, unknown>> }).definitions;
    const gvks = Object.values(defs).flatMap((d) => (d['x-kubernetes-group-version-kind'] ?? []) as { group: string; kind: string }[]);
    cache.set(file, (kinds = new Set(gvks.map((k) => `${k.group}/${k.kind}`))));
  }
  return kinds;
}

/** `group/Kind` of an object. */
export function objectGroupKind(obj: Pick<KubeObjectRef, 'apiVersion' | 'kind'>): string {
  return `${obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : ''}/${obj.kind}`;
}

/** The CRD `group/Kind`s each file of `dir` defines (parsed when first asked, per worker). */
function definedIn(file: string): readonly string[] {
  const cache = workerCache<readonly string[]>('crd-kinds-of-file');
  let kinds = cache.get(file);
  if (!kinds) cache.set(file, (kinds = readCrds(file).map(crdGroupKind)));
  return kinds;
}

/** Release in a file name's prefix (`cnpg-v1.24.4_...` -> `1.24.4`, `istio-1.30.3_...` -> `1.30.3`); none: newest. */
function releaseOf(file: string): number[] {
  const m = /^[a-z-]+?-v?(\d+(?:\.\d+)*)_/.exec(path.basename(file));
  return m ? m[1].split('.').map(Number) : [Infinity];
}

function newerFirst(a: string, b: string): number {
  const ra = releaseOf(a);
  const rb = releaseOf(b);
  for (let i = 0; i < Math.max(ra.length, rb.length); i++) if ((ra[i] ?? 0) !== (rb[i] ?? 0)) return (rb[i] ?? 0) - (ra[i] ?? 0);
  return 0;
}

/** The CRD files to install and the `group/Kind`s to install from them. */
export interface CrdSelection {
  readonly files: readonly string[];
  readonly kinds: readonly string[];
}

/**
 * The CRD files defining every custom kind among `objects`, for Kubernetes `version` and its operator lines. Throws
 * naming the kinds no file defines.
 */
export function crdFilesFor(
  objects: readonly Pick<KubeObjectRef, 'apiVersion' | 'kind'>[],
  version: KubernetesVersion,
  operators?: OperatorVersions,
  dir: string = schemasDir(),
): CrdSelection {
  const builtIn = builtInKinds(version, dir);
  const wanted = [...new Set(objects.map(objectGroupKind))].filter((gk) => !builtIn.has(gk)).sort();
  const pinned = schemaSetFor(version, operators).crds.map((f) => path.join(dir, f));
  const everyFile = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(dir, f))
    .sort(newerFirst);
  const files = new Set<string>();
  const missing: string[] = [];
  for (const gk of wanted) {
    const [group, kind] = gk.split('/');
    // Read only files that mention both names: the CRD folder holds megabytes of YAML.
    const mentions = (f: string) => {
      const text = fs.readFileSync(f, 'utf8');
      return text.includes(group) && text.includes(`kind: ${kind}`);
    };
    const file =
      pinned.find((f) => mentions(f) && definedIn(f).includes(gk)) ?? everyFile.find((f) => mentions(f) && definedIn(f).includes(gk));
    if (file) files.add(file);
    else missing.push(gk);
  }
  if (missing.length > 0)
    throw new Error(
      `no CRD file in ${dir} defines ${missing.map((m) => `'${m}'`).join(', ')}: add the upstream CRD file of the operator that serves it (and its schemas/manifest.json entry)`,
    );
  return { files: [...files], kinds: wanted };
}
