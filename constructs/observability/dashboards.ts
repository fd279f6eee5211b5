import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { dependencySignals } from '../traffic/dependency-rules';
import { CAPACITY_TYPE_KEY } from '../workload/capacity-class';
import { SloModel, sliRecord } from './slo';

/** kube-state-metrics' name for the capacity-type node label (`label_` + the key with `.`, `/`, `-` as `_`). */
const CAPACITY_LABEL_SERIES = `label_${CAPACITY_TYPE_KEY.replace(/[^a-zA-Z0-9]/g, '_')}`;

/** One query of a panel. */
export interface PanelQuery {
  readonly expr: string;
  readonly legend: string;
}

/** The subset of the Grafana dashboard model perfstack writes (schemaVersion 39). */
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly schemaVersion: number;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly panels: readonly Panel[];
}

export interface Panel {
  readonly id: number;
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly fieldConfig: { readonly defaults: { readonly unit: string } };
  readonly targets: readonly { readonly refId: string; readonly expr: string; readonly legendFormat: string }[];
}

/** A panel before layout: what it shows. */
export interface PanelSpec {
  readonly title: string;
  readonly unit: string;
  readonly type?: 'timeseries' | 'stat';
  readonly queries: readonly PanelQuery[];
}

function panels(specs: readonly PanelSpec[]): Panel[] {
  return specs.map((s, i) => ({
    id: i + 1,
    type: s.type ?? 'timeseries',
    title: s.title,
    // Two panels per row, 12 columns each.
    gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
    fieldConfig: { defaults: { unit: s.unit } },
    targets: s.queries.map((q, j) => ({ refId: String.fromCharCode(65 + j), expr: q.expr, legendFormat: q.legend })),
  }));
}

function dashboard(uid: string, title: string, tags: string[], p: Panel[]): Dashboard {
  return { uid, title, tags, schemaVersion: 39, time: { from: 'now-6h', to: 'now' }, refresh: '30s', panels: p };
}

/**
 * A service's dashboard, from the same model as its SLO rules: latency percentiles, throughput, error ratio
 * (recorded), replicas against the autoscaler's desired and maximum, and the error budget left; then, per service it
 * calls through the mesh (`callees`, none by default), the four signals of its dependency alerts.
 */
export function serviceDashboard(model: SloModel, callees: readonly string[] = []): Dashboard {
  const sel = `namespace="${model.namespace}",service="${model.service}"`;
  const hpa = `namespace="${model.namespace}",horizontalpodautoscaler="${model.service}"`;
  const { availability, histogram } = model;
  const quantile = (q: number) => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(${histogram}_bucket{${sel}}[5m])))`,
    legend: `p${Math.round(q * 100)}`,
  });
  return dashboard(
    `perfstack-${model.service}`,
    `${model.service} (perfstack)`,
    ['perfstack', 'service'],
    [
      ...panels([
        { title: 'Latency', unit: 's', queries: [quantile(0.5), quantile(0.95), quantile(0.99)] },
        { title: 'Throughput', unit: 'reqps', queries: [{ expr: `sum(rate(${model.requests}{${sel}}[5m]))`, legend: 'requests/s' }] },
        {
          title: 'Error ratio (5m)',
          unit: 'percentunit',
          queries: model.objectives.map((o) => ({
            expr: `${sliRecord('5m')}{service="${model.service}",namespace="${model.namespace}",slo="${o.name}"}`,
            legend: o.name,
          })),
        },
        {
          title: 'Replicas',
          unit: 'short',
          queries: [
            { expr: `kube_horizontalpodautoscaler_status_current_replicas{${hpa}}`, legend: 'current' },
            { expr: `kube_horizontalpodautoscaler_status_desired_replicas{${hpa}}`, legend: 'desired' },
            { expr: `kube_horizontalpodautoscaler_spec_max_replicas{${hpa}}`, legend: 'max' },
          ],
        },
        {
          title: `Error budget left (${model.period.toSeconds() / 86400} days)`,
          unit: 'percentunit',
          type: 'stat',
          queries: model.objectives.map((o) => ({
            // Unweighted by traffic: the average of the 5m ratios over the period, against the budget.
            expr: `1 - avg_over_time(${sliRecord('5m')}{service="${model.service}",namespace="${model.namespace}",slo="${o.name}"}[${model.period.toSeconds() / 86400}d]) / ${o.budget}`,
            legend: o.name,
          })),
        },
        {
          title: 'Availability SLI (1h)',
          unit: 'percentunit',
          queries: [
            {
              expr: `1 - ${sliRecord('1h')}{service="${model.service}",namespace="${model.namespace}",slo="${availability.name}"}`,
              legend: 'good share',
            },
          ],
        },
        ...callees.flatMap((callee) => dependencyPanels(model.namespace, model.service, callee)),
      ]),
    ],
  );
}

/**
 * One dependency's panels: the very expressions its alerts test ({@link dependencySignals}, without the threshold).
 * Overflows and timeouts are this caller's calls only; retries and ejections are the callee's, shared by all its
 * callers (the waypoint's Envoy cluster stats carry no caller).
 */
export function dependencyPanels(namespace: string, caller: string, callee: string): PanelSpec[] {
  const s = dependencySignals(namespace, callee, caller);
  const call = `${caller} -> ${callee}`;
  return [
    { title: `${call}: circuit-breaker overflows`, unit: 'reqps', queries: [{ expr: s.overflowRate, legend: 'refused (503, UO)' }] },
    { title: `${call}: upstream timeouts`, unit: 'percentunit', queries: [{ expr: s.timeoutRatio, legend: 'timed out (UT)' }] },
    { title: `${callee}: retries (all callers)`, unit: 'percentunit', queries: [{ expr: s.retryRatio, legend: 'retries / requests' }] },
    {
      title: `${callee}: outlier ejections (all callers)`,
      unit: 'short',
      queries: [{ expr: s.ejectionsActive, legend: 'instances ejected' }],
    },
  ];
}

/** The platform dashboard: cache hit ratio, database pool usage, and the spot/on-demand mix of the nodes. */
export function platformDashboard(namespace: string, poolSize: number): Dashboard {
  const ns = `namespace="${namespace}"`;
  return dashboard(
    'perfstack-platform',
    'Platform (perfstack)',
    ['perfstack', 'platform'],
    [
      ...panels([
        {
          title: 'Cache hit ratio',
          unit: 'percentunit',
          queries: [
            {
              expr: `sum(rate(redis_keyspace_hits_total{${ns}}[5m])) / (sum(rate(redis_keyspace_hits_total{${ns}}[5m])) + sum(rate(redis_keyspace_misses_total{${ns}}[5m])))`,
              legend: 'hit ratio',
            },
          ],
        },
        {
          title: 'Database pool usage',
          unit: 'percentunit',
          queries: [{ expr: `sum by (pod) (cnpg_pgbouncer_pools_sv_active{${ns}}) / ${poolSize}`, legend: '{{pod}}' }],
        },
        {
          title: 'Clients waiting for a server connection',
          unit: 'short',
          queries: [{ expr: `sum by (pod) (cnpg_pgbouncer_pools_cl_waiting{${ns}})`, legend: '{{pod}}' }],
        },
        {
          title: 'Nodes by capacity type',
          unit: 'short',
          // kube-state-metrics must export the node label (the generated kube-prometheus-stack values allow it).
          queries: [{ expr: `count by (${CAPACITY_LABEL_SERIES}) (kube_node_labels)`, legend: `{{${CAPACITY_LABEL_SERIES}}}` }],
        },
      ]),
    ],
  );
}

export interface DashboardsProps {
  /** Namespace Grafana's dashboard sidecar watches. */
  readonly namespace: string;
  readonly dashboards: readonly Dashboard[];
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The label Grafana's dashboard sidecar loads ConfigMaps by (also set in the kube-prometheus-stack values). */
export const DASHBOARD_LABEL = { key: 'grafana_dashboard', value: '1' } as const;

/** Dashboards as ConfigMaps labelled `grafana_dashboard: "1"`, the label Grafana's sidecar loads. */
export class Dashboards extends Construct {
  constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    for (const d of props.dashboards) {
      new k8s.KubeConfigMap(this, d.uid, {
        metadata: {
          name: d.uid,
          namespace: props.namespace,
          labels: { ...(props.labels ?? {}), [DASHBOARD_LABEL.key]: DASHBOARD_LABEL.value },
        },
        data: { [`${d.uid}.json`]: JSON.stringify(d, null, 2) },
      });
    }
  }
}
