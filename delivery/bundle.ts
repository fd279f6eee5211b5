import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { ChartSource, fetchChart, renderedChartImages } from './charts';
import { writeChecksums } from './checksums';
import { GATEWAY_API_CRDS_FILE, fetchGatewayApiCrds } from './gateway-api-crds';
import { ImageRef, formatImageRef, parseImageRef, withRegistry } from '../manifests/images';
import { imagesIn, rewriteImages } from './images';
import { GATEWAY_API_CRDS } from '../stacks/operator-catalogue';
import { RegistryAccess, copyToLayout, layoutDigest, resolveDigest } from './skopeo';

/** A file of the environment as synthesized (`00-platform.k8s.yaml`, `helm/...values.yaml`), relative to dist/<env>/. */
export interface BundleInputFile {
  readonly path: string;
  readonly content: string;
}

/** Where the connected side pulls an image from, by the image's path under the site registry. */
export interface ImageSources {
  /** Path prefix (`cloudnative-pg/`) to registry (`ghcr.io`); the longest matching prefix wins. */
  readonly byPrefix?: Readonly<Record<string, string>>;
  /** Registry for every image no prefix matches: a connected mirror holding everything (Harbor, ECR, a test registry). */
  readonly fallback?: string;
  /** Public upstream of further images by path prefix (the operators' images), used when there is no mirror. */
  readonly upstream?: Readonly<Record<string, string>>;
}

/**
 * Upstream registries of the public images perfstack runs, by path under the site registry. Service images
 * (`perfstack/...`) are the user's own and come from `--from`.
 */
export const UPSTREAM_REGISTRIES: Readonly<Record<string, string>> = {
  'library/': 'docker.io',
  'valkey/': 'docker.io',
  'oliver006/': 'docker.io',
  'grafana/': 'docker.io',
  'curlimages/': 'docker.io',
  'cloudnative-pg/': 'ghcr.io',
};

export interface BundleOptions {
  readonly environment: string;
  readonly kubernetesVersion: string;
  /** The site registry the manifests pull from. */
  readonly registry: string;
  readonly files: readonly BundleInputFile[];
  /** Operator charts in install order. */
  readonly charts: readonly ChartSource[];
  /** Images the charts run, as the site will pull them (under `registry`). */
  readonly chartImages?: readonly string[];
  readonly sources: ImageSources;
  readonly access?: RegistryAccess;
  /** The helm binary that renders the charts to find their images. @default 'helm' on PATH */
  readonly helm?: string;
  /** Fetch every chart from this Helm repository instead of each chart's own (a connected mirror). */
  readonly chartMirror?: string;
  /**
   * Where to download Gateway API's standard-install.yaml from (its pinned release URL, or a connected mirror of it),
   * for an environment whose edge or mesh needs Gateway API: install.sh applies it before any chart.
   * @default none: the bundle carries no CRD file
   */
  readonly gatewayApiCrds?: string;
}

export interface BundledImage {
  /** Path under the registry, `library/redis`. */
  readonly name: string;
  /** Tag, `7.2.5`. */
  readonly version: string;
  readonly digest: string;
  /** Where the connected side pulled it from. */
  readonly source: string;
  /** As the bundled manifests reference it: site registry, tag and digest. */
  readonly reference: string;
}

export interface Inventory {
  readonly format: 'perfstack-bundle/v1';
  readonly environment: string;
  readonly kubernetesVersion: string;
  readonly registry: string;
  readonly images: readonly BundledImage[];
  readonly charts: readonly {
    readonly release: string;
    readonly chart: string;
    readonly version: string;
    readonly namespace: string;
    readonly repository: string;
    readonly file: string;
    readonly sha256: string;
  }[];
  readonly manifests: readonly string[];
  /** CRD files install.sh applies (server-side) before the charts: Gateway API's standard channel where needed. */
  readonly crds: readonly {
    readonly name: string;
    readonly version: string;
    readonly source: string;
    readonly file: string;
    readonly sha256: string;
  }[];
  /**
   * The charts' images come from `helm template` of each chart with its values, beside the catalogue's list. False
   * when helm was not installed on the connected side: images a chart adds beyond the catalogue are then missing.
   */
  readonly chartImagesRendered: boolean;
}

/** A bundle input that cannot be used: one line for the user. */
export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

/**
 * The registry an image is pulled from on the connected side: an explicit prefix first, then the mirror holding
 * everything, then the public upstream of well-known images.
 */
export function sourceRegistry(name: string, sources: ImageSources): string | undefined {
  const longest = (table: Readonly<Record<string, string>>) => {
    const match = Object.keys(table)
      .sort((a, b) => b.length - a.length)
      .find((p) => name.startsWith(p));
    return match === undefined ? undefined : table[match];
  };
  return longest(sources.byPrefix ?? {}) ?? sources.fallback ?? longest({ ...UPSTREAM_REGISTRIES, ...sources.upstream });
}

/** Registry lookups a bundle build has in flight at once. */
const RESOLVING_AT_ONCE = 8;

/** `fn` of every item, at most `width` at a time; the results in the items' order. */
export async function inFlight<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let started = 0;
  const lane = async (): Promise<void> => {
    for (let i = started++; i < items.length; i = started++) results[i] = await fn(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}

/** Bundle file of the OCI layout and the name an image is stored under in it. */
const LAYOUT = 'images';
const refName = (ref: ImageRef) => `${ref.path}:${ref.tag ?? 'latest'}`;

/**
 * Builds a bundle into `dir` (which must be empty or missing): every image resolved to a digest, copied into one
 * OCI layout and referenced by digest in the manifests; the charts; an inventory; the install script; checksums.
 * Returns the aggregate checksum to hand to the site out of band.
 */
export async function buildBundle(dir: string, options: BundleOptions): Promise<{ aggregate: string; inventory: Inventory }> {
  const manifests = options.files.filter((f) => f.path.endsWith('.k8s.yaml')).sort((a, b) => a.path.localeCompare(b.path));
  const documents = new Map(manifests.map((f) => [f.path, parseAllDocuments(f.content).map((d) => d.toJS() as unknown)]));
  // Charts first: what they render adds images (when helm is there to render them).
  const fetched = [];
  for (const chart of options.charts)
    fetched.push({ chart, ...(await fetchChart(options.chartMirror ? { ...chart, repository: options.chartMirror } : chart)) });
  const gatewayApi = options.gatewayApiCrds === undefined ? undefined : await fetchGatewayApiCrds(options.gatewayApiCrds);
  const rendered = fetched.map((f) => renderedChartImages(f.chart, f.archive, options.helm));
  const chartImagesRendered = rendered.every((r) => r !== undefined);
  const references = [
    ...new Set([...imagesIn([...documents.values()].flat()), ...(options.chartImages ?? []), ...rendered.flatMap((r) => r ?? [])]),
  ].sort();

  // The digests are looked up side by side: each lookup is a registry round trip (a second or more to a public
  // registry), so a bundle of 30 images waited half a minute one at a time. Problems stay in reference order.
  const resolved = await inFlight(references, RESOLVING_AT_ONCE, async (reference) => {
    const ref = parseImageRef(reference);
    if (!ref) return { problem: `image '${reference}': not a valid image reference` };
    if (ref.registry !== options.registry)
      return { problem: `image '${reference}': not under the site registry ${options.registry}; every image must be pulled through it` };
    const registry = sourceRegistry(ref.path, options.sources);
    if (!registry)
      return {
        problem: `image '${reference}': no source registry for '${ref.path}'; pass --from <registry> or --source ${ref.path.split('/')[0]}/=<registry>`,
      };
    const source = formatImageRef(withRegistry(ref, registry));
    let digest: string;
    try {
      digest = await resolveDigest(source, options.access);
    } catch (e) {
      return { problem: `image '${reference}': ${(e as Error).message} (pulling ${source})` };
    }
    if (ref.digest && ref.digest !== digest) return { problem: `image '${reference}': pinned to ${ref.digest} but ${source} is ${digest}` };
    const pinned = formatImageRef({ ...ref, digest });
    return { image: { name: ref.path, version: ref.tag ?? '', digest, source, reference: pinned }, reference };
  });
  const problems = resolved.flatMap((r) => (r.problem === undefined ? [] : [r.problem]));
  const images: BundledImage[] = resolved.flatMap((r) => (r.image ? [r.image] : []));
  const byDigest = new Map(resolved.flatMap((r) => (r.image ? [[r.reference, r.image.reference] as const] : [])));
  if (problems.length > 0) throw new BundleError(problems.join('\n'));

  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) throw new BundleError(`${dir}: must be empty`);

  // Images first: they are the slow part, and a failure leaves nothing half-rewritten.
  for (const image of images) {
    const ref = parseImageRef(image.reference)!;
    const name = refName(ref);
    // Copied by digest, so a tag moved upstream since it was resolved cannot slip in.
    const from = formatImageRef({ ...withRegistry(ref, parseImageRef(image.source)!.registry), tag: undefined, digest: image.digest });
    copyToLayout(from, path.join(dir, LAYOUT), name, options.access);
    const stored = layoutDigest(path.join(dir, LAYOUT), name);
    if (stored !== image.digest)
      throw new BundleError(`image '${image.reference}': stored as ${stored} in the bundle, expected ${image.digest}`);
  }

  fs.mkdirSync(path.join(dir, 'manifests'));
  for (const f of manifests) {
    const objects = documents.get(f.path)!;
    rewriteImages(objects, byDigest);
    fs.writeFileSync(path.join(dir, 'manifests', path.basename(f.path)), objects.map((o) => stringify(o)).join('---\n'));
  }
  for (const f of options.files.filter((x) => !x.path.endsWith('.k8s.yaml'))) {
    fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.path), f.content);
  }

  const crds: Inventory['crds'][number][] = [];
  if (gatewayApi) {
    fs.mkdirSync(path.join(dir, 'crds'));
    fs.writeFileSync(path.join(dir, GATEWAY_API_CRDS_FILE), gatewayApi.content);
    crds.push({
      name: 'gateway-api-crds',
      version: GATEWAY_API_CRDS.version,
      source: options.gatewayApiCrds!,
      file: GATEWAY_API_CRDS_FILE,
      sha256: gatewayApi.sha256,
    });
  }

  const charts: Inventory['charts'][number][] = [];
  const order: string[] = [];
  fs.mkdirSync(path.join(dir, 'charts'), { recursive: true });
  for (const { chart, file, sha256, archive } of fetched) {
    fs.writeFileSync(path.join(dir, 'charts', file), archive);
    const valuesFile = `charts/values/${chart.release}.yaml`;
    fs.mkdirSync(path.join(dir, 'charts', 'values'), { recursive: true });
    fs.writeFileSync(path.join(dir, valuesFile), stringify(chart.values ?? {}));
    charts.push({
      release: chart.release,
      chart: chart.chart,
      version: chart.version,
      namespace: chart.namespace,
      repository: chart.repository,
      file: `charts/${file}`,
      sha256,
    });
    order.push(`${chart.release}\t${chart.namespace}\tcharts/${file}\t${valuesFile}`);
  }
  fs.mkdirSync(path.join(dir, 'charts'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'charts', 'order.tsv'), order.map((l) => `${l}\n`).join(''));

  // images.tsv is what install.sh reads without jq: name in the layout, target path:tag, digest.
  fs.writeFileSync(
    path.join(dir, 'images.tsv'),
    images.map((i) => `${i.name}:${i.version}\t${i.name}:${i.version}\t${i.digest}\n`).join(''),
  );
  const inventory: Inventory = {
    format: 'perfstack-bundle/v1',
    environment: options.environment,
    kubernetesVersion: options.kubernetesVersion,
    registry: options.registry,
    images,
    charts,
    manifests: manifests.map((f) => `manifests/${path.basename(f.path)}`),
    crds,
    chartImagesRendered,
  };
  fs.writeFileSync(path.join(dir, 'inventory.json'), `${JSON.stringify(inventory, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'registry.txt'), `${options.registry}\n`);
  fs.copyFileSync(installScript(), path.join(dir, 'install.sh'));
  fs.chmodSync(path.join(dir, 'install.sh'), 0o755);
  const aggregate = writeChecksums(dir);
  return { aggregate, inventory };
}

/** delivery/install.sh, from the sources or from beside the compiled module (lib/delivery/ has no copy of it). */
function installScript(): string {
  const candidates = [path.join(__dirname, 'install.sh'), path.join(__dirname, '..', '..', 'delivery', 'install.sh')];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`install.sh not found beside ${__dirname}`);
  return found;
}
