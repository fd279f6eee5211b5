import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { staging } from '../../stacks/staging';
import { describeWithPrograms } from './support/programs';
import { synthesized } from './support/synthesized';

/** Series sampled every 15 s; the trigger Job starts at sample 40 (t = 600 s), the fault lands at sample 42. */
const STEP = 15;
const RUN_AT = 600;
const FAULT_SAMPLE = 42;
const SAMPLES = 120;

/** promtool's expanding notation for per-sample values. */
function values(v: (i: number) => number | undefined): string {
  return Array.from({ length: SAMPLES }, (_, i) => v(i) ?? '_').join(' ');
}

type Outcome = 'pass' | 'fail' | 'inconclusive';
interface Series {
  readonly series: string;
  readonly values: string;
}

/**
 * Series for one experiment and outcome: `disrupted(i)` is true for the samples where the steady state is broken
 * (2 samples = 30 s for a pass, 20 samples = 300 s for a fail, none for inconclusive), and the fault's own trace
 * is present except when inconclusive.
 */
function scenario(experiment: string, outcome: Outcome): Series[] {
  const broken = outcome === 'pass' ? 2 : outcome === 'fail' ? 20 : 0;
  const disrupted = (i: number) => i >= FAULT_SAMPLE && i < FAULT_SAMPLE + broken;
  const injected = outcome !== 'inconclusive';
  const redis = 'namespace="web",service="redis-metrics"';
  const podCreated = (pod: string) => ({
    series: `kube_pod_created{namespace="web",pod="${pod}"}`,
    values: values((i) => (injected && i >= FAULT_SAMPLE ? RUN_AT + 30 : 100)),
  });
  const run = {
    series: `kube_job_created{namespace="web",job_name="chaos-${experiment}-29000000"}`,
    values: values((i) => (i >= 40 ? RUN_AT : undefined)),
  };
  const redisHealthy = (brokenAt: (i: number) => boolean) => [
    { series: `redis_cluster_state{${redis},pod="redis-0"}`, values: values((i) => (brokenAt(i) ? 0 : 1)) },
    { series: `redis_cluster_slots_ok{${redis},pod="redis-0"}`, values: values((i) => (brokenAt(i) ? 10923 : 16384)) },
  ];
  const primary = (brokenAt: (i: number) => boolean) => [
    { series: 'cnpg_pg_replication_in_recovery{namespace="web",pod="postgres-1"}', values: values((i) => (brokenAt(i) ? 1 : 0)) },
    { series: 'cnpg_pg_replication_in_recovery{namespace="web",pod="postgres-2"}', values: values(() => 1) },
  ];
  switch (experiment) {
    case 'redis-master-kill':
      return [run, podCreated('redis-1'), ...redisHealthy(disrupted)];
    case 'postgres-primary-kill':
      return [run, podCreated('postgres-1'), ...primary(disrupted)];
    case 'pooler-kill':
      return [
        run,
        podCreated('postgres-pooler-rw-7f9c-x2'),
        {
          series: 'cnpg_pgbouncer_pools_cl_waiting{namespace="web",pod="postgres-pooler-rw-7f9c-x1"}',
          values: values((i) => (disrupted(i) ? 40 : 0)),
        },
      ];
    case 'zone-partition':
      // The partition (sample 42 to 62): masters lose their replica across the cut while it lasts.
      return [
        run,
        ...redisHealthy(disrupted),
        ...primary(() => false),
        { series: `redis_instance_info{${redis},pod="redis-0",role="master"}`, values: values(() => 1) },
        {
          series: `redis_connected_slaves{${redis},pod="redis-0"}`,
          values: values((i) => (injected && i >= FAULT_SAMPLE && i < FAULT_SAMPLE + 20 ? 0 : 1)),
        },
      ];
    default:
      throw new Error(`no scenario for ${experiment}`);
  }
}

describeWithPrograms('chaos experiment verdicts of staging, on real promtool', ['promtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-chaos-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const rule = synthesized(staging, 'PrometheusRule', 'chaos-verdicts');
  const cronJobs = ['redis-master-kill', 'postgres-primary-kill', 'pooler-kill', 'zone-partition'];
  const verdictAfter: Record<string, number> = {
    'redis-master-kill': 180,
    'postgres-primary-kill': 180,
    'pooler-kill': 150,
    'zone-partition': 540,
  };

  it('has an experiment CronJob for each of the four faults', () => {
    for (const name of cronJobs) expect(synthesized(staging, 'CronJob', `chaos-${name}`).spec.schedule).toMatch(/^0 10 \* \* [2-5]$/);
  });

  it.each(cronJobs)('%s: pass, fail and inconclusive verdicts and their alerts on series that show each', (experiment) => {
    const file = path.join(dir, 'chaos.rules.yaml');
    fs.writeFileSync(file, stringify({ groups: rule.spec.groups }, { lineWidth: 0 }));
    const evalTime = `${RUN_AT + verdictAfter[experiment] + 60}s`;
    const expected: Record<Outcome, number> = { pass: 1, fail: 0, inconclusive: -1 };
    const alert = (name: string) => {
      const r = rule.spec.groups[0].rules.find((x: { alert?: string }) => x.alert === name);
      const annotations: Record<string, string> = { ...r.annotations };
      annotations.summary = annotations.summary.replace('{{ $labels.experiment }}', experiment);
      return [{ exp_labels: { severity: 'ticket', component: 'chaos', experiment }, exp_annotations: annotations }];
    };
    const tests = (['pass', 'fail', 'inconclusive'] as Outcome[]).map((outcome) => ({
      name: `${experiment} ${outcome}`,
      interval: `${STEP}s`,
      input_series: scenario(experiment, outcome),
      promql_expr_test: [
        {
          expr: `perfstack:chaos_verdict{experiment="${experiment}"}`,
          eval_time: evalTime,
          exp_samples: [{ labels: `perfstack:chaos_verdict{experiment="${experiment}"}`, value: expected[outcome] }],
        },
        // No verdict before the recovery time is up.
        { expr: `perfstack:chaos_verdict{experiment="${experiment}"}`, eval_time: `${RUN_AT + 60}s`, exp_samples: [] },
      ],
      alert_rule_test: [
        {
          eval_time: evalTime,
          alertname: 'ChaosExperimentFailed',
          exp_alerts: outcome === 'fail' ? alert('ChaosExperimentFailed') : [],
        },
        {
          eval_time: evalTime,
          alertname: 'ChaosExperimentInconclusive',
          exp_alerts: outcome === 'inconclusive' ? alert('ChaosExperimentInconclusive') : [],
        },
      ],
    }));
    const testFile = path.join(dir, `${experiment}.test.yaml`);
    fs.writeFileSync(testFile, stringify({ rule_files: [file], evaluation_interval: `${STEP}s`, tests }, { lineWidth: 0 }));
    const r = spawnSync(bin.promtool, ['test', 'rules', testFile], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });
});
