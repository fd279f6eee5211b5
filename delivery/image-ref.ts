/**
 * An image reference split the way registries and container runtimes read it (distribution/reference):
 * `[registry/]path[:tag][@sha256:digest]`. The registry is the first component when it has a dot or a port or is
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

const DIGEST = /^sha256:[a-f0-9]{64}$/;
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
