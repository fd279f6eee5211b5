/**
 * The one reader of image references (`registry[:port]/repository[:tag][@sha256:digest]`), shared by the constructs
 * (version labels, input checks), the policies (pinned images, air-gap registry) and the offline tools.
 * @see https://github.com/distribution/reference/blob/main/reference.go
 */

/** A reference split into its parts; `tag` and `digest` are undefined when absent. */
export interface ImageReference {
  /** Everything before the tag and digest: `registry.example.com:5000/web/api`. */
  readonly name: string;
  readonly tag?: string;
  /** `sha256:<64 hex>`; a malformed digest is not a digest (and makes the reference unpinned). */
  readonly digest?: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function parseImage(image: string): ImageReference {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 && DIGEST.test(image.slice(at + 1)) ? image.slice(at + 1) : undefined;
  // A ':' before the last '/' is a registry port, not a tag.
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > ref.lastIndexOf('/');
  return { name: hasTag ? ref.slice(0, colon) : ref, tag: hasTag ? ref.slice(colon + 1) : undefined, digest };
}

/** True when the reference pins a well-formed `sha256` digest. */
export function hasDigest(image: string): boolean {
  return parseImage(image).digest !== undefined;
}

/** The tag of an image reference, or undefined. */
export function imageTag(image: string): string | undefined {
  return parseImage(image).tag;
}

/** Reproducible: a sha256 digest, or a tag other than `latest`. */
export function isPinned(image: string): boolean {
  const { tag, digest } = parseImage(image);
  return digest !== undefined || (tag !== undefined && tag !== '' && tag !== 'latest');
}

/**
 * The same reference checked against the grammar and split the way registries and container runtimes read it
 * (distribution/reference), for the air-gap bundle, which resolves and rewrites references: `[registry/]path[:tag]
 * [@sha256:digest]`, with the same digest rule as {@link parseImage}. The registry is the first component when it has a dot or a port or is
 * `localhost`; otherwise the reference is relative (Docker Hub).
 */
export interface ImageRef {
  /** `registry.airgap.internal:5000`, or undefined for a Docker Hub short name. */
  readonly registry?: string;
  /** `library/redis` */
  readonly path: string;
  /** `7.2.5`, or undefined when only a digest pins it. */
  readonly tag?: string;
  /** `sha256:<64 hex>` */
  readonly digest?: string;
}

const TAG = /^[\w][\w.-]{0,127}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Parses an image reference; undefined when it is not one (a scheme, spaces, an empty path or a bad digest). */
export function parseImageRef(ref: string): ImageRef | undefined {
  if (ref.length === 0 || ref.length > 1024 || /\s|:\/\//.test(ref)) return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const parts = rest.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost')) registry = parts.shift();
  if (parts.length === 0 || !parts.every((p) => PATH_COMPONENT.test(p))) return undefined;
  return { registry, path: parts.join('/'), tag, digest };
}

/** The reference as text: `registry/path:tag@digest`, leaving out what is unset. */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry ? `${ref.registry}/` : ''}${ref.path}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The same image pulled from another registry, e.g. the site registry replaced by a connected mirror. */
export function withRegistry(ref: ImageRef, registry: string | undefined): ImageRef {
  return { ...ref, registry };
}
