/** The guard against YAML alias bombs: a document whose aliases expand it far beyond its text is refused. */

/**
 * Aliases may make a document far larger than its text (a "billion laughs" alias bomb: 10 aliases of 10 aliases of
 * ... of a string). js-yaml shares aliased values instead of copying them, so the parse is cheap, but every walk of
 * the value (rules, reports) would see the expanded tree. Returns the size of that tree, counted up to a little past
 * `limit`; Infinity for an alias inside its own anchor.
 */
export function expandedSize(value: unknown, limit: number): number {
  const sizes = new Map<object, number>();
  const onPath = new Set<object>();
  const size = (v: unknown): number => {
    if (typeof v !== 'object' || v === null) return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    if (onPath.has(v)) return Infinity; // an alias inside its own anchor: infinite
    onPath.add(v);
    let n = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      n += size(child);
      if (n > limit) break;
    }
    onPath.delete(v);
    sizes.set(v, n);
    return n;
  };
  return size(value);
}

/** Expanded nodes a document may have per byte of its text before it is taken for an alias bomb. */
export const EXPANSION_PER_BYTE = 10;
export const EXPANSION_FLOOR = 100_000;

/** The problem with a parsed document's aliases, or undefined when its expanded size is in proportion to its text. */
export function aliasProblem(text: string, value: unknown): string | undefined {
  // Without an anchor there can be no alias: only documents with '&' need the walk.
  if (!text.includes('&') || typeof value !== 'object' || value === null) return undefined;
  const limit = Math.max(EXPANSION_FLOOR, EXPANSION_PER_BYTE * text.length);
  const size = expandedSize(value, limit);
  if (size <= limit) return undefined;
  return size === Infinity
    ? 'an alias refers to the node that holds it: the document would be endless; write the values out instead'
    : `aliases expand this document of ${text.length} bytes to more than ${limit.toLocaleString('en-US')} nodes (a YAML alias bomb); write the values out instead of aliasing them`;
}
