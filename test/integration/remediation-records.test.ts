import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { REMEDIATION_RECORDS, remediationRecordRules } from '../../constructs/observability/performance-records';
import { resolveRemediationPolicy } from '../../constructs/observability/remediation-policy';
import { WebhookPayload } from '../../remediation/decide';
import { RemediationRunner } from '../../remediation/runner';
import { describeWithPrograms } from './support/programs';

/** The runner's counters after a restart that worked, one that needed a person, and a dry-run scale elsewhere. */
async function runnerMetrics(): Promise<string> {
  const policy = (dryRun: boolean) =>
    resolveRemediationPolicy(
      'web',
      {
        dryRun,
        services: [
          { service: 'api-gateway', rules: [{ alert: 'AnomalyLatency', action: { kind: 'restart' }, maxPerHour: 1, cooldownMinutes: 0 }] },
          { service: 'nlp-service', rules: [{ alert: 'AnomalyTrafficSpike', action: { kind: 'scale', by: 2, minutes: 30 } }] },
        ],
      },
      { 'api-gateway': { minReplicas: 2, maxReplicas: 20 }, 'nlp-service': { minReplicas: 2, maxReplicas: 10 } },
    );
  const executor = { run: async () => 'done', rolloutAt: () => undefined, event: async () => undefined, notify: async () => undefined };
  const live = new RemediationRunner({ policy: policy(false), executor, log: () => undefined });
  const alert = (alertname: string, service: string, fingerprint: string, status: 'firing' | 'resolved' = 'firing'): WebhookPayload => ({
    version: '4',
    status,
    alerts: [{ status, labels: { alertname, service, severity: 'ticket' }, startsAt: new Date().toISOString(), fingerprint }],
  });
  await live.handle(alert('AnomalyLatency', 'api-gateway', 'a'));
  await live.handle(alert('AnomalyLatency', 'api-gateway', 'a', 'resolved'));
  // The hourly limit (1) pages a person about the next episode.
  await live.handle(alert('AnomalyLatency', 'api-gateway', 'b'));
  await live.handle(alert('AnomalyLatency', 'api-gateway', 'b', 'resolved'));
  const dry = new RemediationRunner({ policy: policy(true), executor, log: () => undefined });
  await dry.handle(alert('AnomalyTrafficSpike', 'nlp-service', 'c'));
  return live.metrics() + dry.metrics();
}

describeWithPrograms('remediation records, on real promtool over the runner’s own counters', ['promtool'], (bin) => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-remediation-records-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sums the actions per service, kind and dry run, and how the answered alerts ended', async () => {
    // Each counter line as Prometheus scrapes it (the target's namespace added; honorLabels keeps `service`),
    // counted from 0 at the first minute.
    const input = (await runnerMetrics())
      .split('\n')
      .filter((l) => /^perfstack_remediation_\w+\{/.test(l))
      .map((l) => {
        const [, series, value] = /^(\S+\{.*\}) (\d+)$/.exec(l)!;
        return { series: series.replace('{', '{namespace="web",pod="remediation-runner-1",'), values: `0 ${value} ${value}` };
      });
    expect(input.length).toBe(5);
    fs.writeFileSync(path.join(dir, 'rules.yml'), stringify({ groups: [remediationRecordRules('web')] }, { lineWidth: 0 }));
    const at = (record: string, samples: [string, number][]) => ({
      expr: record,
      eval_time: '2m',
      exp_samples: samples.map(([labels, value]) => ({ labels: `${record}{namespace="web",${labels}}`, value })),
    });
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: input,
          promql_expr_test: [
            at(REMEDIATION_RECORDS.actions, [
              ['service="api-gateway",action="restart",dry_run="false"', 1],
              ['service="nlp-service",action="scale",dry_run="true"', 1],
            ]),
            at(REMEDIATION_RECORDS.outcomes, [
              ['service="api-gateway",dry_run="false",result="resolved"', 1],
              ['service="api-gateway",dry_run="false",result="escalated"', 1],
            ]),
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'tests.yml'), stringify(tests, { lineWidth: 0 }));
    const r = spawnSync(bin.promtool, ['test', 'rules', 'tests.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  it('passes promtool check rules, lint included', () => {
    fs.writeFileSync(path.join(dir, 'check.yml'), stringify({ groups: [remediationRecordRules('web')] }, { lineWidth: 0 }));
    const r = spawnSync(bin.promtool, ['check', 'rules', '--lint=all', '--lint-fatal', 'check.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: 2 rules found/);
    expect(r.status).toBe(0);
  });
});
