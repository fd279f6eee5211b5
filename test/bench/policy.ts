/** Policy throughput: objects checked per second over 10,000 objects (target: at least 20,000/s). */
import { performance } from 'perf_hooks';
import { evaluate } from '../../policies/engine';
import { KubeObject } from '../../policies/types';
import { prod } from '../../stacks/prod';
import { synthesizeCharts } from '../../stacks/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** prod's objects copied into distinct namespaces until there are `count`. */
export function policyCorpus(count = 10_000): KubeObject[] {
  const base = synthesizeCharts(prod).flatMap((c) => c.objects) as Json[];
  const out: KubeObject[] = [];
  for (let copy = 0; out.length < count; copy++) {
    for (const o of base) {
      if (out.length >= count) break;
      const ns = `web-${copy}`;
      const clone = JSON.parse(JSON.stringify(o));
      if (clone.metadata.namespace) clone.metadata.namespace = ns;
      if (clone.kind === 'Namespace') clone.metadata.name = ns;
      else clone.metadata.name = `${clone.metadata.name}-${copy}`;
      out.push(clone);
    }
  }
  return out;
}

export function policyThroughput(runs = 5): { objects: number; medianMs: number; perSecond: number } {
  const corpus = policyCorpus().map((object) => ({ object }));
  const samples: number[] = [];
  evaluate(corpus, { zones: 3, production: true });
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    evaluate(corpus, { zones: 3, production: true });
    samples.push(performance.now() - t0);
  }
  const median = samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
  return { objects: corpus.length, medianMs: median, perSecond: (corpus.length / median) * 1000 };
}
