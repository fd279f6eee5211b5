/**
 * What an {@link Slo} may hold, as a zod schema: the one place its shape and ranges are written. `SloRules` checks
 * its input with it ({@link checkSlo}) and the Environment schema (stacks/environment-schema.ts) embeds it for
 * every service, so a service's objectives are refused with the same words on either path.
 */
import { Duration } from 'cdk8s';
import { Problems } from '../core/errors';
import { checkShape, duration, grammar, percent, strict, z } from '../core/schema';
import { MAX_AVAILABILITY_PERCENT, MIN_ERROR_BUDGET, Slo, budgetOf } from './slo';

const metricName = grammar((v) => (/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(v) ? undefined : 'must be a Prometheus metric name'));

/** A percentage from 50 to below 100 whose error budget the rules and k6 thresholds can write as a plain decimal. */
const availabilityPercent = percent({ min: 50, max: 100, maxExclusive: true }).superRefine((a, ctx) => {
  if (a >= 50 && a < 100 && budgetOf(a) < MIN_ERROR_BUDGET) {
    ctx.addIssue({
      code: 'custom',
      input: a,
      message: `has more nines than the rules can state: at most ${MAX_AVAILABILITY_PERCENT} (six nines). Its error budget, ${MIN_ERROR_BUDGET} of requests (2.6 s of a 30-day window), is the smallest the burn-rate rules and k6 thresholds write as a plain decimal; a smaller one is written 1e-7, which k6's threshold grammar refuses`,
    });
  }
});

/** A service level objective: a percentage (not a fraction) and positive durations. */
export const sloSchema = strict({
  availabilityPercent,
  window: duration({ min: Duration.hours(1), wholeSeconds: true }).optional(),
  latencyThreshold: duration({ min: Duration.millis(1) }),
  latencyPercentile: percent({ min: 50, max: 100, maxExclusive: true }).optional(),
  metrics: strict({
    requests: metricName.optional(),
    errorSelector: z.string().min(1, { error: 'must not be empty' }).optional(),
    latencyHistogram: metricName.optional(),
  }).optional(),
});

/** Records every problem of `slo` under `input` (e.g. `services.api.slo`); a missing Slo is one problem. */
export function checkSlo(problems: Problems, input: string, slo: Slo | undefined): void {
  if (slo === undefined) {
    problems.add(input, slo, 'is required: every service states its availability and latency objectives');
    return;
  }
  checkShape(problems, sloSchema, slo, input);
}
