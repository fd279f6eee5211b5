/**
 * The weekly performance report as one self-contained HTML page: inline CSS and SVG, no script, no font, no link to
 * anything, so it opens from a USB stick in an air-gapped site. Pure: takes the gathered series and findings.
 */
import { ScalingDecision, describeDecision } from './scaling-decisions';
import {
  Objectives,
  Points,
  RemediationSummary,
  incidentFinding,
  incidents,
  latencyFinding,
  remediationFinding,
  scalingFinding,
  sloFinding,
  trafficFinding,
} from './findings';
import { Bar, barChart, escapeHtml, timeChart } from './svg-chart';

export interface ServiceData {
  readonly service: string;
  readonly objectives: Objectives;
  /** Requests per second. */
  readonly requests: Points;
  /** The objective's latency percentile, seconds. */
  readonly latency: Points;
  /** Share of failed requests (5-minute rate). */
  readonly errorRatio: Points;
  readonly replicas: Points;
  readonly decisions: readonly ScalingDecision[];
  /** What the remediation runner did, when its records are there. @default - no runner records */
  readonly remediation?: RemediationSummary;
}

/** A chart (inline SVG) with its one-sentence finding; absent data is a sentence without a chart. */
export interface Panel {
  readonly title: string;
  readonly svg?: string;
  readonly sentence: string;
}

export interface ReportInput {
  readonly title: string;
  readonly from: number;
  readonly to: number;
  readonly services: readonly ServiceData[];
  /** Cost per month of the environment (from the cost model), or why there is none. */
  readonly cost: Panel;
  /** Capacity outlook (from the projection), or why there is none. */
  readonly outlook: Panel;
  /** The cluster's nodes and its autoscaler's changes. @default - no node records in the period */
  readonly nodes?: Panel;
}

const COLORS = { traffic: '#1f77b4', latency: '#ff7f0e', budget: '#2ca02c', replicas: '#9467bd', errors: '#d62728' };

function panel(p: Panel): string {
  return `<figure>${p.svg ?? ''}<figcaption>${escapeHtml(p.sentence)}</figcaption></figure>`;
}

/** The panels of one service, in reading order. */
export function servicePanels(d: ServiceData): Panel[] {
  const slo = sloFinding(d.service, d.objectives, d.requests, d.errorRatio);
  const q = `p${Math.round(d.objectives.latencyQuantile * 100)}`;
  const found = incidents(d.objectives, d.errorRatio);
  const outside = d.decisions.filter((x) => x.cause === 'outside-hpa').length;
  const ms = (ps: Points): [number, number][] => ps.map(([t, v]) => [t, v * 1000]);
  return [
    {
      title: 'Error budget',
      svg: timeChart({
        title: `${d.service}: error budget left`,
        unit: '% of budget',
        lines: [{ label: 'budget left', points: slo.budgetCurve, color: COLORS.budget }],
        yMin: Math.min(0, ...slo.budgetCurve.map((p) => p[1])),
      }),
      sentence: slo.sentence,
    },
    {
      title: `${q} latency`,
      svg: timeChart({
        title: `${d.service}: ${q} latency`,
        unit: 'ms',
        lines: [{ label: `${q} latency`, points: ms(d.latency), color: COLORS.latency }],
        objective: {
          label: `objective ${Math.round(d.objectives.latencyThresholdS * 1000)} ms`,
          value: d.objectives.latencyThresholdS * 1000,
        },
      }),
      sentence: latencyFinding(d.service, d.objectives, d.latency),
    },
    {
      title: 'Traffic',
      svg: timeChart({
        title: `${d.service}: traffic`,
        unit: 'requests/s',
        lines: [{ label: 'requests per second', points: d.requests, color: COLORS.traffic }],
      }),
      sentence: trafficFinding(d.service, d.requests),
    },
    {
      title: 'Scaling activity',
      svg: timeChart({
        title: `${d.service}: replicas`,
        unit: 'replicas',
        lines: [{ label: 'replicas', points: d.replicas, color: COLORS.replicas, step: true }],
      }),
      sentence: scalingFinding(d.service, d.decisions, d.replicas),
    },
    {
      title: 'Incidents and remediations',
      svg: timeChart({
        title: `${d.service}: error rate`,
        unit: '% errors',
        lines: [{ label: 'errors (5-minute rate)', points: d.errorRatio.map(([t, v]) => [t, v * 100]), color: COLORS.errors }],
        objective: { label: 'paging burn rate', value: 14.4 * (1 - d.objectives.availability) * 100 },
      }),
      sentence: [incidentFinding(d.service, found, outside), remediationFinding(d.service, d.remediation)].filter((x) => x).join(' '),
    },
  ];
}

/** Monthly cost at the minimum and maximum replicas, with the spot mix and all on-demand. */
export function costPanel(
  environment: string,
  c: { min: { withSpot: number; allOnDemand: number }; max: { withSpot: number; allOnDemand: number } },
): Panel {
  const bars: Bar[] = [
    { label: 'minimum replicas, spot mix', value: c.min.withSpot, color: '#2ca02c' },
    { label: 'minimum replicas, all on-demand', value: c.min.allOnDemand, color: '#98df8a' },
    { label: 'maximum replicas, spot mix', value: c.max.withSpot, color: '#1f77b4' },
    { label: 'maximum replicas, all on-demand', value: c.max.allOnDemand, color: '#aec7e8' },
  ];
  const saving = c.max.allOnDemand > 0 ? 1 - c.max.withSpot / c.max.allOnDemand : 0;
  return {
    title: 'Cost per month',
    svg: barChart(`${environment}: cost per month (USD)`, 'USD', bars),
    sentence: `${environment} costs about $${Math.round(c.min.withSpot).toLocaleString('en-US')} a month at its minimum replicas and up to $${Math.round(c.max.withSpot).toLocaleString('en-US')} at its maximum, ${Math.round(saving * 100)}% less than all on-demand.`,
  };
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

function decisionsTable(ds: readonly ScalingDecision[]): string {
  if (ds.length === 0) return '';
  const rows = ds
    .slice(-20)
    .map(
      (d) => `<tr><td>${new Date(d.t).toISOString().slice(0, 19).replace('T', ' ')}</td><td>${escapeHtml(describeDecision(d))}</td></tr>`,
    )
    .join('');
  return `<details><summary>Last ${Math.min(20, ds.length)} of ${ds.length} scaling decisions (npm run scaling-audit lists all)</summary><table>${rows}</table></details>`;
}

export function renderReport(r: ReportInput): string {
  const sections = r.services.map(
    (d) =>
      `<section><h2>${escapeHtml(d.service)}</h2>${servicePanels(d)
        .map((p) => `<h3>${escapeHtml(p.title)}</h3>${panel(p)}`)
        .join('\n')}${decisionsTable(d.decisions)}</section>`,
  );
  const summary = r.services
    .map((d) => `<li>${escapeHtml(sloFinding(d.service, d.objectives, d.requests, d.errorRatio).sentence)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.title)}</title>
<style>
body{font-family:sans-serif;max-width:920px;margin:2em auto;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}h3{margin-bottom:.2em}
figure{margin:0 0 1.2em 0}figcaption{font-size:1.05em;margin-top:.3em}svg{max-width:100%;height:auto;border:1px solid #eee}
table{border-collapse:collapse;font-size:.85em}td{border-top:1px solid #eee;padding:2px 6px;vertical-align:top}
</style></head><body>
<h1>${escapeHtml(r.title)}</h1>
<p>${day(r.from)} to ${day(r.to)}. Every chart comes with its finding in one sentence; the numbers are the platform's own Prometheus records.</p>
<h2>Summary</h2><ul>${summary}</ul>
${sections.join('\n')}
<section><h2>Cost and capacity</h2>
${r.nodes ? `<h3>${escapeHtml(r.nodes.title)}</h3>${panel(r.nodes)}\n` : ''}<h3>${escapeHtml(r.cost.title)}</h3>${panel(r.cost)}
<h3>${escapeHtml(r.outlook.title)}</h3>${panel(r.outlook)}
</section>
</body></html>
`;
}
