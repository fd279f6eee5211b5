import { EXEMPT_ANNOTATION, EXEMPT_REASON_ANNOTATION } from '../manifests/labels';
import { ALL_RULES } from './rules';
import { Sourced } from '../manifests/types';
import { Finding, PolicyContext, Rule } from './types';

export { Sourced };

export interface Report {
  readonly findings: readonly Finding[];
  readonly objects: number;
  readonly errors: number;
  readonly warnings: number;
  readonly exempted: number;
}

/** Rule ids an exemption may name: an unknown one (a typo) would silently exempt nothing. */
const RULE_IDS = new Set(ALL_RULES.map((r) => r.id));

/**
 * Runs every rule on every object. Findings an exemption covers are kept, marked with the reason, and do not count
 * as errors: exemptions are visible in every report.
 */
export function evaluate(items: readonly Sourced[], context: Omit<PolicyContext, 'objects'>, rules: readonly Rule[] = ALL_RULES): Report {
  const ctx: PolicyContext = { ...context, objects: items.map((i) => i.object) };
  const findings: Finding[] = [];
  for (const { object, source } of items) {
    const exempt = new Set(
      (object.metadata.annotations?.[EXEMPT_ANNOTATION] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
    const reason = object.metadata.annotations?.[EXEMPT_REASON_ANNOTATION]?.trim();
    const ref = { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
    if (exempt.size > 0 && !reason) {
      findings.push({
        rule: 'exemption-reason',
        severity: 'error',
        object: ref,
        source,
        message: `exempts ${[...exempt].join(', ')} without a '${EXEMPT_REASON_ANNOTATION}' annotation`,
      });
    }
    const unknown = [...exempt].filter((id) => !RULE_IDS.has(id));
    if (unknown.length > 0) {
      findings.push({
        rule: 'exemption-rule',
        severity: 'error',
        object: ref,
        source,
        message: `'${EXEMPT_ANNOTATION}' (${JSON.stringify(unknown.join(','))}) names no policy rule; misspelt? The exemption covers nothing`,
      });
    }
    for (const rule of rules) {
      for (const message of rule.check(object, ctx)) {
        const exempted = exempt.has(rule.id) && reason ? reason : undefined;
        findings.push({
          rule: rule.id,
          severity: rule.severity,
          object: ref,
          source,
          message,
          ...(exempted ? { exemptReason: exempted } : {}),
        });
      }
    }
  }
  const live = findings.filter((f) => !f.exemptReason);
  return {
    findings,
    objects: items.length,
    errors: live.filter((f) => f.severity === 'error').length,
    warnings: live.filter((f) => f.severity === 'warning').length,
    exempted: findings.length - live.length,
  };
}
