import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { NODE_RECORDS_SELECTOR, RECORDS_SELECTOR } from './performance-record-names';
import { prometheusJob, prometheusUrlCheck } from './prometheus-job';

/**
 * Prometheus answers a range query with at most 11,000 points per series: 7 days at one point a minute (10,080)
 * is the longest window one query can return at the resolution the forecast and capacity planning want.
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries
 */
export const MAX_EXPORT_DAYS = 7;

/** The curl image's user: the export's files on the volume are its, and the weekly report writes beside them as it. */
export const METRICS_EXPORT_UID = 100;

export interface MetricsExportProps {
  /** Namespace of the services, where the export runs. */
  readonly namespace: string;
  /** Services whose request rate is exported, one file each. */
  readonly services: readonly string[];
  /** Prometheus base URL, e.g. `http://prometheus-operated.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /** Namespace Prometheus runs in, for the egress rule. */
  readonly monitoringNamespace: string;
  /** An image with `sh` and `curl`, from the site registry. */
  readonly image: string;
  /** @default '0 1 * * 0' (Sundays 01:00, the past week) */
  readonly schedule?: string;
  /** Days each export covers, at one point a minute. @default 7 */
  readonly days?: number;
  /** Exports kept on the volume; older ones are deleted. @default 8 (two months of weeks) */
  readonly keep?: number;
  /** @default 'http_requests_total' */
  readonly requestsMetric?: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The export script: one Prometheus range-query JSON per service (requests per second, one point a minute), and per
 * service and day the recorded scaling and report series (`<service>.records.<day>.json`), per day the cluster's
 * node records (`_nodes.records.<day>.json`), in a folder named for
 * the time of the export, made visible only when complete. `npm run forecast` and
 * `npm run capacity -- --history` read these files as they are.
 */
export function exportScript(): string {
  return `#!/bin/sh
set -eu
# END (epoch seconds) re-exports an earlier window, e.g. weeks from before the job existed.
end=\${END:-$(date -u +%s)}
start=$((end - DAYS * 86400))
out="\${EXPORT_DIR:-/export}"
dir="$out/$(date -u -d "@$end" +%Y-%m-%dT%H%MZ)"
mkdir -p "$dir.partial"
for s in $SERVICES; do
  curl -fsS --max-time 300 -G "$PROMETHEUS_URL/api/v1/query_range" \\
    --data-urlencode "query=sum(rate($METRIC{namespace=\\"$NAMESPACE\\",service=\\"$s\\"}[5m]))" \\
    --data-urlencode "start=$start" --data-urlencode "end=$end" --data-urlencode "step=60" \\
    -o "$dir.partial/$s.json"
  # The scaling audit trail and the report's series, a day per file at the HPA's 15 s sync (5,760 points each).
  i=0
  while [ "$i" -lt "$DAYS" ]; do
    curl -fsS --max-time 300 -G "$PROMETHEUS_URL/api/v1/query_range" \\
      --data-urlencode "query={__name__=~\\"$RECORDS\\",namespace=\\"$NAMESPACE\\",service=\\"$s\\"}" \\
      --data-urlencode "start=$((start + i * 86400))" --data-urlencode "end=$((start + (i + 1) * 86400 - 15))" \\
      --data-urlencode "step=15" -o "$dir.partial/$s.records.$i.json"
    i=$((i + 1))
  done
done
# The cluster's node changes (cluster-wide: no service label), a day per file at the node rules' minute.
i=0
while [ "$i" -lt "$DAYS" ]; do
  curl -fsS --max-time 300 -G "$PROMETHEUS_URL/api/v1/query_range" \\
    --data-urlencode "query={__name__=~\\"$NODE_RECORDS\\"}" \\
    --data-urlencode "start=$((start + i * 86400))" --data-urlencode "end=$((start + (i + 1) * 86400 - 60))" \\
    --data-urlencode "step=60" -o "$dir.partial/_nodes.records.$i.json"
  i=$((i + 1))
done
mv "$dir.partial" "$dir"
# Keep the newest $KEEP exports.
ls -1d "$out"/20*Z 2>/dev/null | sort -r | awk -v keep="$KEEP" 'NR > keep' | while read -r old; do rm -rf "$old"; done
echo "exported $(echo $SERVICES | wc -w) services to $dir"
`;
}

/**
 * Performance data out of an air-gapped site through an authorized offline channel: a CronJob writes each week's
 * request rates per service as Prometheus range-query exports onto a volume, from which the site carries them out
 * (see docs/air-gap.md) to plan capacity with `npm run capacity -- --history <file>`.
 */
export class MetricsExport extends Construct {
  public readonly cronJob: k8s.KubeCronJob;
  public readonly claimName: string;

  constructor(scope: Construct, id: string, props: MetricsExportProps) {
    super(scope, id);
    const days = props.days ?? MAX_EXPORT_DAYS;
    const keep = props.keep ?? 8;
    const schedule = props.schedule ?? '0 1 * * 0';
    Problems.of(this)
      .check(
        Number.isInteger(days) && days >= 1 && days <= MAX_EXPORT_DAYS,
        'days',
        days,
        `must be a whole number from 1 to ${MAX_EXPORT_DAYS} (Prometheus returns at most 11,000 points per series)`,
      )
      .check(Number.isInteger(keep) && keep >= 1, 'keep', keep, 'must be a whole number of exports, at least 1')
      .check(props.services.length > 0, 'services', props.services, 'must name at least one service')
      .check(...prometheusUrlCheck(props.prometheusUrl))
      .throwIfAny();

    const name = 'metrics-export';
    this.claimName = `${name}-data`;
    const labels = { ...props.labels, 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'metrics-export' };
    const meta = (n: string) => ({ name: n, namespace: props.namespace, labels });

    new k8s.KubeConfigMap(this, 'Script', { metadata: meta(name), data: { 'export.sh': exportScript() } });
    new k8s.KubePersistentVolumeClaim(this, 'Data', {
      metadata: meta(this.claimName),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('5Gi') } } },
    });
    this.cronJob = prometheusJob(this, {
      name,
      namespace: props.namespace,
      labels,
      schedule,
      uid: METRICS_EXPORT_UID,
      monitoringNamespace: props.monitoringNamespace,
      container: {
        name: 'export',
        image: props.image,
        command: ['/bin/sh', '/scripts/export.sh'],
        env: [
          { name: 'PROMETHEUS_URL', value: props.prometheusUrl.replace(/\/$/, '') },
          { name: 'NAMESPACE', value: props.namespace },
          { name: 'SERVICES', value: props.services.join(' ') },
          { name: 'METRIC', value: props.requestsMetric ?? 'http_requests_total' },
          { name: 'DAYS', value: String(days) },
          { name: 'KEEP', value: String(keep) },
          { name: 'RECORDS', value: RECORDS_SELECTOR },
          { name: 'NODE_RECORDS', value: NODE_RECORDS_SELECTOR },
        ],
        resources: {
          requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
          limits: { memory: k8s.Quantity.fromString('128Mi') },
        },
        volumeMounts: [
          { name: 'scripts', mountPath: '/scripts', readOnly: true },
          { name: 'data', mountPath: '/export' },
        ],
      },
      volumes: [
        { name: 'scripts', configMap: { name, defaultMode: 0o555 } },
        { name: 'data', persistentVolumeClaim: { claimName: this.claimName } },
      ],
    });
  }
}
