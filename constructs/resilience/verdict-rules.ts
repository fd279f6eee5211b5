import { Rule, RuleGroup, runbook } from '../observability/rule-groups';

/**
 * What an experiment (a chaos experiment or a restore drill) claims, as PromQL over the platform's own metrics, so
 * the verdict never trusts the fault injector's word.
 */
export interface VerdictSpec {
  /** `redis-master-kill`: the `experiment` label of every series below and the CronJob `chaos-<name>`. */
  readonly name: string;
  /** Steady-state hypothesis: a label-less expression that is 1 while it holds and 0 while it does not. */
  readonly steadyState: string;
  /**
   * When the fault was last seen taking effect, as a Unix timestamp (a label-less expression), e.g. the creation time
   * of the newest target pod: the fault counts as observed when this is at or after the run's start.
   */
  readonly faultSeenAt: string;
  /** How long the steady state may be violated in total, the expected recovery. */
  readonly recoverySeconds: number;
  /** Seconds after the run's start before a verdict is given: the fault's duration plus recovery plus scrape lag. */
  readonly verdictAfterSeconds: number;
  /** One line for the alert: what the hypothesis says. */
  readonly hypothesis: string;
}

/** Verdict values of `perfstack:chaos_verdict`. */
export const VERDICT = { pass: 1, fail: 0, inconclusive: -1 } as const;

/** How long a verdict stays recorded after a run (and how far back the steady state is checked). */
export const VERDICT_WINDOW = '1h';
const WINDOW_SECONDS = 3600;
/** Evaluation interval of the verdict group: the resolution of the disruption measurement. */
export const VERDICT_INTERVAL_SECONDS = 15;

/** Start of the latest run (CronJob-made or on-demand `kubectl create job chaos-<name>-<suffix> --from=...`). */
export function runStart(namespace: string, jobPrefix: string): string {
  return `max(kube_job_created{namespace="${namespace}",job_name=~"${jobPrefix}-.*"})`;
}

/**
 * Recording rules and alerts turning each experiment into a verdict, in one group evaluated every 15 s:
 * - `perfstack:chaos_steady_state{experiment}` 1/0, `perfstack:chaos_fault_observed{experiment}` 1/0 (the fault
 *   took effect after the latest run started), `perfstack:chaos_run_age_seconds{experiment}`;
 * - `perfstack:chaos_disruption_seconds{experiment}`: seconds the steady state did not hold in the last hour (which
 *   covers the time before the injection: a steady-state hypothesis must also hold before the fault);
 * - `perfstack:chaos_verdict{experiment}`: 1 pass (fault observed, steady state violated at most `recoverySeconds`
 *   and holding again), 0 fail, -1 inconclusive (the run happened, the fault was never seen), recorded from
 *   `verdictAfterSeconds` to one hour after the run;
 * - alerts `ChaosExperimentFailed` and `ChaosExperimentInconclusive` (tickets: experiments run in working hours).
 *
 * @see https://principlesofchaos.org/ (steady-state hypothesis)
 */
export function chaosVerdictRules(namespace: string, specs: readonly VerdictSpec[], jobPrefix = 'chaos'): RuleGroup {
  const perExperiment = specs.flatMap((s): Rule[] => {
    const experiment = { experiment: s.name };
    const sel = `{experiment="${s.name}"}`;
    const run = runStart(namespace, `${jobPrefix}-${s.name}`);
    return [
      { record: 'perfstack:chaos_steady_state', expr: s.steadyState, labels: experiment },
      { record: 'perfstack:chaos_fault_observed', expr: `((${s.faultSeenAt}) or vector(0)) >= bool on () (${run})`, labels: experiment },
      { record: 'perfstack:chaos_run_age_seconds', expr: `time() - ${run}`, labels: experiment },
      {
        record: 'perfstack:chaos_disruption_seconds',
        expr:
          `sum_over_time((perfstack:chaos_steady_state${sel} == bool 0)[${VERDICT_WINDOW}:${VERDICT_INTERVAL_SECONDS}s])` +
          ` * ${VERDICT_INTERVAL_SECONDS}`,
        labels: experiment,
      },
      {
        record: 'perfstack:chaos_verdict',
        expr: [
          `(`,
          `  (perfstack:chaos_disruption_seconds${sel} <= bool ${s.recoverySeconds}) * on (experiment) perfstack:chaos_steady_state${sel}`,
          `    and on (experiment) perfstack:chaos_fault_observed${sel} == 1`,
          `  or on (experiment)`,
          `  perfstack:chaos_fault_observed${sel} - 1`,
          `)`,
          `and on (experiment) (perfstack:chaos_run_age_seconds${sel} >= ${s.verdictAfterSeconds}) <= ${WINDOW_SECONDS}`,
        ].join('\n'),
        labels: experiment,
      },
    ];
  });
  const labels = { severity: 'ticket', component: 'chaos' };
  const hypotheses = specs.map((s) => `${s.name}: ${s.hypothesis}`).join('; ');
  return {
    name: `chaos-verdicts-${namespace}`,
    interval: `${VERDICT_INTERVAL_SECONDS}s`,
    rules: [
      ...perExperiment,
      {
        alert: 'ChaosExperimentFailed',
        expr: `perfstack:chaos_verdict == ${VERDICT.fail}`,
        labels,
        annotations: {
          summary: 'Chaos experiment {{ $labels.experiment }} failed: the steady state did not hold or did not recover in time',
          description: `Hypotheses: ${hypotheses}. See perfstack:chaos_disruption_seconds for how long it was violated.`,
          runbook_url: runbook('chaos-experiment-failed'),
        },
      },
      {
        alert: 'ChaosExperimentInconclusive',
        expr: `perfstack:chaos_verdict == ${VERDICT.inconclusive}`,
        labels,
        annotations: {
          summary: 'Chaos experiment {{ $labels.experiment }} ran but its fault was never observed: no verdict',
          description: 'The trigger Job ran, yet no target was seen failing: check the Chaos Mesh experiment status and selectors.',
          runbook_url: runbook('chaos-experiment-inconclusive'),
        },
      },
    ],
  };
}
