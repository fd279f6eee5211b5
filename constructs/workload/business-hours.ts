import { Problems } from '../core/errors';
import { isTimeZone } from '../core/grammars';
import { checkShape, count, grammar, strict } from '../core/schema';

/**
 * A replica floor during business hours, applied by a KEDA `cron` trigger in the given IANA time zone (daylight
 * saving included). Outside the window the autoscaler's own minimum applies again.
 *
 * @see https://keda.sh/docs/2.15/scalers/cron/
 */
export interface BusinessHours {
  /** IANA time zone, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  /** Start of the window, `HH:MM` in 24-hour time. */
  readonly start: string;
  /** End of the window, `HH:MM`, after `start` on the same day. */
  readonly end: string;
  /**
   * Days of the week as a cron day-of-week field (0 = Sunday), e.g. `1-5` or `1-5,6`.
   * @default '1-5'
   */
  readonly days?: string;
  /** Replicas to hold at least during the window; between the autoscaler's min and max. */
  readonly minReplicas: number;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAYS = /^[0-6](-[0-6])?(,[0-6](-[0-6])?)*$/;
const hhmm = grammar((v) => (HHMM.test(v) ? undefined : 'must be HH:MM in 24-hour time, e.g. "08:00"'));

/** What each field of {@link BusinessHours} may hold; the ScalableService and Environment schemas use this one. */
export const businessHoursSchema = strict({
  timeZone: grammar((v) => (isTimeZone(v) ? undefined : 'must be an IANA time zone such as "Europe/Berlin" or "America/New_York"')),
  start: hhmm,
  end: hhmm,
  days: grammar((v) => (DAYS.test(v) ? undefined : 'must be a cron day-of-week field of 0-6 ranges and lists, e.g. "1-5"')).optional(),
  minReplicas: count(1),
});

/** The `start`/`end` cron expressions of the KEDA cron trigger. */
export function businessHoursCron(hours: BusinessHours): { readonly start: string; readonly end: string } {
  const days = hours.days ?? '1-5';
  const cron = (hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number);
    return `${m} ${h} * * ${days}`;
  };
  return { start: cron(hours.start), end: cron(hours.end) };
}

/** The schema's checks, then the window against itself and the floor against the autoscaler's bounds. */
export function checkBusinessHours(problems: Problems, input: string, hours: BusinessHours, min: number, max: number): void {
  checkShape(problems, businessHoursSchema, hours, input);
  if (HHMM.test(hours.start) && HHMM.test(hours.end)) {
    problems.check(hours.start < hours.end, `${input}.end`, hours.end, `must be after 'start' (${hours.start}) on the same day`);
  }
  problems.check(
    Number.isInteger(hours.minReplicas) && hours.minReplicas >= min && hours.minReplicas <= max,
    `${input}.minReplicas`,
    hours.minReplicas,
    `must be a whole number between 'replicas.min' (${min}) and 'replicas.max' (${max})`,
  );
}
