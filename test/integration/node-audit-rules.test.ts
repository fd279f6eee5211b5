import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { NODE_RECORDS, nodeAuditRules } from '../../constructs/observability/performance-records';
import { describeWithPrograms } from './support/programs';

/** Series of the test, as Karpenter and the cluster autoscaler expose them (two Karpenter replicas: only the leader counts). */
const INPUT = [
  {
    series: 'karpenter_nodeclaims_created_total{pod="karpenter-a",nodepool="default",capacity_type="spot",reason="provisioned"}',
    values: '0 1 3',
  },
  {
    series: 'karpenter_nodeclaims_created_total{pod="karpenter-b",nodepool="default",capacity_type="spot",reason="provisioned"}',
    values: '0 0 0',
  },
  {
    series: 'karpenter_nodeclaims_created_total{pod="karpenter-a",nodepool="default",capacity_type="on-demand",reason="drifted"}',
    values: '0 0 1',
  },
  {
    series: 'karpenter_nodeclaims_disrupted_total{pod="karpenter-a",nodepool="default",capacity_type="on-demand",reason="drifted"}',
    values: '0 0 1',
  },
  {
    series: 'karpenter_nodeclaims_disrupted_total{pod="karpenter-a",nodepool="default",capacity_type="spot",reason="underutilized"}',
    values: '0 0 2',
  },
  { series: 'cluster_autoscaler_scaled_up_nodes_total{pod="ca"}', values: '2 2 5' },
  { series: 'cluster_autoscaler_scaled_down_nodes_total{pod="ca",reason="empty"}', values: '0 1 1' },
  { series: 'cluster_autoscaler_scaled_down_nodes_total{pod="ca",reason="underutilized"}', values: '0 0 4' },
  { series: 'kube_node_info{node="a"}', values: '1 1 1' },
  { series: 'kube_node_info{node="b"}', values: '1 1 1' },
];

describeWithPrograms('node audit rules, on real promtool', ['promtool'], (bin) => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-node-rules-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("records each autoscaler's node additions and removals per nodepool, capacity type and reason, and the node count", () => {
    fs.writeFileSync(path.join(dir, 'rules.yml'), stringify({ groups: [nodeAuditRules()] }, { lineWidth: 0 }));
    const karpenter = (capacity: string, reason: string) => ({
      labels: `{autoscaler="karpenter",nodepool="default",capacity_type="${capacity}",reason="${reason}"}`,
    });
    const ca = (reason: string) => ({ labels: `{autoscaler="cluster-autoscaler",reason="${reason}"}` });
    // The record's samples at the third minute, when every input has counted.
    const expectAt = (record: string, samples: { labels: string; value: number }[]) => ({
      expr: record,
      eval_time: '2m',
      exp_samples: samples.map((x) => ({ ...x, labels: `${record}${x.labels}` })),
    });
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: INPUT,
          promql_expr_test: [
            expectAt(NODE_RECORDS.added, [
              { ...karpenter('spot', 'provisioned'), value: 3 },
              { ...karpenter('on-demand', 'drifted'), value: 1 },
              { ...ca('pending_pods'), value: 5 },
            ]),
            expectAt(NODE_RECORDS.removed, [
              { ...karpenter('on-demand', 'drifted'), value: 1 },
              { ...karpenter('spot', 'underutilized'), value: 2 },
              { ...ca('empty'), value: 1 },
              { ...ca('underutilized'), value: 4 },
            ]),
            { expr: NODE_RECORDS.nodes, eval_time: '1m', exp_samples: [{ labels: NODE_RECORDS.nodes, value: 2 }] },
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
    fs.writeFileSync(path.join(dir, 'check.yml'), stringify({ groups: [nodeAuditRules()] }, { lineWidth: 0 }));
    const r = spawnSync(bin.promtool, ['check', 'rules', '--lint=all', '--lint-fatal', 'check.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: 3 rules found/);
    expect(r.status).toBe(0);
  });
});
