import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  NetworkChaos,
  NetworkChaosProps,
  NetworkChaosSpecAction,
  NetworkChaosSpecDirection,
  NetworkChaosSpecMode,
  NetworkChaosSpecTargetMode,
} from '../../imports/chaos-networkchaos-chaos-mesh.org';
import { PodChaos, PodChaosProps, PodChaosSpecAction, PodChaosSpecMode } from '../../imports/chaos-podchaos-chaos-mesh.org';
import { Problems } from '../core/errors';
import { exemptionAnnotations, labelValue } from '../core/labels';
import { ApiServerAccess, apiServerEgress, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { REDIS_CLIENT_LABEL } from '../data/redis-cluster';
import { RuleGroups } from '../observability/rule-groups';
import { ZONE_KEY } from '../workload/topology';
import { PYTHON_API_PRELUDE } from './api-script';
import { VerdictSpec, chaosVerdictRules } from './verdict-rules';

/** The data tier an experiment set targets, by the names its constructs gave the objects. */
export interface ChaosTargets {
  /** RedisCluster name (`redis`): pods `<name>-<ordinal>`, metrics Service `<name>-metrics`, auth Secret. */
  readonly redis: {
    readonly name: string;
    readonly replicasPerShard: number;
    readonly authSecret: { readonly name: string; readonly key: string };
    /** The command-line client in `redisImage`. @default 'redis-cli' */
    readonly cli?: string;
  };
  /** PostgresCluster name (`postgres`): instances `<name>-<n>`, pooler `<name>-pooler-rw`. */
  readonly postgres: { readonly name: string };
}

export interface ChaosExperimentsProps {
  readonly namespace: string;
  readonly targets: ChaosTargets;
  /** Zone names; the partition isolates the first from the others. At least 2 for the partition experiment. */
  readonly zones: readonly string[];
  /** python3 with TLS for the trigger (the CloudNativePG operand image). */
  readonly triggerImage: string;
  /** The Valkey or Redis image, whose command-line client finds the current master to kill. */
  readonly redisImage: string;
  readonly apiServer: ApiServerAccess;
  /** CronJobs created suspended: experiments run only on demand (`kubectl create job --from=cronjob/...`). @default false */
  readonly suspended?: boolean;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** One experiment: the Chaos Mesh objects its trigger (re)creates, when, and how its verdict is computed. */
export interface ChaosExperiment extends VerdictSpec {
  /** Five-field cron, UTC. */
  readonly schedule: string;
  /** Chaos Mesh manifests; `${TARGET_POD}` is replaced by the pod the trigger's lookup found. */
  readonly objects: readonly Record<string, unknown>[];
  /** Finds the Redis master to kill before injecting. */
  readonly findRedisMaster?: boolean;
}

/** The partition lasts this long; its verdict waits for it to end plus recovery. */
export const PARTITION_SECONDS = 300;

/**
 * The four experiments, pure data: Redis master kill, PostgreSQL primary kill, pooler instance kill and a zone
 * partition. Each steady-state hypothesis reads the platform's own metrics (redis_exporter, CloudNativePG,
 * kube-state-metrics, firing alerts), never the injector's status.
 */
export function chaosExperiments(namespace: string, t: ChaosTargets, zones: readonly string[]): ChaosExperiment[] {
  const redisSel = `namespace="${namespace}",service="${t.redis.name}-metrics"`;
  const pg = t.postgres.name;
  const noPage = `((count(ALERTS{alertstate="firing",severity="page",namespace="${namespace}"}) or vector(0)) == bool 0)`;
  const redisServes = `(min(redis_cluster_slots_ok{${redisSel}}) >= bool 16384) * min(redis_cluster_state{${redisSel}})`;
  const onePrimary = `((count(cnpg_pg_replication_in_recovery{namespace="${namespace}",pod=~"${pg}-[0-9]+"} == 0) or vector(0)) == bool 1)`;
  const poolerPods = `namespace="${namespace}",pod=~"${pg}-pooler-rw-.*"`;
  const poolerServes =
    `((count(cnpg_pgbouncer_pools_cl_waiting{${poolerPods}}) or vector(0)) >= bool 1)` +
    ` * ((max(cnpg_pgbouncer_pools_cl_waiting{${poolerPods}}) or vector(0)) == bool 0)`;
  const newestPod = (regex: string) => `max(kube_pod_created{namespace="${namespace}",pod=~"${regex}"})`;
  const meta = (name: string) => ({ name, namespace });
  const podKill = (name: string, selector: PodChaosProps['spec']['selector']): Record<string, unknown> =>
    PodChaos.manifest({
      metadata: meta(name),
      spec: { action: PodChaosSpecAction.POD_HYPHEN_KILL, mode: PodChaosSpecMode.ONE, gracePeriod: 0, selector },
    });

  const experiments: ChaosExperiment[] = [
    {
      name: 'redis-master-kill',
      hypothesis: 'every slot served (cluster_state ok) and no page; violated at most 60 s after a master is killed',
      schedule: '0 10 * * 2',
      findRedisMaster: true,
      objects: [podKill('redis-master-kill', { pods: { [namespace]: ['${TARGET_POD}'] } })],
      steadyState: `${redisServes} * ${noPage}`,
      faultSeenAt: newestPod(`${t.redis.name}-[0-9]+`),
      recoverySeconds: 60,
      verdictAfterSeconds: 180,
    },
    {
      name: 'postgres-primary-kill',
      hypothesis: 'exactly one primary and no page; violated at most 60 s after the primary is killed',
      schedule: '0 10 * * 3',
      objects: [
        podKill('postgres-primary-kill', {
          namespaces: [namespace],
          labelSelectors: { 'cnpg.io/cluster': pg, 'cnpg.io/instanceRole': 'primary' },
        }),
      ],
      steadyState: `${onePrimary} * ${noPage}`,
      faultSeenAt: newestPod(`${pg}-[0-9]+`),
      recoverySeconds: 60,
      verdictAfterSeconds: 180,
    },
    {
      name: 'pooler-kill',
      hypothesis: 'a read-write PgBouncer serves with no client waiting and no page; violated at most 30 s after one instance is killed',
      schedule: '0 10 * * 4',
      objects: [podKill('pooler-kill', { namespaces: [namespace], labelSelectors: { 'cnpg.io/poolerName': `${pg}-pooler-rw` } })],
      steadyState: `${poolerServes} * ${noPage}`,
      faultSeenAt: newestPod(`${pg}-pooler-rw-.*`),
      recoverySeconds: 30,
      verdictAfterSeconds: 150,
    },
  ];
  if (zones.length >= 2) {
    const isolated = zones[0];
    const masterReplicas =
      `min(redis_connected_slaves{${redisSel}} and on (pod) redis_instance_info{${redisSel},role="master"})` +
      ` < ${t.redis.replicasPerShard}`;
    experiments.push({
      name: 'zone-partition',
      hypothesis: `with ${isolated} cut off for ${PARTITION_SECONDS / 60} min: every Redis slot served, one PostgreSQL primary, no page; violated at most 120 s`,
      schedule: '0 10 * * 5',
      objects: zones.slice(1).map((other) =>
        NetworkChaos.manifest({
          metadata: meta(`zone-partition-${isolated}-${other}`),
          spec: {
            action: NetworkChaosSpecAction.PARTITION,
            direction: NetworkChaosSpecDirection.BOTH,
            mode: NetworkChaosSpecMode.ALL,
            duration: `${PARTITION_SECONDS}s`,
            selector: { namespaces: [namespace], nodeSelectors: { [ZONE_KEY]: isolated } },
            target: { mode: NetworkChaosSpecTargetMode.ALL, selector: { namespaces: [namespace], nodeSelectors: { [ZONE_KEY]: other } } },
          },
        } as NetworkChaosProps),
      ),
      steadyState: `${redisServes} * ${onePrimary} * ${noPage}`,
      // A master that lost a replica across the cut: the partition took effect.
      faultSeenAt: `max_over_time(timestamp(${masterReplicas})[1h:15s])`,
      recoverySeconds: 120,
      verdictAfterSeconds: PARTITION_SECONDS + 240,
    });
  }
  return experiments;
}

/**
 * The trigger: for each Chaos Mesh object of an experiment, delete the previous run's object and create it again
 * (a pod-kill PodChaos acts once, when created). Usage: `trigger.py NAMESPACE EXPERIMENT_FILE [TARGET_FILE]`.
 */
export function renderTriggerScript(): string {
  return `# Rendered by perfstack (constructs/resilience/chaos-experiments.ts).
${PYTHON_API_PRELUDE}

namespace, experiment = sys.argv[1], sys.argv[2]
target = open(sys.argv[3]).read().strip() if len(sys.argv) > 3 else ""
with open(experiment) as f:
    text = f.read()
if "\${TARGET_POD}" in text and not target:
    raise SystemExit("trigger: the experiment needs a target pod and none was found")
for obj in json.loads(text.replace("\${TARGET_POD}", target)):
    plural = obj["kind"].lower()
    recreate("/apis/chaos-mesh.org/v1alpha1/namespaces/%s/%s" % (namespace, plural), obj)
    print("trigger: created %s %s" % (obj["kind"], obj["metadata"]["name"]), flush=True)
`;
}

/** Prints the pod name of one live Redis master from CLUSTER NODES (the announced hostname's first label). */
export const FIND_REDIS_MASTER =
  'set -eu; "$REDIS_CLI" -h "$REDIS_HOST" cluster nodes | ' +
  `awk '$3 ~ /master/ && $3 !~ /fail/ { n = split($2, a, ","); split(a[n], h, "."); print h[1]; exit }' > /work/target; ` +
  'test -s /work/target; cat /work/target';

/**
 * Chaos experiments with verdicts: a ConfigMap of Chaos Mesh objects, one CronJob per experiment that (re)creates
 * them through the API (Chaos Mesh's Schedule and Workflow kinds would do the scheduling, but their CRDs are not among
 * those the stack validates against, so a CronJob triggers plain PodChaos/NetworkChaos objects), least-privilege
 * RBAC, and the verdict rules ({@link chaosVerdictRules}).
 *
 * @see https://chaos-mesh.org/docs/simulate-pod-chaos-on-kubernetes/
 * @see https://chaos-mesh.org/docs/simulate-network-chaos-on-kubernetes/
 */
export class ChaosExperiments extends Construct {
  public readonly experiments: readonly ChaosExperiment[];
  public readonly configMap: k8s.KubeConfigMap;
  public readonly cronJobs: Readonly<Record<string, k8s.KubeCronJob>>;
  public readonly verdicts: RuleGroups;
  private readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: ChaosExperimentsProps) {
    super(scope, id);
    const p = Problems.of(this);
    p.check(props.zones.length >= 1, 'zones', props.zones, 'must list at least one zone');
    p.throwIfAny();
    this.labels = {
      'app.kubernetes.io/name': 'chaos-trigger',
      'app.kubernetes.io/component': 'chaos',
      'app.kubernetes.io/part-of': 'perfstack',
      ...(props.labels ?? {}),
    };
    this.experiments = chaosExperiments(props.namespace, props.targets, props.zones);
    this.configMap = this.addConfigMap(props.namespace);
    this.addAccess(props.namespace, props.apiServer);
    const cronJobs: Record<string, k8s.KubeCronJob> = {};
    for (const e of this.experiments) cronJobs[e.name] = this.addCronJob(e, props);
    this.cronJobs = cronJobs;
    this.verdicts = new RuleGroups(this, 'Verdicts', {
      name: 'chaos-verdicts',
      namespace: props.namespace,
      labels: this.labels,
      groups: [chaosVerdictRules(props.namespace, this.experiments)],
    });
  }

  private meta(namespace: string, name = 'chaos-trigger') {
    return { name, namespace, labels: { ...this.labels } };
  }

  private addConfigMap(namespace: string): k8s.KubeConfigMap {
    const data: Record<string, string> = { 'trigger.py': renderTriggerScript() };
    for (const e of this.experiments) data[`${e.name}.json`] = JSON.stringify(e.objects, null, 2);
    return new k8s.KubeConfigMap(this, 'Experiments', { metadata: this.meta(namespace, 'chaos-experiments'), data });
  }

  private addAccess(namespace: string, apiServer: ApiServerAccess): void {
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: this.meta(namespace), automountServiceAccountToken: false });
    new k8s.KubeRole(this, 'Role', {
      metadata: this.meta(namespace),
      rules: [{ apiGroups: ['chaos-mesh.org'], resources: ['podchaos', 'networkchaos'], verbs: ['get', 'create', 'delete'] }],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: this.meta(namespace),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'chaos-trigger' },
      subjects: [{ kind: 'ServiceAccount', name: 'chaos-trigger', namespace }],
    });
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: this.meta(namespace),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'chaos-trigger' } },
        policyTypes: ['Egress'],
        egress: [apiServerEgress(apiServer)],
      },
    });
  }

  private addCronJob(e: ChaosExperiment, props: ChaosExperimentsProps): k8s.KubeCronJob {
    const security = restrictedContainerSecurity();
    const small = {
      requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
      limits: { memory: k8s.Quantity.fromString('64Mi') },
    };
    const mounts = [
      { name: 'work', mountPath: '/work' },
      { name: 'experiments', mountPath: '/experiments' },
    ];
    const { redis } = props.targets;
    const podLabels = { ...this.labels, ...(e.findRedisMaster ? { [REDIS_CLIENT_LABEL]: labelValue(redis.name) } : {}) };
    return new k8s.KubeCronJob(this, e.name, {
      metadata: {
        ...this.meta(props.namespace, `chaos-${e.name}`),
        annotations: {
          'perfstack.io/hypothesis': e.hypothesis,
          ...exemptionAnnotations({ rules: ['service-account-token'], reason: 'creates Chaos Mesh experiments through the API' }),
        },
      },
      spec: {
        schedule: e.schedule,
        suspend: props.suspended ?? false,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 1,
            activeDeadlineSeconds: 600,
            template: {
              metadata: { labels: podLabels },
              spec: {
                serviceAccountName: 'chaos-trigger',
                automountServiceAccountToken: true,
                restartPolicy: 'Never',
                securityContext: restrictedPodSecurity(999),
                initContainers: e.findRedisMaster
                  ? [
                      {
                        name: 'find-master',
                        image: props.redisImage,
                        command: ['sh', '-c', FIND_REDIS_MASTER],
                        env: [
                          { name: 'REDIS_HOST', value: redis.name },
                          { name: 'REDIS_CLI', value: redis.cli ?? 'redis-cli' },
                          {
                            name: 'REDISCLI_AUTH',
                            valueFrom: { secretKeyRef: { name: redis.authSecret.name, key: redis.authSecret.key } },
                          },
                        ],
                        securityContext: security,
                        resources: small,
                        volumeMounts: mounts,
                      },
                    ]
                  : undefined,
                containers: [
                  {
                    name: 'trigger',
                    image: props.triggerImage,
                    command: [
                      'python3',
                      '-B',
                      '/experiments/trigger.py',
                      props.namespace,
                      `/experiments/${e.name}.json`,
                      ...(e.findRedisMaster ? ['/work/target'] : []),
                    ],
                    securityContext: security,
                    resources: small,
                    volumeMounts: mounts,
                  },
                ],
                volumes: [
                  { name: 'work', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Mi') } },
                  { name: 'experiments', configMap: { name: 'chaos-experiments' } },
                ],
              },
            },
          },
        },
      },
    });
  }
}
