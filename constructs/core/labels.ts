import { createHash } from 'crypto';
import { COST_LABEL_KEYS, EXEMPT_ANNOTATION, EXEMPT_REASON_ANNOTATION, MANAGED_BY } from '../../manifests/labels';
import { Problems } from './errors';

// The keys readers of the YAML need too live in manifests/labels.ts, which imports nothing.
export { COST_LABEL_KEYS, EXEMPT_ANNOTATION, EXEMPT_REASON_ANNOTATION, MANAGED_BY };

/**
 * Cost-allocation labels, carried by every object and every pod so that Kubecost, OpenCost or the AWS split cost
 * allocation data can attribute spend.
 */
export interface CostAllocation {
  /** Owning team, label `team`. */
  readonly team: string;
  /** Finance cost center, label `cost-center`. */
  readonly costCenter: string;
  /**
   * More labels to put everywhere (for example `product`).
   * @default - none
   */
  readonly extraLabels?: Readonly<Record<string, string>>;
}

/** Identity of one application component, rendered as the recommended `app.kubernetes.io/*` labels. */
export interface AppIdentity {
  /** `app.kubernetes.io/name`, e.g. `api-gateway`. */
  readonly name: string;
  /** `app.kubernetes.io/instance`, unique per environment, e.g. `api-gateway-prod`. */
  readonly instance: string;
  /** `app.kubernetes.io/component`, e.g. `backend`. */
  readonly component: string;
  /** `app.kubernetes.io/part-of`, the application, e.g. `web-platform`. */
  readonly partOf: string;
  /**
   * `app.kubernetes.io/version`, usually the image tag.
   * @default - no version label
   */
  readonly version?: string;
}

/** Characters a hash suffix takes: `-` and 8 hex digits of the value's sha256. */
const HASH_SUFFIX = 9;

/**
 * A label value derived from input (a name, `<name>-<namespace>`, an image tag): the value itself when Kubernetes
 * accepts it, else a stable stand-in that it does: characters outside `[A-Za-z0-9_.-]` become `-`, the text is cut
 * to 54 characters and ends alphanumeric, and `-` plus 8 hex digits of the whole value's sha256 keep two long values
 * that share a prefix apart. The same input always gives the same value, so selectors built from it still match.
 * Inputs the user types as labels (`costAllocation`, `labels`) are rejected by {@link checkLabels} instead.
 */
export function labelValue(value: string): string {
  if (isLabelValue(value)) return value;
  const hash = createHash('sha256')
    .update(value)
    .digest('hex')
    .slice(0, HASH_SUFFIX - 1);
  const head = value
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 63 - HASH_SUFFIX)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return head === '' ? hash : `${head}-${hash}`;
}

/** The labels a Deployment selects its pods by: stable for the object's lifetime, since selectors are immutable. */
export function selectorLabels(id: Pick<AppIdentity, 'name' | 'instance'>): Record<string, string> {
  return { 'app.kubernetes.io/name': labelValue(id.name), 'app.kubernetes.io/instance': labelValue(id.instance) };
}

export function appLabels(id: AppIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    'app.kubernetes.io/component': labelValue(id.component),
    'app.kubernetes.io/part-of': labelValue(id.partOf),
    ...(id.version !== undefined ? { 'app.kubernetes.io/version': labelValue(id.version) } : {}),
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

export function costLabels(environment: string, cost: CostAllocation): Record<string, string> {
  return { environment, [COST_LABEL_KEYS.team]: cost.team, [COST_LABEL_KEYS.costCenter]: cost.costCenter, ...(cost.extraLabels ?? {}) };
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes label key: optional DNS-subdomain prefix (<= 253) and a name (<= 63). */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** RFC 1035 label, the rule for Service and most object names (<= 63, starts with a letter). */
export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

/** Records a problem for every label whose key or value Kubernetes would reject. */
export function checkLabels(problems: Problems, input: string, labels: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(labels)) {
    problems.check(
      isLabelKey(key),
      `${input}.${key}`,
      key,
      'is not a valid label key (DNS-subdomain prefix, then up to 63 alphanumerics, `-`, `_`, `.`)',
    );
    problems.check(
      isLabelValue(value),
      `${input}.${key}`,
      value,
      'is not a valid label value (up to 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric)',
    );
  }
}

/** Annotations that exempt an object from policy rules; the reason is mandatory and shows in every report. */
export interface PolicyExemption {
  /** Rule ids, e.g. `production-replicas`. */
  readonly rules: readonly string[];
  readonly reason: string;
}

export function exemptionAnnotations(e: PolicyExemption | undefined): Record<string, string> {
  return e ? { [EXEMPT_ANNOTATION]: e.rules.join(','), [EXEMPT_REASON_ANNOTATION]: e.reason } : {};
}
