/**
 * Where the objects go, as the synthesized Namespace declares it in annotations (`CONTEXT_ANNOTATIONS`): the
 * stacks write it, the policy CLI and the CrossGuard pack read it, so checking `dist/prod` applies prod's rules
 * without the checker importing the environments.
 */
import { CONTEXT_ANNOTATIONS } from './labels';
import { KubeObject } from './types';

export interface DeclaredContext {
  /** Zones of the target cluster. */
  readonly zones?: number;
  /** Production: availability rules apply. */
  readonly production?: boolean;
  /** Air-gapped: the only registry images may come from. */
  readonly registry?: string;
}

/** The annotations that declare a context on a Namespace; fields left undefined are not written. */
export function contextAnnotations(c: DeclaredContext): Record<string, string> {
  return {
    ...(c.zones !== undefined ? { [CONTEXT_ANNOTATIONS.zones]: String(c.zones) } : {}),
    ...(c.production !== undefined ? { [CONTEXT_ANNOTATIONS.production]: String(c.production) } : {}),
    ...(c.registry !== undefined ? { [CONTEXT_ANNOTATIONS.registry]: c.registry } : {}),
  };
}

/**
 * The context the Namespaces among the objects declare. Problems (one line each) for a malformed value and for
 * Namespaces that disagree, since the rules cannot apply two contexts to one run.
 */
export function declaredContext(objects: readonly (KubeObject | undefined)[]): { context: DeclaredContext; problems: string[] } {
  const problems: string[] = [];
  const seen: { [K in keyof DeclaredContext]?: { value: DeclaredContext[K]; from: string } } = {};
  const set = <K extends keyof DeclaredContext>(key: K, value: DeclaredContext[K], from: string) => {
    const prior = seen[key];
    if (prior === undefined) (seen as Record<string, unknown>)[key] = { value, from };
    else if (prior.value !== value)
      problems.push(
        `Namespace/${from}: '${CONTEXT_ANNOTATIONS[key]}' (${JSON.stringify(value)}) disagrees with Namespace/${prior.from} (${JSON.stringify(prior.value)}); check one environment at a time`,
      );
  };
  for (const o of objects) {
    if (o?.kind !== 'Namespace') continue;
    const a = o.metadata.annotations ?? {};
    const name = o.metadata.name;
    const zones = a[CONTEXT_ANNOTATIONS.zones];
    if (zones !== undefined) {
      if (/^[1-9][0-9]*$/.test(zones)) set('zones', Number(zones), name);
      else problems.push(`Namespace/${name}: '${CONTEXT_ANNOTATIONS.zones}' (${JSON.stringify(zones)}) must be a whole number >= 1`);
    }
    const production = a[CONTEXT_ANNOTATIONS.production];
    if (production !== undefined) {
      if (production === 'true' || production === 'false') set('production', production === 'true', name);
      else
        problems.push(`Namespace/${name}: '${CONTEXT_ANNOTATIONS.production}' (${JSON.stringify(production)}) must be "true" or "false"`);
    }
    const registry = a[CONTEXT_ANNOTATIONS.registry];
    if (registry !== undefined) set('registry', registry, name);
  }
  return {
    context: { zones: seen.zones?.value, production: seen.production?.value, registry: seen.registry?.value },
    problems,
  };
}
