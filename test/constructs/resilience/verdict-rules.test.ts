import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { RUNBOOK_BASE } from '../../../constructs/observability/rule-groups';
import { VERDICT, VERDICT_INTERVAL_SECONDS, VerdictSpec, chaosVerdictRules, runStart } from '../../../constructs/resilience/verdict-rules';
import { describeWithPrograms } from '../../integration/support/programs';

/** A made-up experiment over made-up series: the rules must not depend on any one fault's metrics. */
const SPEC: VerdictSpec = {
  name: 'cache-kill',
  steadyState: 'min(cache_healthy)',
  faultSeenAt: 'max(cache_restarted_at)',
  recoverySeconds: 60,
  verdictAfterSeconds: 300,
  hypothesis: 'the cache serves within a minute',
};

const record = (group: ReturnType<typeof chaosVerdictRules>, name: string, experiment = SPEC.name) =>
  group.rules.find((r) => r.record === name && r.labels?.experiment === experiment)!;

describe('chaosVerdictRules', () => {
  const group = chaosVerdictRules('web', [SPEC, { ...SPEC, name: 'db-kill', hypothesis: 'the database fails over' }]);

  it('is one group per namespace evaluated every 15 s, the resolution of the disruption measurement', () => {
    expect(group.name).toBe('chaos-verdicts-web');
    expect(group.interval).toBe(`${VERDICT_INTERVAL_SECONDS}s`);
  });

  it('records the five verdict series for each experiment, labelled with its name, then the two alerts', () => {
    const series = ['steady_state', 'fault_observed', 'run_age_seconds', 'disruption_seconds', 'verdict'].map(
      (s) => `perfstack:chaos_${s}`,
    );
    expect(group.rules.map((r) => r.record ?? r.alert)).toEqual([
      ...series,
      ...series,
      'ChaosExperimentFailed',
      'ChaosExperimentInconclusive',
    ]);
    expect(group.rules.slice(0, 5).every((r) => r.labels?.experiment === 'cache-kill')).toBe(true);
    expect(group.rules.slice(5, 10).every((r) => r.labels?.experiment === 'db-kill')).toBe(true);
  });

  it("takes the steady state as written and dates the run from the latest of the experiment's Jobs", () => {
    expect(record(group, 'perfstack:chaos_steady_state').expr).toBe('min(cache_healthy)');
    expect(runStart('web', 'chaos-cache-kill')).toBe('max(kube_job_created{namespace="web",job_name=~"chaos-cache-kill-.*"})');
    expect(record(group, 'perfstack:chaos_run_age_seconds').expr).toBe(`time() - ${runStart('web', 'chaos-cache-kill')}`);
  });

  it('finds the runs by another Job prefix when given one', () => {
    const drills = chaosVerdictRules('data', [SPEC], 'drill');
    expect(record(drills, 'perfstack:chaos_run_age_seconds').expr).toContain('job_name=~"drill-cache-kill-.*"');
  });

  it('raises tickets, not pages, naming every hypothesis and a runbook', () => {
    const alerts = group.rules.filter((r) => r.alert);
    expect(alerts.map((a) => [a.alert, a.expr])).toEqual([
      ['ChaosExperimentFailed', `perfstack:chaos_verdict == ${VERDICT.fail}`],
      ['ChaosExperimentInconclusive', `perfstack:chaos_verdict == ${VERDICT.inconclusive}`],
    ]);
    for (const a of alerts) {
      expect(a.labels).toEqual({ severity: 'ticket', component: 'chaos' });
      expect(a.annotations?.runbook_url?.startsWith(`${RUNBOOK_BASE}/chaos-experiment-`)).toBe(true);
    }
    expect(alerts[0].annotations?.description).toContain('cache-kill: the cache serves within a minute; db-kill: the database fails over');
  });
});

/**
 * The verdict's edges on real promtool, one changed field per case. Samples every 15 s; the Job is created at
 * t = 600 s, the fault lands at t = 630 s, the cache is unhealthy for `broken` samples from then on.
 */
describeWithPrograms('chaos verdicts at their edges, on real promtool', ['promtool'], (bin) => {
  const STEP = VERDICT_INTERVAL_SECONDS;
  const RUN_AT = 600;
  const FAULT = 42;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-verdict-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  interface Case {
    readonly spec?: Partial<VerdictSpec>;
    /** Unhealthy samples from the fault on. @default 4 (60 s) */
    readonly broken?: number;
    /** The fault leaves its trace. @default true */
    readonly injected?: boolean;
    /** Samples of series. @default 240 (one hour) */
    readonly samples?: number;
    readonly evalAt: number;
  }

  /** The verdict promtool computes at `evalAt`, or undefined when none is recorded then. */
  function verdict(c: Case): number | undefined {
    const spec = { ...SPEC, ...c.spec };
    const samples = c.samples ?? 240;
    const broken = c.broken ?? 4;
    const values = (v: (i: number) => number | undefined) => Array.from({ length: samples }, (_, i) => v(i) ?? '_').join(' ');
    const rules = path.join(dir, 'verdict.rules.yaml');
    fs.writeFileSync(rules, stringify({ groups: [chaosVerdictRules('web', [spec])] }, { lineWidth: 0 }));
    const input_series = [
      {
        series: 'kube_job_created{namespace="web",job_name="chaos-cache-kill-29000000"}',
        values: values((i) => (i >= 40 ? RUN_AT : undefined)),
      },
      { series: 'cache_restarted_at{pod="cache-0"}', values: values((i) => (c.injected !== false && i >= FAULT ? RUN_AT + 30 : 100)) },
      { series: 'cache_healthy{pod="cache-0"}', values: values((i) => (i >= FAULT && i < FAULT + broken ? 0 : 1)) },
    ];
    // promtool reports the samples it got when they differ from the expected ones: expect none and read them.
    const test = path.join(dir, 'verdict.test.yaml');
    fs.writeFileSync(
      test,
      stringify(
        {
          rule_files: [rules],
          evaluation_interval: `${STEP}s`,
          tests: [
            {
              interval: `${STEP}s`,
              input_series,
              promql_expr_test: [
                { expr: `perfstack:chaos_verdict{experiment="${spec.name}"}`, eval_time: `${c.evalAt}s`, exp_samples: [] },
              ],
            },
          ],
        },
        { lineWidth: 0 },
      ),
    );
    const r = spawnSync(bin.promtool, ['test', 'rules', test], { encoding: 'utf8' });
    const output = r.stdout + r.stderr;
    if (r.status === 0) return undefined;
    const got = /got:\s*\{[^}]*\}\s*(-?[\d.]+(?:E[+-]?\d+)?)/.exec(output);
    if (!got) throw new Error(`promtool failed without a verdict:\n${output}`);
    return Number(got[1]);
  }

  // 1500 s after the start: past the verdict delay (300 s), inside the hour.
  const AT = RUN_AT + 900;

  it('passes when the fault was seen and the steady state broke for exactly the recovery time, then held', () => {
    expect(verdict({ evalAt: AT })).toBe(VERDICT.pass);
  });

  it('fails when the steady state broke 15 s longer than the recovery time', () => {
    expect(verdict({ evalAt: AT, spec: { recoverySeconds: 45 } })).toBe(VERDICT.fail);
  });

  it('fails when the steady state is still broken, however short the disruption so far', () => {
    expect(verdict({ evalAt: AT, broken: 400, spec: { recoverySeconds: 3600 } })).toBe(VERDICT.fail);
  });

  it('is inconclusive when the run happened but the fault never showed', () => {
    expect(verdict({ evalAt: AT, injected: false, broken: 0 })).toBe(VERDICT.inconclusive);
  });

  it('gives no verdict before verdictAfterSeconds have passed since the run started', () => {
    expect(verdict({ evalAt: AT, spec: { verdictAfterSeconds: 901 } })).toBeUndefined();
    expect(verdict({ evalAt: AT, spec: { verdictAfterSeconds: 900 } })).toBe(VERDICT.pass);
  });

  it('stops recording the verdict an hour after the run started', () => {
    expect(verdict({ evalAt: RUN_AT + 3600, samples: 400 })).toBe(VERDICT.pass);
    expect(verdict({ evalAt: RUN_AT + 3615, samples: 400 })).toBeUndefined();
  });
});
