import { KubeObject } from '../manifests/types';

export { KubeObject };

export type Severity = 'error' | 'warning';

/** What the rules may know about where the objects go. */
export interface PolicyContext {
  /** Every object under check, for cross-object rules. */
  readonly objects: readonly KubeObject[];
  /** Zones of the target cluster. @default 1 */
  readonly zones?: number;
  /** Production: availability rules apply. @default false */
  readonly production?: boolean;
  /** Air-gapped: images must come from this registry. @default - any registry */
  readonly registry?: string;
  /** Images must be pinned by digest. @default false */
  readonly requireDigest?: boolean;
}

/** One rule: a pure check of one object (and, for cross-object rules, the whole set in the context). */
export interface Rule {
  /** Stable id, used in exemptions, e.g. `workload-resources`. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Why it matters, with a link. */
  readonly rationale: string;
  readonly url: string;
  /** One message per violation; empty when the object complies or the rule does not apply. */
  check(object: KubeObject, context: PolicyContext): string[];
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly object: { readonly kind: string; readonly namespace?: string; readonly name: string };
  readonly message: string;
  /** Where the object came from, when read from a file. */
  readonly source?: { readonly file: string; readonly line: number };
  /** Set when an exemption annotation covers the finding; exempted findings are reported, not hidden. */
  readonly exemptReason?: string;
}
