import { ENVIRONMENTS } from '../../stacks/environments';
import { Environment, OPERATORS_FOR, meshOf, trafficWarnings } from '../../stacks/environment';
import { validateEnvironment } from '../../stacks/environment-rules';
import { buildPlatform } from '../../stacks/platform';
import { prod } from '../../stacks/prod';
import { dev } from '../../stacks/dev';
import { resolveSlo } from '../../constructs/observability/slo';
import { ANOMALY_DEFAULTS } from '../../constructs/observability/anomaly-rules';
import { THIRD_PARTY_IMAGES } from '../../stacks/images';
import { chartsOf } from '../support/environments';
import { objectsOfApp } from '../support/synth';
import { KubeObject } from '../support/k8s-schema';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const SERVICES = ['api-gateway', 'nlp-service', 'audit-service', 'web'];

function byName(objects: KubeObject[], name: string): Record<string, Json> {
  return Object.fromEntries(objects.filter((o) => o.metadata.name === name).map((o) => [o.kind, o]));
}

describe('prod', () => {
  const objects = objectsOfApp(buildPlatform(prod).app);

  it.each(SERVICES)('%s has a Deployment, Service, autoscaler, VPA and PDB, spread over zones', (name) => {
    const o = byName(objects, name);
    expect(Object.keys(o)).toEqual(expect.arrayContaining(['Deployment', 'Service', 'VerticalPodAutoscaler', 'PodDisruptionBudget']));
    expect(Boolean(o.HorizontalPodAutoscaler) !== Boolean(o.ScaledObject)).toBe(true);
    expect(o.Deployment.spec.template.spec.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
    });
  });

  it('scales api-gateway on CPU, memory and requests per second above business-hours and forecast floors', () => {
    const so = byName(objects, 'api-gateway').ScaledObject;
    const crons = so.spec.triggers.filter((t: Json) => t.type === 'cron');
    expect(so.spec.triggers.filter((t: Json) => t.type !== 'cron').map((t: Json) => t.type)).toEqual(['cpu', 'memory', 'prometheus']);
    expect(crons[0].name).toBe('business-hours');
    // The committed floors file, at most 40 cron triggers in all.
    expect(crons.length).toBeGreaterThan(10);
    expect(crons.length).toBeLessThanOrEqual(40);
    expect(crons.every((t: Json) => t.metadata.timezone === 'Europe/Dublin')).toBe(true);
    // Floors on on-demand up to the highest (11, from the forecast), the rest of the max as spot burst.
    expect(so.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 11 });
    expect(byName(objects, 'api-gateway-burst').ScaledObject.spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 9 });
  });

  it('uses the replica bounds and metrics of DESIGN.md', () => {
    const own = (name: string) => {
      const o = byName(objects, name);
      if (!o.HorizontalPodAutoscaler && !o.ScaledObject) return [0, 0];
      return o.HorizontalPodAutoscaler
        ? [o.HorizontalPodAutoscaler.spec.minReplicas, o.HorizontalPodAutoscaler.spec.maxReplicas]
        : [o.ScaledObject.spec.minReplicaCount, o.ScaledObject.spec.maxReplicaCount];
    };
    // A service with spot burst: its base and its burst together.
    const bounds = (name: string) => {
      const [min, max] = own(name);
      const [burstMin, burstMax] = own(`${name}-burst`);
      return [min + burstMin, max + burstMax];
    };
    expect(SERVICES.map(bounds)).toEqual([
      [2, 20],
      [1, 10],
      [2, 8],
      [2, 6],
    ]);
    const nlp = byName(objects, 'nlp-service').HorizontalPodAutoscaler.spec.metrics;
    expect(nlp.map((m: Json) => m.type)).toEqual(['Resource', 'External']);
    expect(nlp[1].external.metric.name).toBe('nlp_queue_depth');
  });

  it('never lets a VPA change a request an HPA scales on', () => {
    for (const name of SERVICES) {
      const o = byName(objects, name);
      const scaler =
        o.HorizontalPodAutoscaler?.spec.metrics.filter((m: Json) => m.type === 'Resource').map((m: Json) => m.resource.name) ??
        o.ScaledObject.spec.triggers.filter((t: Json) => ['cpu', 'memory'].includes(t.type)).map((t: Json) => t.type);
      const vpa = o.VerticalPodAutoscaler.spec;
      const steered = vpa.updatePolicy.updateMode === 'Off' ? [] : vpa.resourcePolicy.containerPolicies[0].controlledResources;
      expect(steered.filter((r: string) => scaler.includes(r))).toEqual([]);
    }
    // nlp-service proves the check bites: its VPA sizes memory while the HPA scales on CPU.
    expect(byName(objects, 'nlp-service').VerticalPodAutoscaler.spec.updatePolicy.updateMode).toBe('Initial');
  });

  it('serves every custom metric a plain HPA names through a prometheus-adapter rule', () => {
    const adapter = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-adapter') as Json;
    const config = adapter.data['config.yaml'];
    const custom = objects
      .filter((o) => o.kind === 'HorizontalPodAutoscaler')
      .flatMap((o: Json) => o.spec.metrics)
      .filter((m: Json) => m.type !== 'Resource')
      .map((m: Json) => (m.pods ?? m.external).metric.name);
    expect(custom.sort()).toEqual(['audit_events_per_second', 'nlp_queue_depth']);
    for (const name of custom) expect(config).toContain(`as: ${name}`);
  });

  it('declares the PriorityClasses the pods name, and a default-deny namespace', () => {
    const classes = objects.filter((o) => o.kind === 'PriorityClass').map((o) => o.metadata.name);
    const used = objects.filter((o) => o.kind === 'Deployment').map((o: Json) => o.spec.template.spec.priorityClassName);
    for (const u of used) expect(classes).toContain(u);
    const deny = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-all') as Json;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'web') as Json;
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('puts the cost-allocation labels on every object and every pod', () => {
    for (const o of objects as Json[]) {
      expect(o.metadata.labels).toMatchObject({ team: 'platform', 'cost-center': 'cc-1003', environment: 'prod' });
    }
    for (const d of objects.filter((o) => o.kind === 'Deployment') as Json[]) {
      expect(d.spec.template.metadata.labels).toMatchObject({ 'cost-center': 'cc-1003' });
    }
  });

  /** The services' Deployments; the key-value tier's rebalancer and the remediation runner are single control loops. */
  const serviceDeployments = () =>
    objects.filter(
      (o) => o.kind === 'Deployment' && !['rebalancer', 'remediation'].includes((o.metadata as Json).labels['app.kubernetes.io/component']),
    ) as Json[];

  it('gives every object an explicit name, and fixed replicas to none of the autoscaled Deployments', () => {
    for (const o of objects as Json[]) expect(o.metadata.name).toMatch(/^[a-z0-9-]+$/);
    for (const d of serviceDeployments()) expect(d.spec.replicas).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'Deployment')).toHaveLength(serviceDeployments().length + 2);
  });

  it('pulls every image from the environment registry at a pinned tag', () => {
    for (const d of serviceDeployments()) {
      expect(d.spec.template.spec.containers[0].image).toMatch(
        /^333333333333\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/perfstack\/[a-z-]+:\d+\.\d+\.\d+$/,
      );
    }
  });
});

describe('every environment', () => {
  it.each(Object.keys(ENVIRONMENTS))('%s has the four services and pins operator lines that support its Kubernetes version', (name) => {
    const platform = buildPlatform(ENVIRONMENTS[name]);
    expect(Object.keys(platform.services)).toEqual(SERVICES);
    expect(OPERATORS_FOR[ENVIRONMENTS[name].kubernetesVersion]).toMatchObject({
      // Every environment runs 1.35: KEDA 2.20 and CloudNativePG 1.30 are the lines that support it.
      keda: expect.stringMatching(/^2\.20\./),
      cloudnativePg: expect.stringMatching(/^1\.30\./),
    });
  });

  it('dev runs in one zone, so zone spread is preferred, not required', () => {
    const d = objectsOfApp(buildPlatform(dev).app).find((o) => o.kind === 'Deployment' && o.metadata.name === 'api-gateway') as Json;
    expect(d.spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
  });

  it('airgap pulls only from its own registry', () => {
    const objects = objectsOfApp(buildPlatform(ENVIRONMENTS.airgap).app) as Json[];
    const images = objects.filter((o) => o.kind === 'Deployment').map((o) => o.spec.template.spec.containers[0].image);
    for (const i of images) expect(i.startsWith('registry.airgap.internal:5000/')).toBe(true);
  });
});

describe('air-gap', () => {
  const objects = objectsOfApp(buildPlatform(ENVIRONMENTS.airgap).app) as Json[];

  it('links every alert to in-cluster runbooks and sends alerts only to in-cluster receivers', () => {
    const urls = objects
      .filter((o) => o.kind === 'PrometheusRule')
      .flatMap((o) => o.spec.groups.flatMap((g: Json) => g.rules.filter((r: Json) => r.alert).map((r: Json) => r.annotations.runbook_url)));
    expect(urls.length).toBeGreaterThan(30);
    for (const u of urls) expect(u).toMatch(/^http:\/\/runbooks\.monitoring\.svc\//);
    const routing = buildPlatform(ENVIRONMENTS.airgap).alertRouting.config as Json;
    const receiverUrls = routing.receivers.flatMap((r: Json) => (r.webhook_configs ?? []).map((w: Json) => w.url));
    expect(receiverUrls).toEqual([
      'http://alert-bridge.monitoring.svc:8080/page',
      'http://alert-bridge.monitoring.svc:8080/ticket',
      'http://alert-bridge.monitoring.svc:8080/escalate',
      'http://remediation-runner.web.svc:8080/alerts',
    ]);
    expect(JSON.stringify(objects.filter((o) => o.metadata.labels?.grafana_dashboard === '1'))).not.toMatch(/https?:\/\/(?![^"/]*\.svc)/);
  });

  it('refuses runbooks outside the cluster', () => {
    const bad = {
      ...ENVIRONMENTS.airgap,
      monitoring: { ...ENVIRONMENTS.airgap.monitoring, runbookBaseUrl: 'https://runbooks.example.com' },
    };
    expect(() => validateEnvironment(bad)).toThrow(
      'airgap: \'monitoring.runbookBaseUrl\' ("https://runbooks.example.com") must be an in-cluster URL',
    );
  });
});

describe('composing a new environment', () => {
  it('takes a few lines from an existing one', () => {
    const perf: Environment = { ...prod, name: 'perf', costAllocation: { team: 'sre', costCenter: 'cc-9' } };
    const objects = objectsOfApp(buildPlatform(perf).app);
    expect(objects.every((o) => (o.metadata.labels as Record<string, string>).environment === 'perf')).toBe(true);
  });
});

describe('anomaly alerts', () => {
  const rulesOf = (name: string) =>
    chartsOf(name)
      .flatMap((c) => c.objects as Json[])
      .filter((o) => o.kind === 'PrometheusRule');

  it.each(Object.keys(ENVIRONMENTS))("%s ships every service's anomaly rules beside its SLO rules, in the service's chart", (name) => {
    const env = ENVIRONMENTS[name];
    for (const s of env.services) {
      const chart = chartsOf(name).find((c) => (c.objects as Json[]).some((o) => o.metadata.name === `${s.name}-slo`))!;
      const anomaly = (chart.objects as Json[]).find((o) => o.kind === 'PrometheusRule' && o.metadata.name === `${s.name}-anomaly`);
      expect(anomaly.metadata.namespace).toBe(env.namespace);
      expect(anomaly.spec.groups.map((g: Json) => g.name)).toEqual(
        ['recordings', 'scores', 'traffic-scores', 'alerts'].map((g) => `anomaly-${s.name}-${g}`),
      );
      const alerts = anomaly.spec.groups.flatMap((g: Json) => g.rules.filter((r: Json) => r.alert));
      expect(alerts.map((r: Json) => r.alert)).toEqual([
        'AnomalyTrafficStopped',
        'AnomalyTrafficDrop',
        'AnomalyTrafficSpike',
        'AnomalyErrorRatio',
        'AnomalyLatency',
      ]);
      // The labels the inhibition of a duplicate of a firing burn alert matches on (namespace, service, slo).
      for (const a of alerts) expect(a.labels).toMatchObject({ anomaly: 'true', service: s.name, namespace: env.namespace });
    }
  });

  it.each(Object.keys(ENVIRONMENTS))('%s records no series twice and names no rule group twice', (name) => {
    const rules = rulesOf(name).flatMap((o) => o.spec.groups.flatMap((g: Json) => g.rules));
    const records = rules.filter((r: Json) => r.record).map((r: Json) => `${r.record}${JSON.stringify(r.labels ?? {})}`);
    // 18 a service: current, baseline and weeks of 3 signals, spreads of 2, 4 scores, noise, score, detectable drop.
    expect(records.filter((r: string) => r.startsWith('anomaly:')).length).toBe(ENVIRONMENTS[name].services.length * 18);
    expect(new Set(records).size).toBe(records.length);
    const groups = rulesOf(name).flatMap((o) => o.spec.groups.map((g: Json) => g.name));
    expect(new Set(groups).size).toBe(groups.length);
  });

  it('lets a remediation policy answer an anomaly alert the environment raises: the runner gets it first', () => {
    const rule = { alert: 'AnomalyTrafficSpike', action: { kind: 'scale' as const, by: 2, minutes: 30 } };
    const env: Environment = {
      ...prod,
      remediation: {
        ...prod.remediation!,
        services: prod.remediation!.services.map((s) => (s.service === 'web' ? { ...s, rules: [...s.rules, rule] } : s)),
      },
    };
    const platform = buildPlatform(env);
    const raised = objectsOfApp(platform.app)
      .filter((o) => o.kind === 'PrometheusRule')
      .flatMap((o) => (o as Json).spec.groups.flatMap((g: Json) => g.rules))
      .filter((r: Json) => r.alert === 'AnomalyTrafficSpike');
    expect(raised.map((r: Json) => r.labels.service)).toEqual(SERVICES);
    expect((platform.alertRouting.config as Json).route.routes[1].matchers).toEqual([
      'alertname=~"AnomalyTrafficSpike|LatencyP99High|SloErrorBudgetBurn"',
    ]);
  });

  it("takes a service's own thresholds from its spec, the others' defaults unchanged", () => {
    const env: Environment = {
      ...prod,
      services: prod.services.map((s) => (s.name === 'web' ? { ...s, anomaly: { dropScore: 4, stoppedSustained: '10m' } } : s)),
    };
    const { anomalies } = buildPlatform(env);
    expect(anomalies.web.thresholds).toMatchObject({ dropScore: 4, stoppedSustained: '10m', spikeScore: ANOMALY_DEFAULTS.spikeScore });
    expect(anomalies['api-gateway'].thresholds).toEqual(ANOMALY_DEFAULTS);
  });

  it.each([
    [{ weeks: 2, minWeeks: 3 }, "prod: 'services.web.anomaly.minWeeks' (3) must be from 1 to 'weeks' (2)"],
    [{ sustained: '15 minutes' }, "prod: 'services.web.anomaly.sustained' (\"15 minutes\") must be a Prometheus duration such as '15m'"],
    [{ dropScore: '2' }, 'prod: \'services.web.anomaly.dropScore\' ("2") must be a number, not text: write 2 without quotes'],
    [{ spikes: 3 }, "prod: 'services.web.anomaly.spikes' (3) is not a field of 'services.web.anomaly'; known: weeks, minWeeks,"],
  ])('rejects the anomaly thresholds %j of a service with one line naming it', (anomaly, message) => {
    const bad = { ...prod, services: prod.services.map((s) => (s.name === 'web' ? { ...s, anomaly } : s)) } as Environment;
    expect(() => validateEnvironment(bad)).toThrow(message);
  });
});

describe('load tests', () => {
  it('target the service the Environment names, with its Slo and request mix', () => {
    const endpoints = [{ name: 'home', method: 'GET' as const, path: '/', weight: 1 }];
    const objects = objectsOfApp(buildPlatform({ ...prod, loadTests: { target: 'web', endpoints, schedule: '0 4 * * *' } }).app);
    const cron = objects.find((o) => o.kind === 'CronJob' && o.metadata.name === 'web-baseline') as Json;
    expect(cron).toBeDefined();
    expect(cron.spec.schedule).toBe('0 4 * * *');
    const plan = JSON.parse(
      (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'web-baseline-script') as Json).data['plan.json'],
    );
    expect(plan.baseUrl).toBe('http://web.web.svc');
    expect(plan.endpoints).toEqual(endpoints);
    // web's Slo, from the Environment: its latency percentile under its threshold, failures within its error budget.
    const slo = resolveSlo(prod.services.find((s) => s.name === 'web')!.slo);
    expect(plan.options.thresholds.http_req_duration).toContain(`p(${slo.latencyPercentile})<${slo.latencyThreshold.toMilliseconds()}`);
    expect(plan.options.thresholds.http_req_failed).toEqual([`rate<${+(1 - slo.availabilityPercent / 100).toFixed(6)}`]);
    expect(objects.some((o) => o.metadata.name === 'api-gateway-baseline')).toBe(false);
  });

  it('are left out where the Environment names none', () => {
    const objects = objectsOfApp(buildPlatform({ ...prod, loadTests: undefined }).app);
    expect(objects.some((o) => /-baseline$/.test(o.metadata.name as string))).toBe(false);
  });
});

describe('environment validation', () => {
  const cases: [string, Partial<Environment>, string][] = [
    ['zero zones', { zones: [] }, "prod: 'zones' ([]) must list at least one zone"],
    [
      'a bad region',
      { cloud: { kind: 'aws', region: 'europe', accountId: '333333333333', vpcCidr: '10.30.0.0/16', spotPercent: 60, cdn: true } },
      'prod: \'cloud.region\' ("europe") must be an AWS region',
    ],
    [
      'a VPC range too small to split into subnets per zone',
      { cloud: { kind: 'aws', region: 'eu-west-1', accountId: '333333333333', vpcCidr: '10.30.0.0/24', spotPercent: 60, cdn: true } },
      'prod: \'cloud.vpcCidr\' ("10.30.0.0/24") must be an IPv4 CIDR from /16 to /20',
    ],
    ['a service twice', { services: [...prod.services, prod.services[0]] }, 'prod: \'services\' ("api-gateway") names a service twice'],
    [
      'a load test of a service the environment does not run',
      { loadTests: { ...prod.loadTests!, target: 'checkout' } },
      'prod: \'loadTests.target\' ("checkout") must name one of the services (api-gateway, nlp-service, audit-service, web)',
    ],
  ];
  it.each(cases)('rejects %s', (_, change, message) => {
    expect(() => validateEnvironment({ ...prod, ...change })).toThrow(message);
  });

  it.each([
    ['too few Redis shards', { redis: { ...prod.dataTier.redis, shards: 2 } }, "prod/data/Redis: 'shards' (2) must be at least 3"],
    [
      'Redis without replicas over three zones',
      { redis: { ...prod.dataTier.redis, replicasPerShard: 0 } },
      "prod/data/Redis: 'replicasPerShard' (0) must be at least 1 when the cluster spans 3 zones",
    ],
    [
      'as many sync replicas as instances',
      { postgres: { ...prod.dataTier.postgres, synchronousReplicas: 3 } },
      "prod/data/Postgres: 'synchronousReplicas' (3) must be below 'instances' (3)",
    ],
  ] as [string, Partial<Environment['dataTier']>, string][])('rejects %s at the data construct', (_, change, message) => {
    expect(() => buildPlatform({ ...prod, dataTier: { ...prod.dataTier, ...change } })).toThrow(message);
  });

  it('names the service when its construct rejects it', () => {
    const bad = { ...prod, services: prod.services.map((s) => (s.name === 'web' ? { ...s, replicas: { min: 7, max: 6 } } : s)) };
    expect(() => buildPlatform(bad)).toThrow("prod/web/Service: 'replicas.min' (7) must be <= 'replicas.max' (6)");
  });
});

describe('traffic policy', () => {
  it("applies prod's call graph through the Istio ambient mesh: api-gateway -> audit-service with 3 attempts of 500 ms", () => {
    const platform = buildPlatform(prod);
    const objects = objectsOfApp(platform.app);
    const vs = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'audit-service') as Json;
    // POSTs declared idempotent (events carry their id): every method retried, one route.
    expect(vs.spec.http.map((r: Json) => [r.name, r.timeout, r.retries.attempts])).toEqual([['retried', '1600ms', 2]]);
    expect(objects.filter((o) => o.kind === 'DestinationRule').map((o) => o.metadata.name)).toEqual(['audit-service']);
    const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'web') as Json;
    expect(ns.metadata.labels['istio.io/dataplane-mode']).toBe('ambient');
    expect(platform.mesh?.waypoint).toBeDefined();
  });

  it("gives each service's data-store clients their timeouts and attempts", () => {
    const objects = objectsOfApp(buildPlatform(prod).app);
    const env = (byName(objects, 'audit-service').Deployment.spec.template.spec.containers[0].env as Json[]).filter((e) =>
      e.name.startsWith('PERFSTACK_'),
    );
    expect(Object.fromEntries(env.map((e) => [e.name, e.value]))).toMatchObject({
      PERFSTACK_POSTGRES_RW_ATTEMPTS: '1',
      PERFSTACK_POSTGRES_RO_ATTEMPTS: '3',
      PERFSTACK_POSTGRES_RW_TIMEOUT_MS: '100',
    });
  });

  it("leaves no mesh object with mesh 'none', and says every policy in a warning instead", () => {
    const env: Environment = { ...prod, mesh: 'none' };
    const objects = objectsOfApp(buildPlatform(env).app);
    const waypoint = (o: { kind: string; spec?: { gatewayClassName?: string } }) =>
      o.kind === 'Gateway' && o.spec?.gatewayClassName === 'istio-waypoint';
    expect(objects.filter((o) => ['DestinationRule', 'VirtualService'].includes(o.kind) || waypoint(o))).toEqual([]);
    expect(trafficWarnings(env)).toEqual([
      `prod: 'mesh' ("none"): api-gateway -> audit-service is not enforced by a mesh: 3 attempt(s) of 500 ms (at most 1600 ms), at most 256 connections and 384 pending, ejection after 5 consecutive 5xx (at most 50% of instances); api-gateway's HTTP client must apply it`,
    ]);
    expect(trafficWarnings(prod)).toEqual([]);
  });

  it('defaults to no mesh where the catalogue has no Istio line for the version, and refuses to force one there', () => {
    const old: Environment = { ...prod, kubernetesVersion: '1.31', operators: OPERATORS_FOR['1.31'] };
    expect(meshOf(old)).toBe('none');
    expect(() => validateEnvironment({ ...old, mesh: 'istio-ambient' })).toThrow(
      `prod: 'mesh' ("istio-ambient") has no Istio release in the catalogue for Kubernetes 1.31 (it has one for 1.32, 1.33, 1.34, 1.35, 1.36); use 'none' or one of those versions`,
    );
  });
});

describe('remediation', () => {
  const policyOf = (objects: Json[]) =>
    JSON.parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'remediation-runner')?.data['policy.json'] ?? 'null');

  it.each(Object.keys(ENVIRONMENTS))('%s runs the runner of its policy and routes exactly the policy alerts to it first', (name) => {
    const env = ENVIRONMENTS[name];
    const objects = chartsOf(name).flatMap((c) => c.objects) as Json[];
    expect(env.remediation).toBeDefined();
    const policy = policyOf(objects);
    expect(policy.dryRun).toBe(env.remediation!.dryRun);
    expect(policy.services.map((s: Json) => s.service)).toEqual(env.services.map((s) => s.name));
    const runner = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'remediation-runner');
    expect(runner.spec.template.spec.containers[0].image).toBe(`${env.imageRegistry}/${THIRD_PARTY_IMAGES.node}`);
    const routing = buildPlatform(env).alertRouting.config as Json;
    // After the heartbeats' null route, before every team's route; `continue` so the team is told as well.
    expect(routing.route.routes[1]).toEqual({
      matchers: ['alertname=~"LatencyP99High|SloErrorBudgetBurn"'],
      receiver: 'remediation',
      group_by: ['alertname', 'service'],
      group_wait: '10s',
      group_interval: '1m',
      repeat_interval: '5m',
      continue: true,
    });
    expect(routing.receivers.find((r: Json) => r.name === 'remediation').webhook_configs).toEqual([
      { url: `http://remediation-runner.${env.namespace}.svc:8080/alerts`, send_resolved: true },
    ]);
  });

  it('acts in dev and staging, and only records what it would do in prod and on the air-gapped sites', () => {
    expect(Object.fromEntries(Object.entries(ENVIRONMENTS).map(([n, e]) => [n, e.remediation?.dryRun]))).toEqual({
      dev: false,
      staging: false,
      prod: true,
      airgap: true,
      'airgap-minimum': true,
      'airgap-recommended': true,
    });
  });

  it('raises a floor by no more than the bounds allow: by 4 at full scale, by 1 where a service runs 1 to 2 replicas', () => {
    const by = (env: Environment) =>
      env.remediation!.services.map((s) => s.rules.flatMap((r) => (r.action.kind === 'scale' ? [r.action.by] : []))[0]);
    expect(by(prod)).toEqual([4, 4, 4, 4]);
    expect(by(dev)).toEqual([1, 1, 1, 1]);
  });

  it('makes no runner and no remediation route for an environment without a policy', () => {
    const platform = buildPlatform({ ...dev, remediation: undefined });
    const objects = objectsOfApp(platform.app) as Json[];
    expect(objects.filter((o) => o.metadata.name.startsWith('remediation-runner'))).toEqual([]);
    const routing = platform.alertRouting.config as Json;
    expect(routing.receivers.map((r: Json) => r.name)).not.toContain('remediation');
    expect(routing.route.routes.map((r: Json) => r.receiver)).not.toContain('remediation');
  });
});
