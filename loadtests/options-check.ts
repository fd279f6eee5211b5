import { K6Options, Threshold } from './plan';

/**
 * Checks k6 options the way `k6 run` would reject them, since the k6 binary cannot run here: known executors with
 * their required fields, well-formed stages, durations k6 parses, and threshold expressions of its grammar.
 * Returns one message per problem.
 *
 * @see https://grafana.com/docs/k6/latest/using-k6/scenarios/executors/
 * @see https://grafana.com/docs/k6/latest/using-k6/thresholds/
 */
export function checkK6Options(options: K6Options): string[] {
  const problems: string[] = [];
  const scenarios = Object.entries(options.scenarios ?? {});
  if (scenarios.length === 0) problems.push('scenarios: at least one scenario is required');
  for (const [name, s] of scenarios) {
    if (!/^[a-zA-Z0-9_-]+$/.test(name)) problems.push(`scenarios.${name}: name must be letters, digits, '_' or '-'`);
    if (s.executor !== 'ramping-vus') {
      problems.push(`scenarios.${name}.executor: '${s.executor}' is not an executor perfstack emits (ramping-vus)`);
      continue;
    }
    if (!Number.isInteger(s.startVUs) || s.startVUs < 0) problems.push(`scenarios.${name}.startVUs: must be a whole number >= 0`);
    if (!Array.isArray(s.stages) || s.stages.length === 0) problems.push(`scenarios.${name}.stages: at least one stage is required`);
    (s.stages ?? []).forEach((st, i) => {
      if (!isDuration(st.duration)) problems.push(`scenarios.${name}.stages[${i}].duration: '${st.duration}' is not a k6 duration`);
      if (!Number.isInteger(st.target) || st.target < 0)
        problems.push(`scenarios.${name}.stages[${i}].target: must be a whole number >= 0`);
    });
    const peak = Math.max(s.startVUs ?? 0, ...(s.stages ?? []).map((st) => st.target));
    if (Array.isArray(s.stages) && s.stages.length > 0 && !(peak >= 1))
      problems.push(`scenarios.${name}.stages: never more than 0 virtual users; the test would send no request`);
    for (const f of ['gracefulRampDown', 'gracefulStop'] as const) {
      if (s[f] !== undefined && !isDuration(s[f])) problems.push(`scenarios.${name}.${f}: '${s[f]}' is not a k6 duration`);
    }
  }
  for (const [metric, list] of Object.entries(options.thresholds ?? {})) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*(\{[^{}]+\})?$/.test(metric))
      problems.push(`thresholds.${metric}: not a metric name with an optional {tag:value} filter`);
    list.forEach((t: Threshold, i: number) => {
      const expr = typeof t === 'string' ? t : t.threshold;
      if (!THRESHOLD.test(expr)) problems.push(`thresholds.${metric}[${i}]: '${expr}' is not a k6 threshold expression`);
      if (typeof t !== 'string' && t.delayAbortEval !== undefined && !isDuration(t.delayAbortEval))
        problems.push(`thresholds.${metric}[${i}].delayAbortEval: not a k6 duration`);
    });
  }
  for (const stat of options.summaryTrendStats ?? []) {
    if (!/^(avg|min|med|max|count|p\(\d+(\.\d+)?\))$/.test(stat)) problems.push(`summaryTrendStats: '${stat}' is not a trend statistic`);
  }
  return problems;
}

const THRESHOLD = /^(avg|min|max|med|count|rate|value|p\(\d+(\.\d+)?\))\s*(<|<=|>|>=|==|===|!=)\s*-?\d+(\.\d+)?$/;

/** k6 durations: Go-style sums of number+unit (`1h30m`, `500ms`, `2.5s`). */
export function isDuration(d: string): boolean {
  return typeof d === 'string' && /^(\d+(\.\d+)?(ms|s|m|h))+$/.test(d);
}

/** Seconds in a k6 duration. */
export function durationSeconds(d: string): number {
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return total;
}
