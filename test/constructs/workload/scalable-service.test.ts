import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { CapacityClass } from '../../../constructs/workload/capacity-class';
import { ScalableService, ScalableServiceProps } from '../../../constructs/workload/scalable-service';
import { ScalingMetric } from '../../../constructs/workload/scaling-metric';
import { schemaValidator } from '../../support/k8s-schema';
import { MINIMAL_SERVICE_PROPS, findObject, freshChart, kinds, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const base = MINIMAL_SERVICE_PROPS;

function synth(overrides: Partial<ScalableServiceProps> = {}, id = 'api') {
  const chart = freshChart();
  const service = new ScalableService(chart, id, { ...base, ...overrides });
  const objects = objectsOf(chart);
  const get = (kind: string): Json => findObject(objects, kind);
  return { service, objects, get };
}

function errorOf(overrides: Partial<ScalableServiceProps>): string {
  try {
    synth(overrides);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('ScalableService', () => {
  describe('with defaults', () => {
    const { get, objects, service } = synth();
    const deployment = get('Deployment');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];

    it('emits a ServiceAccount, Deployment, Service, HPA, VPA, PDB, ServiceMonitor and NetworkPolicy', () => {
      expect(kinds(objects)).toEqual([
        'ServiceAccount',
        'Deployment',
        'Service',
        'HorizontalPodAutoscaler',
        'VerticalPodAutoscaler',
        'PodDisruptionBudget',
        'ServiceMonitor',
        'NetworkPolicy',
      ]);
    });

    it('leaves the replica count to the autoscaler', () => {
      expect(deployment.spec.replicas).toBeUndefined();
    });

    it('rolls out without taking a serving pod away', () => {
      expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } });
    });

    it('hardens the pod and the container', () => {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(container.securityContext).toEqual({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
    });

    it('requests CPU and memory and limits memory to the request, without a CPU limit', () => {
      expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '512Mi' } });
    });

    it('probes readiness, liveness and startup, with readiness distinct from liveness', () => {
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(container.livenessProbe.httpGet.path).toBe('/livez');
      expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBe(120);
    });

    it('drains endpoints before SIGTERM, within the grace period', () => {
      expect(container.lifecycle.preStop.exec.command).toEqual(['sleep', '10']);
      expect(pod.terminationGracePeriodSeconds).toBe(45);
    });

    it('spreads over zones (required with 3 zones) and hosts, and prefers hosts apart', () => {
      const [zone, host] = pod.topologySpreadConstraints;
      expect(zone).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' });
      expect(host).toMatchObject({ topologyKey: 'kubernetes.io/hostname', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' });
      expect(zone.labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe(
        'kubernetes.io/hostname',
      );
    });

    it('scales on CPU at 70% with the DESIGN.md behaviour', () => {
      const hpa = get('HorizontalPodAutoscaler');
      expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10, scaleTargetRef: { kind: 'Deployment', name: 'api' } });
      expect(hpa.spec.metrics).toEqual([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ]);
      expect(hpa.spec.behavior.scaleUp).toEqual({
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Percent', value: 100, periodSeconds: 15 },
          { type: 'Pods', value: 4, periodSeconds: 15 },
        ],
      });
      expect(hpa.spec.behavior.scaleDown).toEqual({
        stabilizationWindowSeconds: 300,
        selectPolicy: 'Max',
        policies: [
          { type: 'Percent', value: 50, periodSeconds: 60 },
          { type: 'Pods', value: 2, periodSeconds: 60 },
        ],
      });
    });

    it('recommends only (VPA Off) by default', () => {
      expect(get('VerticalPodAutoscaler').spec.updatePolicy.updateMode).toBe('Off');
    });

    it('budgets disruptions without ever blocking all evictions', () => {
      const pdb = get('PodDisruptionBudget');
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(pdb.spec.minAvailable).toBeUndefined();
    });

    it('admits clients on the app port and Prometheus on the metrics port only', () => {
      const np = get('NetworkPolicy');
      expect(np.spec.policyTypes).toEqual(['Ingress']);
      expect(np.spec.ingress[1].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'monitoring' });
    });

    it('is scraped on its metrics path through the Service', () => {
      expect(get('ServiceMonitor').spec).toEqual({
        selector: { matchLabels: deployment.spec.selector.matchLabels },
        endpoints: [{ port: 'http', path: '/metrics', interval: '15s' }],
      });
    });

    it('labels every object the same way', () => {
      for (const o of objects) expect(o.metadata.labels).toEqual(service.labels);
      expect(service.labels).toMatchObject({
        'app.kubernetes.io/name': 'api',
        'app.kubernetes.io/version': '1.2.3',
        'app.kubernetes.io/managed-by': 'perfstack',
      });
    });

    it('is schema-valid', () => {
      const v = schemaValidator();
      expect(objects.flatMap((o) => v.validate(o))).toEqual([]);
    });
  });

  it('prefers zone spread only when fewer than 3 zones exist', () => {
    const { get } = synth({ zones: 1 });
    expect(get('Deployment').spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
  });

  it('serves Pods and External custom metrics through the HPA', () => {
    const { get, service } = synth({
      metrics: [
        ScalingMetric.cpu(70),
        ScalingMetric.podsRate({ name: 'http_requests_per_second', series: 'http_requests_total', targetAverageValue: 100 }),
        ScalingMetric.external({ name: 'queue_depth', targetAverageValue: 0.5 }),
      ],
    });
    const metrics = get('HorizontalPodAutoscaler').spec.metrics;
    expect(metrics[1]).toEqual({
      type: 'Pods',
      pods: { metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '100' } },
    });
    expect(metrics[2]).toEqual({
      type: 'External',
      external: { metric: { name: 'queue_depth' }, target: { type: 'AverageValue', averageValue: '500m' } },
    });
    expect(service.adapterMetrics.map((m) => m.name)).toEqual(['http_requests_per_second', 'queue_depth']);
  });

  describe('with business hours', () => {
    const { objects, get, service } = synth({
      metrics: [ScalingMetric.cpu(70), ScalingMetric.podsRate({ name: 'rps', series: 'http_requests_total', targetAverageValue: 50 })],
      businessHours: { timeZone: 'Europe/Berlin', start: '08:30', end: '18:00', minReplicas: 4 },
    });

    it('hands the HPA to KEDA: a ScaledObject and no HorizontalPodAutoscaler', () => {
      expect(kinds(objects)).toContain('ScaledObject');
      expect(kinds(objects)).not.toContain('HorizontalPodAutoscaler');
      expect(service.hpa).toBeUndefined();
      expect(service.adapterMetrics).toEqual([]);
    });

    it('floors replicas in the time zone with a cron trigger, then applies the same metrics', () => {
      const so = get('ScaledObject');
      expect(so.spec.triggers[0]).toEqual({
        type: 'cron',
        name: 'business-hours',
        metadata: { timezone: 'Europe/Berlin', start: '30 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: '4' },
      });
      expect(so.spec.triggers[1]).toEqual({ type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } });
      expect(so.spec.triggers[2]).toMatchObject({
        type: 'prometheus',
        metricType: 'AverageValue',
        metadata: { query: 'sum(rate(http_requests_total{namespace="web",service="api"}[2m]))', threshold: '50' },
      });
    });

    it('gives KEDA the same behaviour and bounds', () => {
      const so = get('ScaledObject');
      expect(so.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 10 });
      expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
      expect(get('Deployment').spec.replicas).toBeUndefined();
    });
  });

  it('hands the HPA to KEDA for forecast floors alone, cron triggers first and the metrics after', () => {
    const { get, service } = synth({
      forecastFloors: { timeZone: 'UTC', floors: [{ from: '2026-07-06T09:00:00Z', to: '2026-07-06T17:00:00Z', minReplicas: 6 }] },
    });
    expect(service.hpa).toBeUndefined();
    expect(get('ScaledObject').spec.triggers).toEqual([
      { type: 'cron', name: 'forecast-1', metadata: { timezone: 'UTC', start: '0 9 * * 1', end: '0 17 * * 1', desiredReplicas: '6' } },
      { type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } },
    ]);
  });

  it('emits a PDB with a single-replica minimum too, since the autoscaler adds replicas', () => {
    expect(synth({ replicas: { min: 1, max: 4 } }).get('PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  it('emits no PDB for a service fixed at one replica', () => {
    expect(kinds(synth({ replicas: { min: 1, max: 1 } }).objects)).not.toContain('PodDisruptionBudget');
  });

  it('lets the VPA size memory when the HPA scales on CPU only', () => {
    const { get } = synth({
      verticalScaling: { updateMode: 'Initial', controlledResources: ['memory'], maxAllowed: { memory: Size.gibibytes(2) } },
    });
    const policy = get('VerticalPodAutoscaler').spec.resourcePolicy.containerPolicies[0];
    expect(policy).toMatchObject({ controlledResources: ['memory'], maxAllowed: { memory: '2048Mi' } });
    expect(get('VerticalPodAutoscaler').spec.updatePolicy.updateMode).toBe('Initial');
  });

  describe('capacity classes', () => {
    it('keeps critical pods off spot nodes and gives them the critical priority', () => {
      const pod = synth({ capacity: CapacityClass.critical() }).get('Deployment').spec.template.spec;
      expect(pod.priorityClassName).toBe('perfstack-critical');
      expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
        { key: 'perfstack.io/capacity-type', operator: 'NotIn', values: ['spot'] },
      ]);
      expect(pod.tolerations).toBeUndefined();
    });

    it('lets spot-tolerant pods onto tainted spot nodes and prefers them there', () => {
      const pod = synth({ capacity: CapacityClass.spotTolerant() }).get('Deployment').spec.template.spec;
      expect(pod.tolerations).toEqual([{ key: 'perfstack.io/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }]);
      expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].values).toEqual([
        'spot',
      ]);
    });

    it('places standard pods anywhere untainted', () => {
      const pod = synth().get('Deployment').spec.template.spec;
      expect(pod.priorityClassName).toBe('perfstack-standard');
      expect(pod.affinity.nodeAffinity).toBeUndefined();
    });
  });

  it('reads secrets by reference only', () => {
    const container = synth({ secretEnv: { DB_PASSWORD: { secret: 'db', key: 'password' } }, env: { LOG_LEVEL: 'info' } }).get('Deployment')
      .spec.template.spec.containers[0];
    expect(container.env).toEqual([
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'LOG_LEVEL', value: 'info' },
    ]);
  });

  describe('rejects invalid input with the path, the value and the fix', () => {
    it.each([
      [{ replicas: { min: 11, max: 10 } }, "test/api: 'replicas.min' (11) must be <= 'replicas.max' (10)"],
      [{ image: '' }, 'test/api: \'image\' ("") is required'],
      [{ image: 'registry.example.com/web/api' }, '\'image\' ("registry.example.com/web/api") must carry a pinned tag or a sha256 digest'],
      [{ image: 'registry.example.com:5000/web/api:latest' }, 'must carry a pinned tag'],
      [{ zones: 0 }, "test/api: 'zones' (0) must be at least 1"],
      [{ zones: 2.5 }, "test/api: 'zones' (2.5) must be a whole number >= 1"],
      [{ metrics: [ScalingMetric.cpu(170)] }, "'metrics[0].targetUtilizationPercent' (170) must be a percentage"],
      [{ metrics: [] }, "'metrics' ([]) must name at least one metric"],
      [{ drainDelay: Duration.seconds(60) }, "'drainDelay' (1 minute) must be shorter than 'terminationGracePeriod' (45 seconds)"],
      [
        { verticalScaling: { updateMode: 'Auto' } },
        "test/api: 'verticalScaling.updateMode' (\"Auto\") would change the cpu request that the autoscaler scales on; use updateMode 'Off' or controlledResources ['memory']",
      ],
      [
        { metrics: [ScalingMetric.cpu(70), ScalingMetric.memory(80)], verticalScaling: { updateMode: 'Initial' } },
        "would change the cpu and memory requests that the autoscaler scales on; use updateMode 'Off'",
      ],
      [
        { businessHours: { timeZone: 'Mars/Olympus', start: '08:00', end: '18:00', minReplicas: 3 } },
        '\'businessHours.timeZone\' ("Mars/Olympus") must be an IANA time zone',
      ],
      [
        { businessHours: { timeZone: 'UTC', start: '18:00', end: '08:00', minReplicas: 3 } },
        "'businessHours.end' (\"08:00\") must be after 'start'",
      ],
      [
        { businessHours: { timeZone: 'UTC', start: '08:00', end: '18:00', minReplicas: 30 } },
        "'businessHours.minReplicas' (30) must be a whole number between",
      ],
      [
        { forecastFloors: { timeZone: 'UTC', floors: [{ from: '2026-07-06T09:00:00Z', to: '2026-07-06T17:00:00Z', minReplicas: 11 }] } },
        "'forecastFloors.floors[0].minReplicas' (11) must be a whole number between 'replicas.min' (2) and 'replicas.max' (10)",
      ],
      [
        { resources: { cpu: Cpu.millis(100), memory: Size.mebibytes(512), memoryLimit: Size.mebibytes(256) } },
        "'resources.memoryLimit' (256Mi) must be >= the memory request",
      ],
      [{ labels: { team: 'Platform Team' } }, '\'labels.team\' ("Platform Team") is not a valid label value'],
    ] as [Partial<ScalableServiceProps>, string][])('%o', (overrides, message) => {
      expect(errorOf(overrides)).toContain(message);
    });

    it('lists every problem at once', () => {
      const message = errorOf({ replicas: { min: 0, max: 0 }, zones: 0 });
      expect(message.split('\n')).toHaveLength(3);
    });

    it('accepts a VPA in Auto when it leaves the HPA resource alone', () => {
      expect(() => synth({ verticalScaling: { updateMode: 'Auto', controlledResources: ['memory'] } })).not.toThrow();
    });
  });
});

describe('ScalableService input checks', () => {
  it('refuses negative CPU and zero memory requests, shown as written', () => {
    expect(errorOf({ resources: { cpu: Cpu.millis(-500), memory: Size.mebibytes(0) } }).split('\n')).toEqual([
      "test/api: 'resources.memory' (0Mi) must be above zero",
      "test/api: 'resources.cpu' (-500m) must be above zero, e.g. Cpu.millis(250)",
    ]);
  });

  it('refuses an image given as a URL', () => {
    expect(errorOf({ image: 'https://registry.example.com/web/api:1.4.2' })).toMatch(
      /^test\/api: 'image' \("https:\/\/registry\.example\.com\/web\/api:1\.4\.2"\) has a scheme/,
    );
  });

  it('checks a drain delay in milliseconds before converting it to seconds', () => {
    expect(errorOf({ drainDelay: Duration.millis(1500) })).toBe("test/api: 'drainDelay' (1500 millis) must be a whole number of seconds");
  });
});
