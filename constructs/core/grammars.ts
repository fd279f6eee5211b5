/**
 * Grammars of the strings users write: CIDRs, URLs, cron schedules, time zones, image references, registries and
 * Prometheus durations. Each `xxxProblem` returns undefined for a valid string, else what is allowed, phrased to
 * follow the value in a one-line report (`'cloud.vpcCidr' ("10.0.0.0/33") must be an IPv4 CIDR ...`).
 */

/** Bounds of the prefix length a CIDR may have. */
export interface CidrOptions {
  /** @default 0 */
  readonly minPrefix?: number;
  /** @default 32 */
  readonly maxPrefix?: number;
}

const CIDR_SHAPE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** An IPv4 CIDR `a.b.c.d/n`: octets 0-255 without leading zeros, prefix within the bounds, no host bits set. */
export function cidrProblem(value: unknown, options: CidrOptions = {}): string | undefined {
  const min = options.minPrefix ?? 0;
  const max = options.maxPrefix ?? 32;
  const range = min === 0 && max === 32 ? '' : ` from /${min} to /${max},`;
  const expected = `must be an IPv4 CIDR${range} such as "10.30.0.0/16"`;
  if (typeof value !== 'string') return expected;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `is a URL; ${expected}`;
  const m = CIDR_SHAPE.exec(value);
  if (!m) return `${expected} (four octets, a slash and a prefix length)`;
  const octets = m.slice(1, 5);
  const bad = octets.find((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')));
  if (bad !== undefined) return `has octet ${bad}; each octet is 0 to 255, without leading zeros`;
  const prefix = Number(m[5]);
  if (prefix > 32) return `has prefix /${prefix}; an IPv4 prefix is at most /32`;
  if (prefix < min || prefix > max) return expected;
  const address = octets.reduce((acc, o) => acc * 256 + Number(o), 0);
  const hostBits = prefix === 0 ? address : address % 2 ** (32 - prefix);
  if (hostBits !== 0) return `has host bits set after /${prefix}; give the network address of the range`;
  return undefined;
}

/** An absolute URL with one of `schemes` and a host. */
export function urlProblem(value: unknown, schemes: readonly string[] = ['http', 'https']): string | undefined {
  const expected = `must be an absolute URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`;
  if (typeof value !== 'string' || value.trim() !== value || value === '') return expected;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return expected;
  }
  // `host:9090/x` parses as scheme `host:`; a missing `//` is the usual cause.
  if (!schemes.includes(url.protocol.slice(0, -1)) || !value.includes('://')) return `${expected} (the scheme is required)`;
  if (url.hostname === '') return `${expected} and a host`;
  return undefined;
}

type CronField = { readonly name: string; readonly min: number; readonly max: number; readonly names?: readonly string[] };

const SECOND: CronField = { name: 'second', min: 0, max: 59 };
const FIVE_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];
const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Which cron dialect: Kubernetes CronJob (five fields, macros) or CloudNativePG's six fields with seconds first. */
export type CronDialect = 'five-field' | 'with-seconds';

/**
 * A cron schedule as the Kubernetes CronJob controller and CloudNativePG (robfig/cron) parse it: lists, ranges and
 * steps of numbers within each field's range, month and day names, `?` for either day field. Quartz-only syntax
 * (`L`, `W`, `#`) is refused because those parsers refuse it.
 */
export function cronProblem(value: unknown, dialect: CronDialect = 'five-field'): string | undefined {
  const fields = dialect === 'with-seconds' ? [SECOND, ...FIVE_FIELDS] : FIVE_FIELDS;
  const layout = fields.map((f) => f.name).join(' ');
  const example = dialect === 'with-seconds' ? '"0 0 2 * * *"' : '"0 3 * * 0"';
  if (typeof value !== 'string') return `must be a cron schedule (${layout}), e.g. ${example}`;
  if (dialect === 'five-field' && MACROS.includes(value.trim())) return undefined;
  const parts = value.trim().split(/\s+/);
  if (parts.length !== fields.length) {
    return `has ${parts.length} field(s); a cron schedule here has ${fields.length} (${layout}), e.g. ${example}`;
  }
  for (let i = 0; i < fields.length; i++) {
    const problem = cronFieldProblem(parts[i], fields[i]);
    if (problem) return `is not a valid cron schedule: ${problem}`;
  }
  return undefined;
}

function cronFieldProblem(text: string, f: CronField): string | undefined {
  const number = (s: string): number | undefined => {
    if (/^\d+$/.test(s)) return Number(s);
    const i = f.names?.indexOf(s.toUpperCase()) ?? -1;
    return i >= 0 ? i + f.min : undefined;
  };
  for (const item of text.split(',')) {
    const [range, step, ...extra] = item.split('/');
    if (extra.length > 0 || (step !== undefined && !/^[1-9]\d*$/.test(step))) return `${f.name} "${item}" has a bad step`;
    if (range === '*' || (range === '?' && (f.name === 'day-of-month' || f.name === 'day-of-week'))) continue;
    const ends = range.split('-');
    if (ends.length > 2) return `${f.name} "${item}" is not a number, range or list`;
    const values = ends.map(number);
    if (values.some((v) => v === undefined)) return `${f.name} "${item}" is not a number, range or list`;
    const bad = (values as number[]).find((v) => v < f.min || v > f.max);
    if (bad !== undefined) return `${f.name} ${bad} is outside ${f.min}-${f.max}`;
    if (values.length === 2 && values[0]! > values[1]!) return `${f.name} range "${range}" runs backwards`;
  }
  return undefined;
}

/** Answers by name: asking the runtime builds a date formatter, about 0.1 ms, once per service and check. */
const knownTimeZones = new Map<string, boolean>();

/** An IANA time zone name the runtime knows, e.g. `Europe/Berlin`. */
export function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return false;
  let known = knownTimeZones.get(value);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value });
      known = true;
    } catch {
      known = false;
    }
    knownTimeZones.set(value, known);
  }
  return known;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]{1,5})?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REGISTRY = new RegExp(`^${DOMAIN}(?:/${PATH_COMPONENT})*$`);
const IMAGE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);

/** A registry host with optional port and path, as image references start: no scheme, no trailing slash. */
export function registryProblem(value: unknown): string | undefined {
  const expected = 'must be a registry host with optional port and path, e.g. "registry.example.com:5000/mirror"';
  if (typeof value !== 'string') return expected;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    return `must not have a scheme (image references carry none): give the host, e.g. "registry.example.com:5000/mirror"`;
  if (value.endsWith('/')) return `ends with a slash; ${expected}`;
  return REGISTRY.test(value) ? undefined : expected;
}

/** An image reference `[registry/]repository[:tag][@sha256:digest]` (the distribution reference grammar). */
export function imageReferenceProblem(value: unknown): string | undefined {
  const expected = 'must be an image reference such as "registry.example.com/web/api:1.4.2" (no scheme, lowercase repository)';
  if (typeof value !== 'string') return expected;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `has a scheme; ${expected}`;
  return IMAGE.test(value) ? undefined : expected;
}

/** A repository path under a registry, e.g. `perfstack/api-gateway`. */
export function repositoryProblem(value: unknown): string | undefined {
  const expected = 'must be a repository path of lowercase components, e.g. "web/api-gateway"';
  if (value === '') return 'is required: the image repository under the registry, e.g. "web/api"';
  if (typeof value !== 'string') return expected;
  return new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`).test(value) ? undefined : expected;
}

/** An image tag (`1.4.2`) or a `sha256:` digest; `latest` is not reproducible. */
export function tagProblem(value: unknown): string | undefined {
  const expected = 'must be a released version such as "1.4.2" or a sha256 digest, not "latest"';
  if (value === '') return 'is required: a released version such as "1.4.2", or a sha256 digest';
  if (typeof value !== 'string') return expected;
  if (value === 'latest') return expected;
  return /^[\w][\w.-]{0,127}$/.test(value) || /^sha256:[a-f0-9]{64}$/.test(value) ? undefined : expected;
}

/** A Prometheus duration such as `30d` or `1h30m`. */
export function promDurationProblem(value: unknown): string | undefined {
  const expected = 'must be a Prometheus duration such as "15d" or "1h30m"';
  if (typeof value !== 'string') return expected;
  return /^([0-9]+(ms|s|m|h|d|w|y))+$/.test(value) && !/^(0+[a-z]+)+$/.test(value) ? undefined : expected;
}

/** A whole-number percentage hint: a share written as a fraction (0.999 for 99.9%) is the usual mistake. */
export function fractionHint(value: number): string {
  if (!(value > 0 && value <= 1)) return '';
  const percent = Number((value * 100).toPrecision(10));
  return `; did you mean ${percent}?`;
}
