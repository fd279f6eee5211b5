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
