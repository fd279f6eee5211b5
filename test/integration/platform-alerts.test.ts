import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { platformAlertRules } from '../../constructs/observability/platform-alerts';
import { PLATFORM_TARGETS } from '../../stacks/services';
import { firingCount as promtoolFiringCount } from './support/promtool-alerts';
import { describeWithPrograms } from './support/programs';

const ns = 'namespace="web"';
const hpa = `${ns},horizontalpodautoscaler="api-gateway"`;
const ctr = `${ns},pod="api-0",container="api"`;

interface Case {
  readonly alert: string;
  readonly evalTime: string;
  readonly firing: { series: string; values: string }[];
  readonly healthy: { series: string; values: string }[];
}

/** For each alert: series that must make it fire by `evalTime`, and healthy series that must keep it quiet. */
const CASES: Case[] = [
  {
    alert: 'HpaAtMaxReplicas',
    evalTime: '20m',
    firing: [
      { series: `kube_horizontalpodautoscaler_status_current_replicas{${hpa}}`, values: '20x30' },
      { series: `kube_horizontalpodautoscaler_spec_max_replicas{${hpa}}`, values: '20x30' },
    ],
    healthy: [
      { series: `kube_horizontalpodautoscaler_status_current_replicas{${hpa}}`, values: '12x30' },
      { series: `kube_horizontalpodautoscaler_spec_max_replicas{${hpa}}`, values: '20x30' },
    ],
  },
  {
    alert: 'HpaUnableToComputeMetrics',
    evalTime: '15m',
    firing: [{ series: `kube_horizontalpodautoscaler_status_condition{${hpa},condition="ScalingActive",status="false"}`, values: '1x30' }],
    healthy: [{ series: `kube_horizontalpodautoscaler_status_condition{${hpa},condition="ScalingActive",status="false"}`, values: '0x30' }],
  },
  {
    alert: 'KedaScalerErrors',
    evalTime: '20m',
    firing: [{ series: `keda_scaler_detail_errors_total{${ns},scaledObject="api-gateway",scaler="prometheusScaler"}`, values: '0+2x30' }],
    healthy: [{ series: `keda_scaler_detail_errors_total{${ns},scaledObject="api-gateway",scaler="prometheusScaler"}`, values: '3x30' }],
  },
  {
    alert: 'PodCrashLooping',
    evalTime: '10m',
    firing: [{ series: `kube_pod_container_status_waiting_reason{${ctr},reason="CrashLoopBackOff"}`, values: '1x30' }],
    healthy: [{ series: `kube_pod_container_status_waiting_reason{${ctr},reason="CrashLoopBackOff"}`, values: '0x30' }],
  },
  {
    alert: 'ContainerMemoryNearLimit',
    evalTime: '20m',
    firing: [
      { series: `container_memory_working_set_bytes{${ctr}}`, values: '900x30' },
      { series: `kube_pod_container_resource_limits{${ctr},resource="memory"}`, values: '1000x30' },
    ],
    healthy: [
      { series: `container_memory_working_set_bytes{${ctr}}`, values: '500x30' },
      { series: `kube_pod_container_resource_limits{${ctr},resource="memory"}`, values: '1000x30' },
    ],
  },
  {
    alert: 'CpuThrottlingHigh',
    evalTime: '25m',
    firing: [
      { series: `container_cpu_cfs_throttled_periods_total{${ctr}}`, values: '0+50x30' },
      { series: `container_cpu_cfs_periods_total{${ctr}}`, values: '0+100x30' },
    ],
    healthy: [
      { series: `container_cpu_cfs_throttled_periods_total{${ctr}}`, values: '0+1x30' },
      { series: `container_cpu_cfs_periods_total{${ctr}}`, values: '0+100x30' },
    ],
  },
  {
    alert: 'SpotInterruptionNotice',
    evalTime: '1m',
    firing: [
      {
        series: 'kube_node_spec_taint{node="ip-10-30-1-5",key="aws-node-termination-handler/spot-itn",value="",effect="NoSchedule"}',
        values: '1x5',
      },
    ],
    healthy: [
      {
        series: 'kube_node_spec_taint{node="ip-10-30-1-5",key="perfstack.io/capacity-type",value="spot",effect="NoSchedule"}',
        values: '1x5',
      },
    ],
  },
  {
    alert: 'CacheHitRatioLow',
    evalTime: '25m',
    firing: [
      { series: `redis_keyspace_hits_total{${ns},pod="redis-0"}`, values: '0+80x30' },
      { series: `redis_keyspace_misses_total{${ns},pod="redis-0"}`, values: '0+20x30' },
    ],
    healthy: [
      { series: `redis_keyspace_hits_total{${ns},pod="redis-0"}`, values: '0+97x30' },
      { series: `redis_keyspace_misses_total{${ns},pod="redis-0"}`, values: '0+3x30' },
    ],
  },
  {
    alert: 'LatencyP99High',
    evalTime: '20m',
    // All requests slower than 0.5 s (and faster than 1 s): p99 lands between the two buckets.
    firing: [
      { series: `http_request_duration_seconds_bucket{${ns},service="api-gateway",le="0.5"}`, values: '0+0x30' },
      { series: `http_request_duration_seconds_bucket{${ns},service="api-gateway",le="1"}`, values: '0+100x30' },
      { series: `http_request_duration_seconds_bucket{${ns},service="api-gateway",le="+Inf"}`, values: '0+100x30' },
    ],
    healthy: [
      { series: `http_request_duration_seconds_bucket{${ns},service="api-gateway",le="0.5"}`, values: '0+100x30' },
      { series: `http_request_duration_seconds_bucket{${ns},service="api-gateway",le="1"}`, values: '0+100x30' },
      { series: `http_request_duration_seconds_bucket{${ns},service="api-gateway",le="+Inf"}`, values: '0+100x30' },
    ],
  },
];

describeWithPrograms('Platform alerts, on real promtool', ['promtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-platform-'));
  const rules = path.join(dir, 'platform.rules.yaml');
  const group = platformAlertRules({ namespace: 'web', ...PLATFORM_TARGETS });
  fs.writeFileSync(rules, stringify({ groups: [group] }, { lineWidth: 0 }));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const firingCount = (alert: string, series: Case['firing'], evalTime: string, expected: number): string =>
    promtoolFiringCount({
      promtool: bin.promtool,
      rules,
      testFile: path.join(dir, `${alert}-${expected}.yaml`),
      series,
      selector: `alertname="${alert}",alertstate="firing"`,
      evalTime,
      expected,
    });

  it('covers every platform alert', () => {
    expect(CASES.map((c) => c.alert)).toEqual(group.rules.map((r) => r.alert));
  });

  it.each(CASES.map((c) => [c.alert, c] as const))('%s fires on its condition', (_, c) => {
    expect(firingCount(c.alert, c.firing, c.evalTime, 1)).toBe('SUCCESS');
  });

  it.each(CASES.map((c) => [c.alert, c] as const))('%s stays quiet on healthy series', (_, c) => {
    expect(firingCount(c.alert, c.healthy, c.evalTime, 0)).toBe('SUCCESS');
  });
});
