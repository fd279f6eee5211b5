/**
 * One service's scaling decisions in a range, read from its recorded series (reporting/scaling-decisions.ts): what
 * `npm run scaling-audit --service` lists and the report's scaling panel draws. Imports nothing of cdk8s, so the
 * in-cluster weekly report bundles it.
 */
import { SCALING_RECORDS } from '../constructs/observability/performance-record-names';
import { RecordSource, RecordsError } from './records';
import { ScalingDecision, scalingDecisions } from './scaling-decisions';

/** The HPA syncs every 15 s: the records' resolution. */
export const AUDIT_STEP_S = 15;

export interface AuditInput {
  readonly source: RecordSource;
  readonly service: string;
  readonly from: number;
  readonly to: number;
  /** The HPAs' scale-down stabilization window, seconds (the platform's: planning/forecast/hpa-sim.ts). */
  readonly scaleDownWindowS: number;
}

/** Reads one service's records and lists its decisions; bad input (unknown service, no records) throws RecordsError. */
export async function auditService(i: AuditInput): Promise<ScalingDecision[]> {
  const range = { from: i.from, to: i.to };
  const series = await i.source.query('perfstack:scaling_.+', { service: i.service }, range, AUDIT_STEP_S);
  if (series.some((s) => s.metric.__name__ === SCALING_RECORDS.current)) {
    const all = scalingDecisions(i.service, series, { scaleDownWindowS: i.scaleDownWindowS });
    return all.filter((d) => d.t >= i.from && d.t <= i.to);
  }
  const any = await i.source.query(SCALING_RECORDS.current, {}, range, 3600);
  const services = [...new Set(any.map((s) => s.metric.service))].sort();
  throw new RecordsError([
    services.length === 0
      ? `${i.source.name}: no scaling records between ${new Date(i.from).toISOString()} and ${new Date(i.to).toISOString()}; is the range right, and does Prometheus load the performance-records rules?`
      : `'--service' (${JSON.stringify(i.service)}) has no scaling records in that range; services with records: ${services.join(', ')}`,
  ]);
}
