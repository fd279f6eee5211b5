/**
 * Every Kubernetes label value in synthesized objects: metadata labels, matchLabels and map selectors (a Service's),
 * at any depth; Prometheus rule labels (`spec.groups`), which are not Kubernetes labels, are left out.
 */
export function labelValuesOf(objects: readonly unknown[]): { where: string; value: string }[] {
  const found: { where: string; value: string }[] = [];
  const walk = (node: unknown, at: string): void => {
    if (/\.groups$/.test(at)) return;
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`));
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      const isMap = typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
      if (isMap && (k === 'labels' || k === 'matchLabels' || k === 'selector' || k === 'nodeSelector'))
        for (const [lk, lv] of Object.entries(v as Record<string, string>)) found.push({ where: `${at}.${k}.${lk}`, value: lv });
      else walk(v, `${at}.${k}`);
    }
  };
  objects.forEach((o, i) => walk(o, `[${i}]`));
  return found;
}
