import { evaluate } from '../../policies/engine';
import { ALL_RULES } from '../../policies/rules';
import { KubeObject, PolicyContext, Rule } from '../../policies/types';
import { isService, isWorkload, maximumReplicas, minimumReplicas, podTemplateOf, selects } from '../../manifests/workloads';
import { synthesizeCharts } from '../../stacks/synth';
import { scaledProd } from '../support/environments';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ns = (o: KubeObject) => o.metadata.namespace ?? 'default';

/** The cross-object rules as they were before the label indexes: a scan of every object for every object. */
const BRUTE_FORCE: Record<string, Rule['check']> = {
  'service-selects-pods': (o, ctx) => {
    const selector = o.kind === 'Service' ? o.spec?.selector : undefined;
    if (!selector || Object.keys(selector).length === 0) return [];
    const hit = ctx.objects.some(
      (w) => ns(w) === ns(o) && isWorkload(w) && selects({ matchLabels: selector }, podTemplateOf(w)?.metadata?.labels),
    );
    return hit ? [] : [`selector ${JSON.stringify(selector)} matches no pod template`];
  },
  'pdb-coverage': (o, ctx) => {
    if (!isService(o) || maximumReplicas(o, ctx.objects) < 2) return [];
    const labels = podTemplateOf(o)?.metadata?.labels ?? {};
    const pdbs = ctx.objects.filter((p) => p.kind === 'PodDisruptionBudget' && ns(p) === ns(o) && selects(p.spec?.selector, labels));
    if (pdbs.length === 0) return ['no PodDisruptionBudget selects its pods'];
    const min = minimumReplicas(o, ctx.objects);
    return pdbs.flatMap((p) => {
      const { maxUnavailable, minAvailable } = p.spec;
      if (maxUnavailable === 0 || maxUnavailable === '0%')
        return [`PodDisruptionBudget '${p.metadata.name}' has maxUnavailable 0: it blocks every eviction`];
      if (minAvailable === '100%' || (typeof minAvailable === 'number' && minAvailable >= min)) {
        return [
          `PodDisruptionBudget '${p.metadata.name}' has minAvailable ${minAvailable}, not below the minimum of ${min} replicas: it blocks evictions`,
        ];
      }
      return [];
    });
  },
  'servicemonitor-selects-service': (o, ctx) => {
    if (o.kind !== 'ServiceMonitor') return [];
    const namespaces: string[] | undefined = o.spec?.namespaceSelector?.matchNames;
    const inScope = (n: string | undefined) => (namespaces ? namespaces.includes(n ?? 'default') : (n ?? 'default') === ns(o));
    const hit = ctx.objects.some(
      (s) => s.kind === 'Service' && inScope(s.metadata.namespace) && selects(o.spec?.selector, s.metadata.labels),
    );
    return hit ? [] : ['its selector matches no Service'];
  },
  'namespace-default-deny': (o, ctx) => {
    if (o.kind !== 'Namespace') return [];
    const name = o.metadata.name;
    if (!ctx.objects.some((w) => ns(w) === name && isWorkload(w))) return [];
    const denies = ctx.objects.some(
      (p) =>
        p.kind === 'NetworkPolicy' &&
        ns(p) === name &&
        Object.keys(p.spec?.podSelector ?? {}).length === 0 &&
        (p.spec?.policyTypes ?? []).includes('Ingress') &&
        !(p.spec?.ingress?.length > 0),
    );
    return denies ? [] : [`namespace '${name}' has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, ...], no rules)`];
  },
};

const REFERENCE: readonly Rule[] = ALL_RULES.map((r) => (BRUTE_FORCE[r.id] ? { ...r, check: BRUTE_FORCE[r.id] } : r));

/** The golden ratio's fractional part: its multiples spread over [0, 1) as evenly as a sequence can. */
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/** A small deterministic generator (mulberry32), so the corpus is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * prod scaled to 215 services (about 2,000 objects, all workloads in the `web` namespace), then broken in the ways the
 * cross-object rules look for: deployments removed, Service and ServiceMonitor selectors changed, PDBs selecting by
 * expressions, by a flat map, by everything, or blocking evictions.
 */
function corpus(): KubeObject[] {
  const env = scaledProd(215);
  const services = env.services;
  const objects = synthesizeCharts(env).flatMap((c) => c.objects) as Json[];
  const next = random(19);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  const names = services.map((s) => s.name);
  const out: Json[] = [];
  // Which defect an object gets is drawn per kind from a low-discrepancy sequence (the k-th object of a kind gets the
  // fractional part of k x the golden ratio): each defect then hits its share of that kind within an object or two,
  // however many objects of other kinds the platform adds (a shared random stream reshuffled every draw after a new
  // object, and a rule's findings fell under the floor below by chance).
  const seen = new Map<string, number>();
  for (const o of objects) {
    const k = (seen.get(o.kind) ?? 0) + 1;
    seen.set(o.kind, k);
    const r = (k * GOLDEN) % 1;
    const name = o.metadata.labels?.['app.kubernetes.io/name'];
    if (o.kind === 'Deployment' && r < 0.05) continue;
    if (o.kind === 'Service' && r < 0.04) o.metadata.labels = { ...o.metadata.labels, 'app.kubernetes.io/name': `${name}-renamed` };
    else if (o.kind === 'Service' && r < 0.08) o.spec.selector = { 'app.kubernetes.io/part-of': 'web-platform' };
    else if (o.kind === 'Service' && r < 0.1) o.spec.selector = { 'app.kubernetes.io/name': pick(names), tier: 'none' };
    if (o.kind === 'ServiceMonitor' && r < 0.04) o.spec.namespaceSelector = { matchNames: ['other', 'web'] };
    else if (o.kind === 'ServiceMonitor' && r < 0.07) o.spec.namespaceSelector = { matchNames: ['other'] };
    else if (o.kind === 'ServiceMonitor' && r < 0.1)
      o.spec.selector = { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: [pick(names), 'nothing'] }] };
    else if (o.kind === 'ServiceMonitor' && r < 0.12) o.spec.selector = { matchExpressions: [{ key: 'tier', operator: 'Exists' }] };
    if (o.kind === 'PodDisruptionBudget') {
      if (r < 0.04)
        o.spec.selector = { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: [name, pick(names)] }] };
      else if (r < 0.07) o.spec.selector = { 'app.kubernetes.io/name': name };
      else if (r < 0.1)
        o.spec.selector = {
          matchLabels: { 'app.kubernetes.io/part-of': 'web-platform' },
          matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: [name] }],
        };
      else if (r < 0.12) o.spec = { minAvailable: '100%', selector: o.spec.selector };
      else if (r < 0.14) o.spec = { maxUnavailable: 0, selector: o.spec.selector };
      else if (r < 0.16) o.spec = { minAvailable: 2, selector: o.spec.selector };
      else if (r < 0.18) o.spec.selector = { matchExpressions: [{ key: 'app.kubernetes.io/version', operator: 'Exists' }] };
    }
    out.push(o);
  }
  out.push({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'everything', namespace: 'web' },
    spec: { minAvailable: 1, selector: {} },
  });
  return out as KubeObject[];
}

describe('cross-object rules through the label indexes', () => {
  const objects = corpus();
  const items = objects.map((object) => ({ object }));
  const context: Omit<PolicyContext, 'objects'> = { zones: 3, production: true };

  it('checks a corpus of about 2,000 objects with all workloads in one namespace', () => {
    expect(objects.length).toBeGreaterThanOrEqual(2000);
    const workloads = objects.filter(isWorkload);
    expect(new Set(workloads.map(ns))).toEqual(new Set(['web']));
  });

  it('finds exactly what a scan of every object finds, in the same order', () => {
    const indexed = evaluate(items, context).findings;
    const reference = evaluate(items, context, REFERENCE).findings;
    expect(indexed).toEqual(reference);
    // The corpus exercises every rewritten rule, with findings and without.
    for (const rule of ['service-selects-pods', 'pdb-coverage', 'servicemonitor-selects-service'])
      expect([rule, indexed.filter((f) => f.rule === rule).length > 5]).toEqual([rule, true]);
  });

  it('gives the same answers for selectors an index cannot read (non-string values, malformed expressions)', () => {
    const odd: Json[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'odd' } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'a', namespace: 'odd' },
        spec: { replicas: 3, template: { metadata: { labels: { app: 'a', n: 1 } } } },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'odd' }, spec: { selector: { n: 1 } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'b', namespace: 'odd' }, spec: { selector: { app: 'a' } } },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'a', namespace: 'odd' },
        spec: { minAvailable: 3, selector: { matchExpressions: [{ key: 'toString', operator: 'Exists' }] } },
      },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'b', namespace: 'odd' },
        spec: { maxUnavailable: 0, selector: { matchLabels: { n: 1 } } },
      },
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'a', namespace: 'odd' },
        spec: { selector: 'app', namespaceSelector: { matchNames: ['odd', 5] } },
      },
    ];
    const oddItems = odd.map((object) => ({ object }));
    expect(evaluate(oddItems, context).findings).toEqual(evaluate(oddItems, context, REFERENCE).findings);
  });
});
