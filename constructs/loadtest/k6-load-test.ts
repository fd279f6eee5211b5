import { Duration, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { TestRun } from '../../imports/k6-k6.io';
import { bundleK6Script } from '../../loadtests/bundle';
import { checkK6Options } from '../../loadtests/options-check';
import { Endpoint, LatencyObjectives, ScenarioName, TestPlan, k6Options } from '../../loadtests/plan';
import { Problems } from '../core/errors';
import { cronProblem } from '../core/grammars';
import { checkQuantities, durationMillis } from '../core/quantities';
import { appLabels, labelValue } from '../core/labels';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { SloModel } from '../observability/slo';

/**
 * The thresholds' inputs from the service's SLO model (the one its burn-rate rules use) and the platform's tail
 * target: the error budget is the availability objective's, not computed again.
 */
export function latencyObjectives(model: SloModel, p99Latency: Duration): LatencyObjectives {
  return {
    percentile: model.slo.latencyPercentile,
    thresholdMs: model.slo.latencyThreshold.toMilliseconds(),
    p99Ms: p99Latency.toMilliseconds(),
    maxErrorRate: model.availability.budget,
  };
}

export interface K6LoadTestProps {
  /** @default - the construct id */
  readonly name?: string;
  readonly namespace: string;
  readonly scenario: ScenarioName;
  /** The target service's SLO model (`SloRules.model`, or `sloModel(...)`). */
  readonly slo: SloModel;
  /** Platform tail-latency target (p99). */
  readonly p99Latency: Duration;
  /** The service under test. */
  readonly target: { readonly url: string; readonly podSelector: Readonly<Record<string, string>>; readonly port: number };
  /** Weighted request mix. */
  readonly endpoints: readonly Endpoint[];
  /** @default Duration.seconds(1) */
  readonly thinkTime?: Duration;
  /** Peak virtual users of the peak and spike scenarios. @default 1000 */
  readonly peakVus?: number;
  /** Pinned k6 image with the experimental Prometheus remote-write output. */
  readonly image: string;
  /** Prometheus remote-write endpoint for results (the receiver must be enabled). */
  readonly prometheusRemoteWriteUrl: string;
  /** Namespace of that Prometheus, the only other place the test may send to. @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** Runner pods; above 1 a k6-operator TestRun splits the load. @default 1 */
  readonly parallelism?: number;
  /** Cron schedule for a nightly regression run (a CronJob). @default - a Job that runs once when applied */
  readonly schedule?: string;
  /**
   * Define the CronJob but do not run it: start a run with `kubectl create job --from=cronjob/<name> <run>`.
   * @default false
   */
  readonly suspended?: boolean;
  /** @default - 1 CPU, 1 GiB per runner */
  readonly resources?: { readonly cpu: Cpu; readonly memory: Size };
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A k6 load test in the cluster: the bundled script and its plan in a ConfigMap, run by a Job (or a nightly
 * CronJob, or a k6-operator TestRun when parallelism is above 1), results streamed to Prometheus remote write and
 * the `--summary-export` kept on a volume for `npm run loadtest:compare`. A NetworkPolicy lets the runners reach
 * only the target and Prometheus.
 */
export class K6LoadTest extends Construct {
  public readonly name: string;
  public readonly plan: TestPlan;
  public readonly script: string;
  public readonly job?: k8s.KubeJob;
  public readonly cronJob?: k8s.KubeCronJob;
  public readonly testRun?: TestRun;

  constructor(scope: Construct, id: string, props: K6LoadTestProps) {
    super(scope, id);
    this.name = props.name ?? id;
    const parallelism = props.parallelism ?? 1;
    const monitoringNamespace = props.monitoringNamespace ?? 'monitoring';
    this.plan = {
      scenario: props.scenario,
      baseUrl: props.target.url,
      endpoints: props.endpoints,
      thinkTimeSeconds: durationMillis(props.thinkTime ?? Duration.seconds(1)) / 1000,
      options: k6Options(props.scenario, latencyObjectives(props.slo, props.p99Latency), props.peakVus),
    };

    const p = Problems.of(this);
    p.check(props.endpoints.length > 0, 'endpoints', [], 'must list at least one endpoint to call');
    p.check(
      props.endpoints.every((e) => e.weight > 0),
      'endpoints',
      props.endpoints.map((e) => e.weight),
      'weights must be above 0',
    );
    p.check(/^https?:\/\//.test(props.target.url), 'target.url', props.target.url, 'must be an http(s) URL');
    p.check(Number.isInteger(parallelism) && parallelism >= 1, 'parallelism', parallelism, 'must be a whole number >= 1');
    p.check(
      !(props.schedule && parallelism > 1),
      'schedule',
      props.schedule,
      'cannot be combined with parallelism above 1 (a TestRun has no schedule)',
    );
    const scheduleProblem = props.schedule === undefined ? undefined : cronProblem(props.schedule, 'five-field');
    if (scheduleProblem) p.add('schedule', props.schedule, scheduleProblem);
    p.check(
      props.peakVus === undefined || (Number.isInteger(props.peakVus) && props.peakVus >= 1),
      'peakVus',
      props.peakVus,
      'must be a whole number of virtual users >= 1; a test of 0 users sends no request',
    );
    checkQuantities(p, {
      durations: { thinkTime: [props.thinkTime, { min: Duration.millis(0) }], p99Latency: [props.p99Latency] },
      // The runner's own pod: a 0Mi limit kills k6 at start, a fractional one cannot be written.
      sizes: { 'resources.memory': [props.resources?.memory] },
      cpus: { 'resources.cpu': props.resources?.cpu },
    });
    for (const problem of checkK6Options(this.plan.options)) p.add('options', problem, 'is not accepted by k6');
    p.throwIfAny();

    this.script = bundleK6Script();
    const labels = {
      ...appLabels({ name: this.name, instance: this.name, component: 'loadtest', partOf: 'perfstack' }),
      ...(props.labels ?? {}),
    };
    const meta = (name: string) => ({ name, namespace: props.namespace, labels: { ...labels } });
    const scriptMap = `${this.name}-script`;
    new k8s.KubeConfigMap(this, 'Script', {
      metadata: meta(scriptMap),
      data: { 'script.js': this.script, 'plan.json': JSON.stringify(this.plan) },
    });
    const resources = props.resources ?? { cpu: Cpu.units(1), memory: Size.gibibytes(1) };
    const env = [
      { name: 'PERFSTACK_PLAN', valueFrom: { configMapKeyRef: { name: scriptMap, key: 'plan.json' } } },
      { name: 'K6_PROMETHEUS_RW_SERVER_URL', value: props.prometheusRemoteWriteUrl },
      { name: 'K6_PROMETHEUS_RW_TREND_STATS', value: 'p(95),p(99),avg' },
    ];
    const requests = {
      requests: {
        cpu: k8s.Quantity.fromString(resources.cpu.amount),
        memory: k8s.Quantity.fromString(`${resources.memory.toMebibytes()}Mi`),
      },
      limits: { memory: k8s.Quantity.fromString(`${resources.memory.toMebibytes()}Mi`) },
    };

    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: meta(this.name),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': labelValue(this.name) } },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ podSelector: { matchLabels: { ...props.target.podSelector } } }],
            ports: [{ port: k8s.IntOrString.fromNumber(props.target.port), protocol: 'TCP' }],
          },
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoringNamespace } } }],
            ports: [{ port: k8s.IntOrString.fromNumber(9090), protocol: 'TCP' }],
          },
        ],
      },
    });

    if (parallelism > 1) {
      this.testRun = new TestRun(this, 'TestRun', {
        metadata: meta(this.name),
        spec: {
          parallelism,
          script: { configMap: { name: scriptMap, file: 'script.js' } },
          arguments: '--out experimental-prometheus-rw',
          runner: {
            image: props.image,
            metadata: { labels: { ...labels } },
            env: env as never,
            resources: requests as never,
            securityContext: restrictedPodSecurity(12345) as never,
            containerSecurityContext: restrictedContainerSecurity() as never,
          },
        },
      });
      return;
    }

    // The summary survives the pod on a small volume; fetch it with `kubectl cp` or a debug pod.
    const claim = `${this.name}-results`;
    new k8s.KubePersistentVolumeClaim(this, 'Results', {
      metadata: meta(claim),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } } },
    });
    const podSpec: k8s.PodSpec = {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(12345),
      containers: [
        {
          name: 'k6',
          image: props.image,
          args: ['run', '--out', 'experimental-prometheus-rw', '--summary-export', '/results/summary.json', '/scripts/script.js'],
          env,
          resources: requests,
          securityContext: restrictedContainerSecurity(),
          volumeMounts: [
            { name: 'scripts', mountPath: '/scripts' },
            { name: 'results', mountPath: '/results' },
          ],
        },
      ],
      volumes: [
        { name: 'scripts', configMap: { name: scriptMap, items: [{ key: 'script.js', path: 'script.js' }] } },
        { name: 'results', persistentVolumeClaim: { claimName: claim } },
      ],
    };
    const jobSpec: k8s.JobSpec = { backoffLimit: 0, template: { metadata: { labels: { ...labels } }, spec: podSpec } };
    if (props.schedule) {
      this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
        metadata: meta(this.name),
        spec: {
          schedule: props.schedule,
          suspend: props.suspended ?? false,
          concurrencyPolicy: 'Forbid',
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: { spec: jobSpec },
        },
      });
    } else {
      this.job = new k8s.KubeJob(this, 'Job', { metadata: meta(this.name), spec: jobSpec });
    }
  }
}
