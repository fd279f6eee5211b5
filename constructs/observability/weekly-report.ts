import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { NodeTool } from '../core/node-tool';
import { prometheusJob, prometheusUrlCheck } from './prometheus-job';
import { ReportContext, ReportObjectives } from './report-context';
import { SloModel } from './slo';

export interface WeeklyReportProps {
  /** Namespace of the services, where the job runs beside the metrics export. */
  readonly namespace: string;
  /** What the report knows of the environment (objectives, cost, scale-down window), fixed at synth. */
  readonly context: ReportContext;
  /** Prometheus base URL, e.g. `http://prometheus-operated.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /** Namespace Prometheus runs in, for the egress rule. */
  readonly monitoringNamespace: string;
  /** The Node.js image that runs reporting/weekly-report-cli.ts, bundled at synth (constructs/core/node-tool.ts). */
  readonly nodeImage: string;
  /** The PersistentVolumeClaim the reports are written to: the metrics export's (MetricsExport.claimName). */
  readonly claimName: string;
  /** UID the job runs as: the metrics export's, so both write the same volume. */
  readonly uid: number;
  /** @default '0 6 * * 1' (Mondays 06:00, the week before) */
  readonly schedule?: string;
  /** Days each report covers. @default 7 */
  readonly days?: number;
  /** Reports kept on the volume; older ones are deleted. @default 8 (two months of weeks) */
  readonly keep?: number;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

const NAME = 'weekly-report';

/** A service's objectives as the report judges them, from its SLO model (the one SLO model of the rules). */
export function reportObjectives(m: SloModel): ReportObjectives {
  return {
    availability: m.availability.target,
    latencyQuantile: m.latency.target,
    latencyThresholdS: m.slo.latencyThreshold.toMilliseconds() / 1000,
  };
}
/** Where the volume is mounted: the reports land at its root, beside the export folders. */
const OUT_DIR = '/export';

/**
 * The performance report of the past week, written in the cluster: a CronJob runs the report program (bundled at
 * synth into a ConfigMap, run on the pinned Node.js image: nothing to build or mirror beyond that image) against
 * Prometheus, with the environment's objectives and cost from a second ConfigMap, and writes
 * `report-<from>-<to>.html` onto the metrics export's volume, which an air-gapped site carries out with the export.
 */
export class WeeklyReport extends Construct {
  public readonly cronJob: k8s.KubeCronJob;
  public readonly program: NodeTool;

  constructor(scope: Construct, id: string, props: WeeklyReportProps) {
    super(scope, id);
    const days = props.days ?? 7;
    const keep = props.keep ?? 8;
    Problems.of(this)
      .check(Number.isInteger(days) && days >= 1, 'days', days, 'must be a whole number of days, at least 1')
      .check(Number.isInteger(keep) && keep >= 1, 'keep', keep, 'must be a whole number of reports, at least 1')
      .check(props.context.services.length > 0, 'context.services', props.context.services, 'must name at least one service')
      .check(...prometheusUrlCheck(props.prometheusUrl))
      .throwIfAny();

    const labels = { ...props.labels, 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'performance-report' };
    const meta = (n: string) => ({ name: n, namespace: props.namespace, labels });
    new k8s.KubeConfigMap(this, 'Context', {
      metadata: meta(`${NAME}-context`),
      data: { 'context.json': `${JSON.stringify(props.context, null, 2)}\n` },
    });
    this.program = new NodeTool(this, 'Program', {
      name: `${NAME}-program`,
      namespace: props.namespace,
      entry: 'reporting/weekly-report-cli.ts',
      image: props.nodeImage,
      labels,
    });
    this.cronJob = prometheusJob(this, {
      name: NAME,
      namespace: props.namespace,
      labels,
      schedule: props.schedule ?? '0 6 * * 1',
      uid: props.uid,
      monitoringNamespace: props.monitoringNamespace,
      podAnnotations: this.program.podAnnotations,
      container: {
        ...this.program.container('report', [
          '--context=/etc/weekly-report/context.json',
          `--prometheus=${props.prometheusUrl.replace(/\/$/, '')}`,
          `--out-dir=${OUT_DIR}`,
          `--days=${days}`,
          `--keep=${keep}`,
        ]),
        resources: {
          requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
          limits: { memory: k8s.Quantity.fromString('256Mi') },
        },
        volumeMounts: [
          { name: 'context', mountPath: '/etc/weekly-report', readOnly: true },
          this.program.volumeMount,
          { name: 'data', mountPath: OUT_DIR },
        ],
      },
      volumes: [
        { name: 'context', configMap: { name: `${NAME}-context` } },
        this.program.volume,
        { name: 'data', persistentVolumeClaim: { claimName: props.claimName } },
      ],
    });
  }
}
