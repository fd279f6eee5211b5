/**
 * Every image an environment runs, found in its synthesized objects. The walk is generic (any string under a key
 * named `image` or `imageName`) so it finds containers, init containers, CronJob and Job templates, CloudNativePG
 * `imageName`, Pooler templates and k6 runners alike: a bundle that misses an image fails at the site, offline.
 */
export function imagesIn(objects: readonly unknown[]): string[] {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'image' || key === 'imageName') && typeof value === 'string') found.add(value);
      else visit(value);
    }
  };
  objects.forEach(visit);
  return [...found].sort();
}

/** Replaces image references by the given map, in place, wherever {@link imagesIn} finds them. */
export function rewriteImages(objects: readonly unknown[], to: ReadonlyMap<string, string>): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if ((key === 'image' || key === 'imageName') && typeof value === 'string') {
        const replaced = to.get(value);
        if (replaced === undefined) throw new Error(`image '${value}' has no resolved digest`);
        record[key] = replaced;
      } else visit(value);
    }
  };
  objects.forEach(visit);
}
