import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { strict, z } from '../core/schema';
import { Rule, RuleGroup, RuleGroups, runbook } from './rule-groups';
import { SloModel, SloSpec, roundNumber as number, sloModel } from './slo';
import { validateSloSpec } from './slo-rules';

/**
 * Seasonal baselines and anomaly alerts, from the same {@link SloModel} as the burn-rate rules. The baseline of a
 * signal is the median of the same hour of the week over the past weeks (a median, so one week's incident, even a
 * day of zero traffic, does not move it).
 *
 * Request rate: the seasonal baseline gives the shape of the week; a level (the median of current / baseline over
 * the last `levelWindow`, bounded to 0.5-2) follows the drift from week to week, so expected = baseline x level.
 * The deviation is a Poisson z-score of the requests counted over the current window, (count - expected count) /
 * sqrt(expected count), and the score divides it by the service's own noise: the robust spread (inter-quartile range
 * / 1.349) of its deviations over the past day, at least 1. Web traffic comes in bursts (a page is many requests),
 * so its counts vary several times more than Poisson; measuring that per service instead of assuming it keeps one
 * default threshold right for quiet and busy services, and for day and night: the deviation already scales with
 * the square root of the expected count, so at night, when little is counted, only a larger relative drop is
 * significant.
 *
 * Error ratio and latency: (now - baseline) / spread, the spread being the inter-quartile range of the past weeks,
 * floored at a share of the baseline (and for the error ratio at the error budget).
 *
 * The groups read each other in order (recordings, then scores, then the traffic scores), so history can be
 * backfilled group by group.
 *
 * @see https://prometheus.io/docs/practices/rules/
 */

/** Thresholds of one service's anomaly alerts; every one can be overridden per service. */
export interface AnomalyThresholds {
  /** Past weeks the seasonal baseline is the median of. @default 4 */
  readonly weeks?: number;
  /** Fewest past weeks with data before any anomaly alert may fire (a new service has no baseline). @default 2 */
  readonly minWeeks?: number;
  /** Error ratio and latency: the spread is at least this share of the baseline. @default 0.3 */
  readonly minRelativeSpread?: number;
  /** Window of the level (median of current / baseline) that follows week-to-week drift. Prometheus duration. @default '3h' */
  readonly levelWindow?: string;
  /** Traffic-drop alert: score at or below minus this (in the service's own noise), sustained. @default 2.5 */
  readonly dropScore?: number;
  /** Traffic-drop alert: requests also at least this share below the expected rate. @default 0.25 */
  readonly minDropShare?: number;
  /** Traffic-spike alert: score at or above this, sustained. @default 3 */
  readonly spikeScore?: number;
  /** Traffic-spike alert: requests also at least this share above the expected rate. @default 0.5 */
  readonly minSpikeShare?: number;
  /**
   * Traffic-spike alert: requests also at least this share above the seasonal baseline itself. After a long dip the
   * level lags (it is a median over `levelWindow`), so traffic returning to its usual level reads as a spike against
   * the expected rate; against the baseline it does not. @default 0.2
   */
  readonly minSpikeOverBaseline?: number;
  /** Traffic stopped: requests below this share of the baseline. @default 0.1 */
  readonly nearZeroShare?: number;
  /**
   * Baseline (requests per second) below which "stopped" means nothing (a quiet hour may be empty); also the least
   * expected rate the traffic deviation is counted against. @default 0.05
   */
  readonly minBaselineRps?: number;
  /** Error-ratio and latency alerts: score at or above this, sustained. @default 4 */
  readonly errorScore?: number;
  /** How long a drop, error or latency deviation must last. Prometheus duration. @default '15m' */
  readonly sustained?: string;
  /** How long a spike must last. @default '10m' */
  readonly spikeSustained?: string;
  /** How long traffic must stay near zero. @default '5m' */
  readonly stoppedSustained?: string;
}

export const ANOMALY_DEFAULTS: Required<AnomalyThresholds> = {
  weeks: 4,
  minWeeks: 2,
  minRelativeSpread: 0.3,
  levelWindow: '3h',
  dropScore: 2.5,
  minDropShare: 0.25,
  spikeScore: 3,
  minSpikeShare: 0.5,
  minSpikeOverBaseline: 0.2,
  nearZeroShare: 0.1,
  minBaselineRps: 0.05,
  errorScore: 4,
  sustained: '15m',
  spikeSustained: '10m',
  stoppedSustained: '5m',
};

/** The recorded series, by signal. */
export const ANOMALY_RECORDS = {
  requests: {
    current: 'anomaly:requests:current',
    baseline: 'anomaly:requests:baseline',
    weeks: 'anomaly:requests:weeks',
    expected: 'anomaly:requests:expected',
    deviation: 'anomaly:requests:deviation',
    noise: 'anomaly:requests:noise',
    detectableDrop: 'anomaly:requests:detectable_drop',
    score: 'anomaly:requests:score',
  },
  errors: signalRecords('errors'),
  latency: signalRecords('latency'),
} as const;

function signalRecords(signal: string) {
  return {
    current: `anomaly:${signal}:current`,
    baseline: `anomaly:${signal}:baseline`,
    spread: `anomaly:${signal}:spread`,
    weeks: `anomaly:${signal}:weeks`,
    score: `anomaly:${signal}:score`,
  };
}

/** Window the current value is measured over; the seasonal values use a 1 h window centred on the same time. */
export const CURRENT_WINDOW = '10m';
export const CURRENT_SECONDS = 600;
/** The current error ratio is noisier at low traffic: a longer window. */
export const ERROR_WINDOW = '30m';
/** Window the traffic noise (spread of the deviations) is measured over: a day holds busy and quiet hours. */
export const NOISE_WINDOW = '1d';
/** The level's bounds: beyond them the seasonal shape, not a drift, is what changed (or an outage is under way). */
export const LEVEL_BOUNDS = [0.5, 2] as const;

/**
 * The shape of {@link AnomalyThresholds} (types only), for the Environment schema; the ranges are
 * {@link checkAnomalyThresholds}, the one place they are written.
 */
export const anomalyThresholdsSchema = (() => {
  const n = z.number().optional();
  const d = z.string().optional();
  return strict({
    weeks: n,
    minWeeks: n,
    minRelativeSpread: n,
    levelWindow: d,
    dropScore: n,
    minDropShare: n,
    spikeScore: n,
    minSpikeShare: n,
    minSpikeOverBaseline: n,
    nearZeroShare: n,
    minBaselineRps: n,
    errorScore: n,
    sustained: d,
    spikeSustained: d,
    stoppedSustained: d,
  });
})();

export function resolveAnomalyThresholds(t: AnomalyThresholds | undefined): Required<AnomalyThresholds> {
  return Object.fromEntries(
    Object.entries(ANOMALY_DEFAULTS).map(([k, d]) => [k, t?.[k as keyof AnomalyThresholds] ?? d]),
  ) as unknown as Required<AnomalyThresholds>;
}

export function checkAnomalyThresholds(problems: Problems, input: string, t: AnomalyThresholds | undefined): void {
  const r = resolveAnomalyThresholds(t);
  const whole = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  problems.check(whole(r.weeks, 1, 8), `${input}.weeks`, r.weeks, 'must be a whole number of weeks from 1 to 8');
  problems.check(whole(r.minWeeks, 1, r.weeks), `${input}.minWeeks`, r.minWeeks, `must be from 1 to 'weeks' (${r.weeks})`);
  for (const k of ['minRelativeSpread', 'nearZeroShare', 'minDropShare'] as const)
    problems.check(r[k] > 0 && r[k] < 1, `${input}.${k}`, r[k], 'must be a share above 0 and below 1');
  for (const k of ['dropScore', 'spikeScore', 'errorScore', 'minBaselineRps', 'minSpikeShare', 'minSpikeOverBaseline'] as const)
    problems.check(Number.isFinite(r[k]) && r[k] > 0, `${input}.${k}`, r[k], 'must be a positive number');
  for (const k of ['levelWindow', 'sustained', 'spikeSustained', 'stoppedSustained'] as const)
    problems.check(/^([0-9]+[smh])+$/.test(r[k]), `${input}.${k}`, r[k], "must be a Prometheus duration such as '15m'");
}

/** A 1 h window centred on the same time `n` weeks ago, as an offset. */
export function weeksAgo(n: number): string {
  return `${n * 168 - 1}h30m`;
}

/** `expr` (with a `{{w}}` range and `{{o}}` offset) at the same time of each past week, labelled `weeks_ago`. */
export function seasonal(expr: (range: string, offset: string) => string, weeks: number): string {
  return Array.from({ length: weeks }, (_, i) => `label_replace(${expr('1h', weeksAgo(i + 1))}, "weeks_ago", "${i + 1}", "", "")`).join(
    ' or ',
  );
}

/**
 * The seasonal recordings of one signal: its current value over `window`, its baseline (the median of the same time
 * over the past `weeks`), its spread (inter-quartile range of those weeks; not for rates, which are scored against
 * their own noise) and how many past weeks have data. `value(window, offset)` is the signal's PromQL, `offset`
 * being '' or ' offset <d>'. Shared with the data tier's rules (data-tier-anomaly-rules.ts).
 */
export function seasonalRecordings(
  records: { readonly current: string; readonly baseline: string; readonly spread?: string; readonly weeks: string },
  value: (window: string, offset: string) => string,
  window: string,
  weeks: number,
  labels: Readonly<Record<string, string>>,
): Rule[] {
  const past = seasonal((w, o) => value(w, ` offset ${o}`), weeks);
  const q = (p: number) => `quantile without (weeks_ago) (${p}, ${past})`;
  return [
    { record: records.current, expr: value(window, ''), labels },
    { record: records.baseline, expr: q(0.5), labels },
    ...(records.spread ? [{ record: records.spread, expr: `${q(0.75)} - ${q(0.25)}`, labels }] : []),
    { record: records.weeks, expr: `count without (weeks_ago) (${past})`, labels },
  ];
}

/** A rate's level: the median of current / baseline over `window`, within {@link LEVEL_BOUNDS}. */
export function levelExpr(current: string, baseline: string, window: string): string {
  const [low, high] = LEVEL_BOUNDS;
  return `clamp(quantile_over_time(0.5, (${current} / (${baseline} > 0))[${window}:5m]), ${low}, ${high})`;
}

/** A rate's Poisson deviation over the current window, the expected rate never below `minRate` (no division by 0). */
export function deviationExpr(current: string, expected: string, minRate: number): string {
  return `(${current} - ${expected}) / sqrt(clamp_min(${expected}, ${minRate}) / ${CURRENT_SECONDS})`;
}

/** A rate's own noise: the robust spread (IQR / 1.349) of its recorded deviations over {@link NOISE_WINDOW}, at least 1. */
export function noiseExpr(deviation: string): string {
  const q = (p: number) => `quantile_over_time(${p}, ${deviation}[${NOISE_WINDOW}])`;
  return `clamp_min((${q(0.75)} - ${q(0.25)}) / 1.349, 1)`;
}

/** A ratio's or level's score: (current - baseline) / spread, the spread never below `floor`. */
export function seasonalScoreExpr(current: string, baseline: string, spread: string, floor: string): string {
  return `(${current} - ${baseline}) / ((${spread} > ${floor}) or ${floor} > 0)`;
}

/** Stage 4 of the SLO pipeline, beside the burn-rate rules: recordings and alerts of one service's anomalies. */
export function anomalyRuleGroups(model: SloModel, thresholds?: AnomalyThresholds): RuleGroup[] {
  const t = resolveAnomalyThresholds(thresholds);
  const sel = `namespace="${model.namespace}",service="${model.service}"`;
  const by = 'sum by (namespace, service)';
  const err = model.slo.metrics.errorSelector;
  const pq = model.latency.target;
  const signals = {
    requests: (w: string, o = '') => `${by} (rate(${model.requests}{${sel}}[${w}]${o}))`,
    // No failed request at all is a ratio of 0, not a missing series.
    errors: (w: string, o = '') => {
      const all = `${by} (rate(${model.requests}{${sel}}[${w}]${o}))`;
      return `((${by} (rate(${model.requests}{${sel},${err}}[${w}]${o})) or 0 * ${all}) / ${all})`;
    },
    latency: (w: string, o = '') =>
      `histogram_quantile(${pq}, sum by (namespace, service, le) (rate(${model.histogram}_bucket{${sel}}[${w}]${o})))`,
  };
  const labels = { service: model.service, namespace: model.namespace };
  const m = `{${sel}}`;
  const R = ANOMALY_RECORDS;
  const enough = (weeks: string) => `${weeks}${m} >= ${t.minWeeks}`;
  const recordings: Rule[] = (['requests', 'errors', 'latency'] as const).flatMap((s) =>
    seasonalRecordings(
      { ...R[s], spread: s === 'requests' ? undefined : R[s as 'errors' | 'latency'].spread },
      (w, o) => signals[s](w, o),
      s === 'errors' ? ERROR_WINDOW : CURRENT_WINDOW,
      t.weeks,
      labels,
    ),
  );

  // Traffic: expected = baseline x level; the deviation counts requests over the current window against a Poisson
  // spread, never below minBaselineRps so an empty hour does not divide by zero.
  const expected = `${R.requests.baseline}${m} * ${levelExpr(`${R.requests.current}${m}`, `${R.requests.baseline}${m}`, t.levelWindow)}`;
  const deviation = deviationExpr(`${R.requests.current}${m}`, expected, t.minBaselineRps);
  // Error ratio and latency: the spread's floor is a share of the baseline; for the error ratio also the error
  // budget, since a ratio near zero has no meaningful relative spread.
  const seasonalScore = (s: 'errors' | 'latency'): Rule => {
    const r = R[s];
    const share = `${r.baseline}${m} * ${t.minRelativeSpread}`;
    const floor = s === 'errors' ? `clamp_min(${share}, ${model.availability.budget})` : share;
    return {
      record: r.score,
      expr: `${seasonalScoreExpr(`${r.current}${m}`, `${r.baseline}${m}`, `${r.spread}${m}`, floor)} and ${enough(r.weeks)}`,
      labels,
    };
  };
  const scores: Rule[] = [
    { record: R.requests.expected, expr: expected, labels },
    { record: R.requests.deviation, expr: deviation, labels },
    seasonalScore('errors'),
    seasonalScore('latency'),
  ];
  // The noise reads a day of recorded deviations: a group of its own, after the one that records them.
  const noise = noiseExpr(`${R.requests.deviation}${m}`);
  const trafficScores: Rule[] = [
    { record: R.requests.noise, expr: noise, labels },
    { record: R.requests.score, expr: `${R.requests.deviation}${m} / ${noise} and ${enough(R.requests.weeks)}`, labels },
    // What the drop alert can see now: the smallest share below the expected rate that reaches dropScore. Busy
    // hours see small drops; a quiet hour of a bursty service may see nothing short of a stop (1 or more).
    {
      record: R.requests.detectableDrop,
      expr: `clamp_min(${t.dropScore} * ${noise} / sqrt(clamp_min(${R.requests.expected}${m}, ${t.minBaselineRps}) * ${CURRENT_SECONDS}), ${t.minDropShare})`,
      labels,
    },
  ];

  const alert = (
    name: string,
    slo: string,
    severity: 'page' | 'ticket',
    expr: string,
    forDuration: string,
    summary: string,
    description: string,
  ): Rule => ({
    alert: name,
    expr,
    for: forDuration,
    labels: { severity, ...labels, slo, anomaly: 'true' },
    annotations: { summary: `${model.service}: ${summary}`, description, runbook_url: runbook(`anomaly-${slo}`) },
  });
  const median = `the median of the same hour over the past ${t.weeks} weeks`;
  const noiseText = `standard deviations of this service's own noise (Poisson, scaled by the spread of its deviations over ${NOISE_WINDOW})`;
  const alerts: Rule[] = [
    alert(
      'AnomalyTrafficStopped',
      'traffic',
      'page',
      `${R.requests.current}${m} < ${t.nearZeroShare} * ${R.requests.baseline}${m} and ${R.requests.baseline}${m} > ${t.minBaselineRps} and ${enough(R.requests.weeks)}`,
      t.stoppedSustained,
      'requests stopped where the baseline expects traffic',
      `Requests are under ${number(t.nearZeroShare * 100)}% of ${median} for ${t.stoppedSustained}: {{ $value | humanize }} per second. An outage upstream of the service (DNS, ingress, the network) looks like this.`,
    ),
    alert(
      'AnomalyTrafficDrop',
      'traffic',
      'ticket',
      `${R.requests.score}${m} <= -${t.dropScore} and ${R.requests.current}${m} < ${number(1 - t.minDropShare)} * ${R.requests.expected}${m}`,
      t.sustained,
      'requests well below the expected rate',
      `Requests are {{ $value | humanize }} ${noiseText} from the expected rate (${median}, times the level of the last ${t.levelWindow}), and at least ${number(t.minDropShare * 100)}% below it, for ${t.sustained}.`,
    ),
    alert(
      'AnomalyTrafficSpike',
      'traffic',
      'ticket',
      `${R.requests.score}${m} >= ${t.spikeScore} and ${R.requests.current}${m} > ${number(1 + t.minSpikeShare)} * ${R.requests.expected}${m} and ${R.requests.current}${m} > ${number(1 + t.minSpikeOverBaseline)} * ${R.requests.baseline}${m}`,
      t.spikeSustained,
      'requests well above the expected rate',
      `Requests are {{ $value | humanize }} ${noiseText} above the expected rate, and at least ${number(t.minSpikeShare * 100)}% above it and ${number(t.minSpikeOverBaseline * 100)}% above ${median}, for ${t.spikeSustained}: check the autoscaler keeps up and whether the traffic is legitimate.`,
    ),
    alert(
      'AnomalyErrorRatio',
      'availability',
      'ticket',
      `${R.errors.score}${m} >= ${t.errorScore}`,
      t.sustained,
      'error ratio well above the seasonal baseline',
      `The error ratio over ${ERROR_WINDOW} is {{ $value | humanize }} spreads above ${median} (the spread is at least the error budget, ${model.availability.budget}).`,
    ),
    alert(
      'AnomalyLatency',
      'latency',
      'ticket',
      `${R.latency.score}${m} >= ${t.errorScore}`,
      t.sustained,
      `p${number(pq * 100)} latency well above the seasonal baseline`,
      `The p${number(pq * 100)} latency over ${CURRENT_WINDOW} is {{ $value | humanize }} spreads above ${median}.`,
    ),
  ];
  return [
    { name: `anomaly-${model.service}-recordings`, interval: '1m', rules: recordings },
    { name: `anomaly-${model.service}-scores`, interval: '1m', rules: scores },
    { name: `anomaly-${model.service}-traffic-scores`, interval: '1m', rules: trafficScores },
    { name: `anomaly-${model.service}-alerts`, rules: alerts },
  ];
}

export interface AnomalyRulesProps extends SloSpec {
  /** Per-service thresholds. @default - {@link ANOMALY_DEFAULTS} */
  readonly thresholds?: AnomalyThresholds;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The anomaly rules of one service as a PrometheusRule, beside its SLO rules. */
export class AnomalyRules extends Construct {
  public readonly model: SloModel;
  public readonly thresholds: Required<AnomalyThresholds>;
  public readonly groups: readonly RuleGroup[];
  public readonly rules: RuleGroups;

  constructor(scope: Construct, id: string, props: AnomalyRulesProps) {
    super(scope, id);
    const problems = Problems.of(this);
    validateSloSpec(props, problems);
    checkAnomalyThresholds(problems, 'thresholds', props.thresholds);
    problems.throwIfAny();
    this.model = sloModel(props);
    this.thresholds = resolveAnomalyThresholds(props.thresholds);
    this.groups = anomalyRuleGroups(this.model, this.thresholds);
    this.rules = new RuleGroups(this, 'Rules', {
      name: `${props.service}-anomaly`,
      namespace: props.namespace,
      groups: this.groups,
      labels: props.labels,
    });
  }
}
