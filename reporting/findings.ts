/**
 * The report's numbers and their plain-language sentences, for people who do not read PromQL: SLO attainment and
 * error budget, latency against its objective, traffic, scaling activity and incidents. Pure.
 */
import type { ReportObjectives } from '../constructs/observability/report-context';
import { NodeChange, counterSteps } from './node-changes';
import { ScalingDecision } from './scaling-decisions';
import { fmt } from './svg-chart';

export type Points = readonly (readonly [number, number])[];

/** A service's objectives (the weekly job reads them from its context, the CLI from the environment). */
export type Objectives = ReportObjectives;

const pct = (x: number, digits = 3) => `${Number((x * 100).toPrecision(digits))}%`;
const when = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** Requests-weighted error ratio over the period, from a rate series and an error-ratio series on one grid. */
function badShare(requests: Points, errorRatio: Points): { total: number; bad: number; cumulative: [number, number][] } {
  const ratio = new Map(errorRatio.map(([t, v]) => [t, v]));
  let total = 0;
  let bad = 0;
  const cumulative: [number, number][] = [];
  for (let i = 0; i < requests.length; i++) {
    const dt = i + 1 < requests.length ? requests[i + 1][0] - requests[i][0] : i > 0 ? requests[i][0] - requests[i - 1][0] : 0;
    const n = requests[i][1] * (dt / 1000);
    total += n;
    bad += n * (ratio.get(requests[i][0]) ?? 0);
    cumulative.push([requests[i][0], bad]);
  }
  return { total, bad, cumulative };
}

export interface SloFinding {
  readonly attainment: number;
  readonly budgetLeft: number;
  /** Share of the period's error budget left at each point (1 = untouched). */
  readonly budgetCurve: [number, number][];
  readonly sentence: string;
}

/** Attainment and error budget left over the report's period (the budget the period's traffic allows). */
export function sloFinding(service: string, o: Objectives, requests: Points, errorRatio: Points): SloFinding {
  const { total, bad, cumulative } = badShare(requests, errorRatio);
  const allowed = total * (1 - o.availability);
  const attainment = total > 0 ? 1 - bad / total : 1;
  const budgetLeft = allowed > 0 ? 1 - bad / allowed : 1;
  const met = attainment >= o.availability;
  const sentence = met
    ? `${service} met its ${pct(o.availability, 4)} availability objective (${pct(attainment, 5)} of requests succeeded); ${Math.round(budgetLeft * 100)}% of the error budget is left.`
    : `${service} missed its ${pct(o.availability, 4)} availability objective (${pct(attainment, 5)} of requests succeeded); the error budget is overspent by ${Math.round(-budgetLeft * 100)}%.`;
  return { attainment, budgetLeft, budgetCurve: cumulative.map(([t, b]) => [t, allowed > 0 ? (1 - b / allowed) * 100 : 100]), sentence };
}

export function latencyFinding(service: string, o: Objectives, latency: Points): string {
  const q = `p${Math.round(o.latencyQuantile * 100)}`;
  const ms = (s: number) => `${Math.round(s * 1000)} ms`;
  const within = latency.filter(([, v]) => v <= o.latencyThresholdS).length / latency.length;
  const worst = latency.reduce((a, b) => (b[1] > a[1] ? b : a));
  return within === 1
    ? `${service}'s ${q} latency stayed under its ${ms(o.latencyThresholdS)} objective all period (worst ${ms(worst[1])}, ${when(worst[0])}).`
    : `${service}'s ${q} latency was under its ${ms(o.latencyThresholdS)} objective ${pct(within)} of the time; worst ${ms(worst[1])} at ${when(worst[0])}.`;
}

export function trafficFinding(service: string, requests: Points): string {
  const peak = requests.reduce((a, b) => (b[1] > a[1] ? b : a));
  const mean = requests.reduce((s, [, v]) => s + v, 0) / requests.length;
  const half = Math.floor(requests.length / 2);
  const avg = (xs: Points) => xs.reduce((s, [, v]) => s + v, 0) / Math.max(1, xs.length);
  const change = avg(requests.slice(half)) / Math.max(1e-9, avg(requests.slice(0, half))) - 1;
  const trend =
    Math.abs(change) < 0.05 ? 'about level' : change > 0 ? `up ${Math.round(change * 100)}%` : `down ${Math.round(-change * 100)}%`;
  return `${service} served ${fmt(mean)} requests per second on average, peaking at ${fmt(peak[1])} on ${when(peak[0])}; the second half of the period was ${trend} on the first.`;
}

export function scalingFinding(service: string, decisions: readonly ScalingDecision[], replicas: Points): string {
  if (decisions.length === 0) return `${service} did not change its replica count (${fmt(replicas[0]?.[1] ?? 0)} replicas all period).`;
  const ups = decisions.filter((d) => d.to > d.from).length;
  const floors = decisions.filter((d) => d.cause === 'floor').length;
  const outside = decisions.filter((d) => d.cause === 'outside-hpa').length;
  const limited = decisions.filter((d) => d.limit).length;
  const counts = replicas.map(([, v]) => v);
  return (
    `${service} changed its replica count ${decisions.length} times (${ups} up, ${decisions.length - ups} down) between ` +
    `${Math.min(...counts)} and ${Math.max(...counts)} replicas: ${decisions.length - floors - outside} on its load metrics, ` +
    `${floors} on cron or forecast floors${outside > 0 ? `, ${outside} outside the HPA (remediation or by hand)` : ''}; ` +
    `${limited} were held back by a bound, rate policy or stabilization window.`
  );
}

/** Burn rate that pages (2% of a 30-day budget in an hour). */
export const PAGE_BURN_RATE = 14.4;

export interface Incident {
  readonly from: number;
  readonly to: number;
  readonly worstRatio: number;
}

/** Stretches where the error ratio burned the budget at the paging rate or faster. */
export function incidents(o: Objectives, errorRatio: Points): Incident[] {
  const threshold = PAGE_BURN_RATE * (1 - o.availability);
  const out: Incident[] = [];
  let open: { from: number; to: number; worstRatio: number } | undefined;
  for (const [t, v] of errorRatio) {
    if (v >= threshold) {
      open = open ? { ...open, to: t, worstRatio: Math.max(open.worstRatio, v) } : { from: t, to: t, worstRatio: v };
    } else if (open) {
      out.push(open);
      open = undefined;
    }
  }
  if (open) out.push(open);
  return out;
}

export function incidentFinding(service: string, found: readonly Incident[], outsideHpa: number): string {
  const actions = outsideHpa > 0 ? ` ${outsideHpa} replica changes came from outside the HPA (remediation or by hand).` : '';
  if (found.length === 0)
    return `${service} had no incident: the error rate never burned the budget at the paging rate (${PAGE_BURN_RATE}x).${actions}`;
  const minutes = found.reduce((s, i) => s + (i.to - i.from) / 60_000 + 5, 0);
  const worst = found.reduce((a, b) => (b.worstRatio > a.worstRatio ? b : a));
  return `${service} had ${found.length} incident${found.length > 1 ? 's' : ''} (about ${Math.round(minutes)} minutes in all) burning the error budget at ${PAGE_BURN_RATE}x or faster; the worst reached ${pct(worst.worstRatio)} errors at ${when(worst.from)}.${actions}`;
}

/** The requirement: remediation resolves 80% of performance issues without manual intervention. */
export const REMEDIATION_TARGET = 0.8;

/**
 * The increase of a cumulative series over a period starting at `from`: a fall is a reset (the runner restarted,
 * counting again from 0), and a series that first appears inside the period counts its first value.
 */
export function increaseOf(ps: Points, from: number, stepMs: number): number {
  if (ps.length === 0) return 0;
  // On the query grid a series there at `from` has its first sample within half a step of it; a later one appeared.
  return counterSteps(ps, ps[0][0] > from + stepMs / 2).reduce((total, [, n]) => total + n, 0);
}

/** What the remediation runner did for one service over the period. */
export interface RemediationSummary {
  /** Actions taken, by kind (restart, scale, cacheClear, rollback). */
  readonly actions: Readonly<Record<string, number>>;
  /** Actions decided in dry run, by kind: nothing was changed. */
  readonly dryRunActions: Readonly<Record<string, number>>;
  /** Answered alerts (not in dry run) that ended with no person paged. */
  readonly resolved: number;
  /** Answered alerts (not in dry run) that ended after the runner paged a person. */
  readonly escalated: number;
}

const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${fmt(n)} times`);
const byKind = (r: Readonly<Record<string, number>>) =>
  Object.entries(r)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${times(n)}`)
    .join(', ');
const sum = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((a, b) => a + b, 0);

/** One sentence on remediation, or '' when the service has no runner records in the period. */
export function remediationFinding(service: string, r: RemediationSummary | undefined): string {
  if (!r) return '';
  const acted = sum(r.actions);
  const dry = sum(r.dryRunActions);
  const ended = r.resolved + r.escalated;
  const parts: string[] = [];
  if (acted > 0) parts.push(`The remediation runner acted on ${service} ${times(acted)} (${byKind(r.actions)}).`);
  if (ended > 0) {
    const share = r.resolved / ended;
    parts.push(
      `Of the ${fmt(ended)} alerts it answered that ended, ${fmt(r.resolved)} ended without paging anyone (${pct(share, 2)}; ` +
        `the target is ${pct(REMEDIATION_TARGET, 2)}${share >= REMEDIATION_TARGET ? ', met' : ', not met'}).`,
    );
  }
  if (dry > 0)
    parts.push(
      `In dry run, the remediation runner would have acted on ${service} ${times(dry)} (${byKind(r.dryRunActions)}); it changed nothing.`,
    );
  return parts.length > 0 ? parts.join(' ') : `The remediation runner did not act on ${service}.`;
}

/** The cluster's node count over the period and its autoscaler's changes, by reason. */
export function nodesFinding(env: string, nodes: Points, changes: readonly NodeChange[]): string {
  const counts = nodes.map(([, v]) => v);
  const ran =
    counts.length === 0
      ? `In ${env}`
      : Math.min(...counts) === Math.max(...counts)
        ? `${env}'s cluster ran ${fmt(counts[0])} nodes all period`
        : `${env}'s cluster ran between ${fmt(Math.min(...counts))} and ${fmt(Math.max(...counts))} nodes`;
  if (changes.length === 0) return `${ran}; its autoscaler added and removed no node.`;
  const part = (change: NodeChange['change'], noun?: 'node') => {
    const byReason = new Map<string, number>();
    for (const c of changes) if (c.change === change) byReason.set(c.reason, (byReason.get(c.reason) ?? 0) + c.count);
    const total = [...byReason.values()].reduce((a, b) => a + b, 0);
    const reasons = [...byReason].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return `${change} ${fmt(total)}${noun ? (total === 1 ? ' node' : ' nodes') : ''}${total > 0 ? ` (${reasons.map(([r, n]) => `${r} ${fmt(n)}`).join(', ')})` : ''}`;
  };
  const tools = [...new Set(changes.map((c) => c.autoscaler))].join(' and ');
  return `${ran}${counts.length === 0 ? ',' : ';'} ${tools} ${part('added', 'node')} and ${part('removed')}.`;
}
