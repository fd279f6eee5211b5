import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';
import { synthesized } from './support/synthesized';

describeWithPrograms('restore drill alerts of prod, on real promtool', ['promtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-drill-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const rule = synthesized(prod, 'PrometheusRule', 'postgres-restore-drill');
  const annotations = (alert: string) => {
    const r = rule.spec.groups[0].rules.find((x: { alert?: string }) => x.alert === alert);
    return { ...r.annotations, summary: r.annotations.summary.replace('{{ $labels.job_name }}', 'postgres-restore-drill-29001') };
  };
  const labels = { severity: 'ticket', component: 'postgres', cluster: 'postgres' };
  const job = (name: string) => `namespace="web",job_name="${name}"`;

  it('records the restore time and data age, and alerts on a failed, overdue or never-successful drill', () => {
    const file = path.join(dir, 'drill.rules.yaml');
    fs.writeFileSync(file, stringify({ groups: rule.spec.groups }, { lineWidth: 0 }));
    const tests = [
      {
        name: 'a drill passes: figures kept after the drill pod is gone, no alert for 8 days',
        interval: '1h',
        input_series: [
          { series: `kube_job_status_succeeded{${job('postgres-restore-drill-29000')}}`, values: '1x200' },
          { series: `kube_job_status_completion_time{${job('postgres-restore-drill-29000')}}`, values: '3600x200' },
          {
            series: 'perfstack_restore_drill_restore_seconds{namespace="web",cluster="postgres",pod="postgres-restore-drill-29000-x"}',
            values: '1234 _x20',
          },
          {
            series:
              'perfstack_restore_drill_newest_data_age_seconds{namespace="web",cluster="postgres",pod="postgres-restore-drill-29000-x"}',
            values: '95 _x20',
          },
        ],
        promql_expr_test: [
          {
            expr: 'perfstack:restore_drill_seconds',
            eval_time: '10h',
            exp_samples: [{ labels: 'perfstack:restore_drill_seconds{namespace="web",cluster="postgres"}', value: 1234 }],
          },
          {
            expr: 'perfstack:restore_drill_data_age_seconds',
            eval_time: '10h',
            exp_samples: [{ labels: 'perfstack:restore_drill_data_age_seconds{namespace="web",cluster="postgres"}', value: 95 }],
          },
        ],
        alert_rule_test: [
          { eval_time: '8d', alertname: 'PostgresRestoreDrillOverdue', exp_alerts: [] },
          { eval_time: '8d', alertname: 'PostgresRestoreDrillFailed', exp_alerts: [] },
          { eval_time: '8d', alertname: 'PostgresRestoreDrillNeverSucceeded', exp_alerts: [] },
          {
            eval_time: '8d2h',
            alertname: 'PostgresRestoreDrillOverdue',
            exp_alerts: [{ exp_labels: { ...labels, namespace: 'web' }, exp_annotations: annotations('PostgresRestoreDrillOverdue') }],
          },
        ],
      },
      {
        name: 'a drill fails',
        interval: '1h',
        input_series: [
          { series: `kube_job_status_succeeded{${job('postgres-restore-drill-29000')}}`, values: '1x10' },
          { series: `kube_job_status_completion_time{${job('postgres-restore-drill-29000')}}`, values: '3600x10' },
          { series: `kube_job_status_failed{${job('postgres-restore-drill-29001')}}`, values: '0 0 1x8' },
        ],
        alert_rule_test: [
          { eval_time: '1h', alertname: 'PostgresRestoreDrillFailed', exp_alerts: [] },
          {
            eval_time: '5h',
            alertname: 'PostgresRestoreDrillFailed',
            exp_alerts: [
              {
                exp_labels: { ...labels, namespace: 'web', job_name: 'postgres-restore-drill-29001' },
                exp_annotations: annotations('PostgresRestoreDrillFailed'),
              },
            ],
          },
        ],
      },
      {
        name: 'no drill ever succeeds',
        interval: '1h',
        input_series: [{ series: `kube_job_status_failed{${job('postgres-restore-drill-29001')}}`, values: '1x200' }],
        alert_rule_test: [
          { eval_time: '7d', alertname: 'PostgresRestoreDrillNeverSucceeded', exp_alerts: [] },
          {
            eval_time: '8d1h',
            alertname: 'PostgresRestoreDrillNeverSucceeded',
            exp_alerts: [
              { exp_labels: { ...labels, namespace: 'web' }, exp_annotations: annotations('PostgresRestoreDrillNeverSucceeded') },
            ],
          },
        ],
      },
    ];
    const testFile = path.join(dir, 'drill.test.yaml');
    fs.writeFileSync(testFile, stringify({ rule_files: [file], evaluation_interval: '1h', tests }, { lineWidth: 0 }));
    const r = spawnSync(bin.promtool, ['test', 'rules', testFile], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });
});
