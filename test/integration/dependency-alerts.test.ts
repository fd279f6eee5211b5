import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { Duration } from 'cdk8s';
import { Problems } from '../../constructs/core/errors';
import { checkCallGraph } from '../../constructs/traffic/call-graph';
import { dependencyPanels } from '../../constructs/observability/dashboards';
import { dependencyAlertRules } from '../../constructs/traffic/dependency-rules';
import { meshPolicies } from '../../constructs/traffic/mesh-policy';
import { firingCount } from './support/promtool-alerts';
import { describeWithPrograms } from './support/programs';

const req = (flags: string, values: string, caller = 'api-gateway') => ({
  series: `istio_requests_total{reporter="waypoint",source_workload="${caller}",destination_service_namespace="web",destination_service_name="audit-service",response_code="200",response_flags="${flags}"}`,
  values,
});
const cluster = 'cluster_name="outbound|80||audit-service.web.svc.cluster.local"';

interface Case {
  readonly alert: string;
  readonly firing: { series: string; values: string }[];
  readonly healthy: { series: string; values: string }[];
}

/** For each alert: series that must make it fire at 20m with caller and callee named, and healthy series that keep it quiet. */
const CASES: Case[] = [
  { alert: 'DependencyCircuitBreakerOverflow', firing: [req('UO', '0+60x30'), req('-', '0+6000x30')], healthy: [req('-', '0+6000x30')] },
  {
    alert: 'DependencyUpstreamTimeouts',
    firing: [req('UT', '0+300x30'), req('-', '0+6000x30')],
    healthy: [req('UT', '0+6x30'), req('-', '0+6000x30')],
  },
  {
    alert: 'DependencyRetryRateHigh',
    firing: [
      { series: `envoy_cluster_upstream_rq_retry{${cluster}}`, values: '0+1200x30' },
      { series: `envoy_cluster_upstream_rq_total{${cluster}}`, values: '0+6000x30' },
    ],
    healthy: [
      { series: `envoy_cluster_upstream_rq_retry{${cluster}}`, values: '0+60x30' },
      { series: `envoy_cluster_upstream_rq_total{${cluster}}`, values: '0+6000x30' },
    ],
  },
  {
    alert: 'DependencyOutlierEjections',
    firing: [{ series: `envoy_cluster_outlier_detection_ejections_active{${cluster}}`, values: '1x30' }],
    healthy: [{ series: `envoy_cluster_outlier_detection_ejections_active{${cluster}}`, values: '0x30' }],
  },
];

describeWithPrograms('Dependency alerts, on real promtool', ['promtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-dependencies-'));
  const rules = path.join(dir, 'dependencies.rules.yaml');
  const p = new Problems('test');
  const graph = checkCallGraph(p, [
    {
      name: 'api-gateway',
      latencyThreshold: Duration.millis(200),
      replicasMax: 20,
      dependencies: [{ kind: 'service', service: 'audit-service', methods: ['POST'], idempotent: true }],
    },
    { name: 'audit-service', latencyThreshold: Duration.millis(200), replicasMax: 8 },
  ])!;
  p.throwIfAny();
  const group = dependencyAlertRules('web', meshPolicies(graph));
  fs.writeFileSync(rules, stringify({ groups: [group] }, { lineWidth: 0 }));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const firing = (alert: string, series: Case['firing'], expected: number): string =>
    firingCount({
      promtool: bin.promtool,
      rules,
      testFile: path.join(dir, `${alert}-${expected}.yaml`),
      series,
      selector: `alertname="${alert}",alertstate="firing",callee="audit-service",caller="api-gateway"`,
      evalTime: '20m',
      expected,
    });

  it('covers every dependency alert, and promtool accepts the rules', () => {
    expect(CASES.map((c) => c.alert)).toEqual(group.rules.map((r) => r.alert));
    const r = spawnSync(bin.promtool, ['check', 'rules', rules], { encoding: 'utf8' });
    expect(`${r.status} ${r.stdout}${r.stderr}`).toMatch(/^0 /);
  });

  it.each(CASES.map((c) => [c.alert, c] as const))('%s fires on its condition, naming caller and callee', (_, c) => {
    expect(firing(c.alert, c.firing, 1)).toBe('SUCCESS');
  });

  it.each(CASES.map((c) => [c.alert, c] as const))('%s stays quiet on healthy series', (_, c) => {
    expect(firing(c.alert, c.healthy, 0)).toBe('SUCCESS');
  });

  it("plots, on the caller's dashboard, its own calls' overflows and timeouts and the callee's shared retries and ejections", () => {
    const [overflow, timeouts, retries, ejections] = dependencyPanels('web', 'api-gateway', 'audit-service').map((p) => p.queries[0].expr);
    const own = '{destination_service_name="audit-service", source_workload="api-gateway"}';
    // Another caller's refusals and timeouts must not show on api-gateway's panels.
    const series = [
      req('UO', '0+60x30'),
      req('UT', '0+60x30'),
      req('-', '0+180x30'),
      req('UO', '0+600x30', 'web'),
      req('UT', '0+6000x30', 'web'),
      { series: `envoy_cluster_upstream_rq_retry{${cluster}}`, values: '0+1200x30' },
      { series: `envoy_cluster_upstream_rq_total{${cluster}}`, values: '0+6000x30' },
      { series: `envoy_cluster_outlier_detection_ejections_active{${cluster}}`, values: '2x30' },
    ];
    const atTwentyMinutes = (expr: string, labels: string, value: number) => ({ expr, eval_time: '20m', exp_samples: [{ labels, value }] });
    const test = path.join(dir, 'panels.test.yaml');
    fs.writeFileSync(
      test,
      stringify(
        {
          rule_files: [rules],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series: series,
              promql_expr_test: [
                atTwentyMinutes(overflow, own, 1),
                atTwentyMinutes(timeouts, own, 0.2),
                atTwentyMinutes(retries, '{}', 0.2),
                atTwentyMinutes(ejections, '{}', 2),
              ],
            },
          ],
        },
        { lineWidth: 0 },
      ),
    );
    const r = spawnSync(bin.promtool, ['test', 'rules', test], { encoding: 'utf8' });
    expect(`${r.status} ${r.stdout}${r.stderr}`).toMatch(/^0 /);
  });
});
