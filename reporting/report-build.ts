/**
 * The performance report's data from a record source and the environment's context: each service's series, scaling
 * decisions and findings, and the capacity outlook. Shared by `npm run report` (context from the environments) and the
 * in-cluster weekly job (context from a JSON file fixed at synth), so it imports nothing of the stacks or cdk8s.
 */
import { NODE_RECORDS, REMEDIATION_RECORDS, SCALING_RECORDS, SERVICE_RECORDS } from '../constructs/observability/performance-record-names';
import type { ReportContext } from '../constructs/observability/report-context';
import { projectionSvg } from '../planning/capacity/projection-plot';
import { History } from '../planning/shared/history';
import { MatrixSeries } from '../planning/shared/prometheus-export';
import { MIN_LEVEL_DAYS, bandAt, projectMonthly } from '../planning/capacity/monthly-projection';
import { dailyPeaks } from '../planning/capacity/projection-backtest';
import { Points, RemediationSummary, increaseOf, nodesFinding } from './findings';
import { NODE_STEP_S, auditNodes } from './node-audit';
import { timeChart } from './svg-chart';
import { Range, RecordSource, RecordsError } from './records';
import { Panel, ReportInput, ServiceData } from './report-html';
import { AUDIT_STEP_S, auditService } from './service-audit';

/** Points a chart draws at most: a week at 15 minutes. */
const CHART_POINTS = 700;

const pointsOf = (series: readonly MatrixSeries[], name: string, labels: Record<string, string> = {}): Points =>
  series.find((s) => s.metric.__name__ === name && Object.entries(labels).every(([k, v]) => s.metric[k] === v))?.samples ?? [];

/** The replica count as steps: its first value and every change (exact, and small however long the range). */
const changesOnly = (ps: Points): Points => ps.filter((p, i) => i === 0 || i === ps.length - 1 || p[1] !== ps[i - 1][1]);

/** What the remediation runner did for a service over the range, from its records; undefined without them. */
async function remediationOf(source: RecordSource, service: string, range: Range): Promise<RemediationSummary | undefined> {
  const STEP_S = 60;
  const series = await source.query(`${REMEDIATION_RECORDS.actions}|${REMEDIATION_RECORDS.outcomes}`, { service }, range, STEP_S);
  if (series.length === 0) return undefined;
  const actions: Record<string, number> = {};
  const dryRunActions: Record<string, number> = {};
  let resolved = 0;
  let escalated = 0;
  for (const s of series) {
    const n = increaseOf(s.samples, range.from, STEP_S * 1000);
    const dry = s.metric.dry_run === 'true';
    if (s.metric.__name__ === REMEDIATION_RECORDS.actions) {
      const into = dry ? dryRunActions : actions;
      into[s.metric.action] = (into[s.metric.action] ?? 0) + n;
    } else if (!dry && s.metric.result === 'resolved') resolved += n;
    else if (!dry && s.metric.result === 'escalated') escalated += n;
  }
  return { actions, dryRunActions, resolved, escalated };
}

/** One service's series over the range, or undefined when it has no records there. */
async function serviceData(
  source: RecordSource,
  ctx: ReportContext,
  service: ReportContext['services'][number],
  range: Range,
): Promise<ServiceData | undefined> {
  const step = Math.max(60, Math.ceil((range.to - range.from) / 1000 / CHART_POINTS / 60) * 60);
  const series = await source.query(
    `${SERVICE_RECORDS.requests}|${SERVICE_RECORDS.latency}|slo:sli_error:ratio_rate5m`,
    { service: service.name },
    range,
    step,
  );
  const requests = pointsOf(series, SERVICE_RECORDS.requests);
  if (requests.length < 2) return undefined;
  const scaling = await source.query(SCALING_RECORDS.current, { service: service.name }, range, AUDIT_STEP_S);
  const replicas = changesOnly(pointsOf(scaling, SCALING_RECORDS.current));
  const decisions =
    replicas.length > 0 ? await auditService({ source, service: service.name, ...range, scaleDownWindowS: ctx.scaleDownWindowS }) : [];
  return {
    service: service.name,
    remediation: await remediationOf(source, service.name, range),
    objectives: service.objectives,
    requests,
    latency: pointsOf(series, SERVICE_RECORDS.latency),
    errorRatio: pointsOf(series, 'slo:sli_error:ratio_rate5m', { slo: 'availability' }),
    replicas,
    decisions,
  };
}

/** The projection of all services' peak traffic six months past the report, from up to 12 weeks of history. */
async function outlookOf(source: RecordSource, ctx: ReportContext, range: Range): Promise<Panel> {
  const title = 'Capacity outlook';
  const history = { from: range.to - 84 * 86_400_000, to: range.to };
  const series = await source.query(SERVICE_RECORDS.requests, { namespace: ctx.namespace }, history, 300);
  const total = new Map<number, number>();
  for (const s of series) for (const [t, v] of s.samples) total.set(t, (total.get(t) ?? 0) + v * 60);
  const ts = [...total.keys()].sort((a, b) => a - b);
  if (ts.length < 2) return { title, sentence: 'No traffic history to project.' };
  const h: History = {
    start: ts[0],
    stepMs: 300_000,
    perMinute: new Float64Array(Math.round((ts[ts.length - 1] - ts[0]) / 300_000) + 1).fill(NaN),
  };
  for (const t of ts) h.perMinute[Math.round((t - ts[0]) / 300_000)] = total.get(t)!;
  const peaks = dailyPeaks(h);
  const days = peaks.values.filter((v) => v > 0).length;
  if (days < MIN_LEVEL_DAYS)
    return { title, sentence: `Not enough history for a projection yet: ${days} day(s) with traffic, ${MIN_LEVEL_DAYS} needed.` };
  const months = 6;
  const model = projectMonthly(peaks, months);
  const at = (t: number) => bandAt(model, t);
  const until = model.from + months * 30.44 * 86_400_000;
  const band = at(until);
  const now = at(model.from).median;
  const change = Math.round((band.median / now - 1) * 100);
  const caveat =
    model.tooShort.length > 0
      ? ` The history is short for ${model.tooShort.length} of the ${months} months: the bands are widened, not a trend.`
      : '';
  return {
    title,
    svg: projectionSvg({
      title: `${ctx.env}: peak traffic of all services, projected ${months} months`,
      history: [...peaks.values].flatMap((peak, d) => (peak > 0 ? [{ t: peaks.start + d * 86_400_000, peak }] : [])),
      model: { at },
      until,
    }),
    sentence:
      `From the last ${days} days (${change >= 0 ? '+' : ''}${change}% by then), ` +
      `peak traffic reaches about ${Math.round(band.median)} requests per minute by ${new Date(until).toISOString().slice(0, 10)} ` +
      `(80% likely between ${Math.round(band.lo80)} and ${Math.round(band.hi80)}); \`npm run capacity\` turns this into replicas and nodes.${caveat}`,
  };
}

/** The cluster's node count and its autoscaler's changes with their reasons; undefined without node records. */
async function nodesOf(source: RecordSource, env: string, range: Range): Promise<Panel | undefined> {
  const count = changesOnly(pointsOf(await source.query(NODE_RECORDS.nodes, {}, range, NODE_STEP_S), NODE_RECORDS.nodes));
  const changes = await auditNodes(source, range.from, range.to).catch((e: unknown) => {
    if (e instanceof RecordsError) return [];
    throw e;
  });
  if (count.length === 0 && changes.length === 0) return undefined;
  return {
    title: 'Nodes',
    svg:
      count.length > 0
        ? timeChart({ title: `${env}: nodes`, unit: 'nodes', lines: [{ label: 'nodes', points: count, color: '#8c564b', step: true }] })
        : undefined,
    sentence: nodesFinding(env, count, changes),
  };
}

export async function buildReport(source: RecordSource, ctx: ReportContext, range: Range): Promise<ReportInput> {
  const services: ServiceData[] = [];
  for (const s of ctx.services) {
    const d = await serviceData(source, ctx, s, range);
    if (d) services.push(d);
  }
  if (services.length === 0)
    throw new RecordsError([
      `${source.name}: no service of ${ctx.env} has records between ${new Date(range.from).toISOString()} and ${new Date(range.to).toISOString()}; is the range right, and does Prometheus load the performance-records rules?`,
    ]);
  return {
    title: `${ctx.env} performance report`,
    from: range.from,
    to: range.to,
    services,
    cost: ctx.cost,
    outlook: await outlookOf(source, ctx, range),
    nodes: await nodesOf(source, ctx.env, range),
  };
}
