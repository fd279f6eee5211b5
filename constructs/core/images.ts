const DIGEST = /@sha256:[a-f0-9]{64}$/;

/** True when the reference pins a `sha256` digest. */
export function hasDigest(image: string): boolean {
  return DIGEST.test(image);
}

/** The tag of an image reference, or undefined (a `:` before the last `/` is a registry port, not a tag). */
export function imageTag(image: string): string | undefined {
  const ref = image.replace(DIGEST, '');
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > lastSlash ? ref.slice(colon + 1) : undefined;
}
