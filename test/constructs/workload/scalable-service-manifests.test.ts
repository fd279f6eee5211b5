import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { ScalableServiceProps } from '../../../constructs/workload/scalable-service';
import {
  ServiceSettings,
  appContainer,
  deploymentMetadata,
  hpaSpec,
  networkPolicySpec,
  pdbSpec,
  resolveServiceDefaults,
  scaledObjectSpec,
  serviceMonitorSpec,
  serviceSettings,
  serviceSpec,
  vpaSpec,
} from '../../../constructs/workload/scalable-service-manifests';
import { ScalingMetric } from '../../../constructs/workload/scaling-metric';

const props: ScalableServiceProps = {
  namespace: 'web',
  image: 'registry.example.com/web/api:1.4.2',
  resources: { cpu: Cpu.millis(250), memory: Size.mebibytes(256) },
  replicas: { min: 2, max: 10 },
  zones: 3,
};
const behavior = { scaleUp: { stabilizationWindowSeconds: 0 } };
const settings = (p: Partial<ScalableServiceProps> = {}): ServiceSettings =>
  serviceSettings({ ...props, ...p }, resolveServiceDefaults('api', { ...props, ...p }), behavior);

describe('resolveServiceDefaults', () => {
  it('resolves every default once: id as name, ports 8080/80, CPU 70%, standard capacity, 10 s drain in a 45 s grace', () => {
    const d = resolveServiceDefaults('api', props);
    expect(d).toMatchObject({ name: 'api', containerPort: 8080, servicePort: 80, metricsPort: 8080, monitoringNamespace: 'monitoring' });
    expect(d.metrics.map((m) => m.name)).toEqual(['cpu']);
    expect(d.capacity.name).toBe('standard');
    expect([d.drainDelay.toSeconds(), d.terminationGracePeriod.toSeconds()]).toEqual([10, 45]);
  });

  it('keeps the metrics port on the container port unless set', () => {
    expect(resolveServiceDefaults('api', { ...props, containerPort: 9000 }).metricsPort).toBe(9000);
    expect(resolveServiceDefaults('api', { ...props, metricsPort: 9100 }).metricsPort).toBe(9100);
  });
});

describe('the objects, each from the settings alone', () => {
  it('labels by app identity with the image tag as version, and exempts only on the Deployment', () => {
    const s = settings({ policyExemption: { rules: ['production-replicas'], reason: 'floor of 1' } });
    expect(s.labels['app.kubernetes.io/version']).toBe('1.4.2');
    expect(s.selector).toEqual({ 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' });
    expect(deploymentMetadata(s).annotations).toEqual({
      'policy.perfstack.io/exempt': 'production-replicas',
      'policy.perfstack.io/exempt-reason': 'floor of 1',
    });
  });

  it('drains before SIGTERM and mounts a scratch /tmp under the read-only root', () => {
    const c = appContainer(settings({ drainDelay: Duration.seconds(7) }));
    expect(c.lifecycle?.preStop?.exec?.command).toEqual(['sleep', '7']);
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
  });

  it('opens a separate metrics port on the container, the Service, the monitor and the policy only when asked', () => {
    const same = settings();
    expect(serviceSpec(same).ports?.map((p) => p.name)).toEqual(['http']);
    expect(serviceMonitorSpec(same).endpoints?.[0].port).toBe('http');
    const split = settings({ metricsPort: 9100 });
    expect(serviceSpec(split).ports?.map((p) => p.name)).toEqual(['http', 'metrics']);
    expect(serviceMonitorSpec(split).endpoints?.[0].port).toBe('metrics');
    expect(networkPolicySpec(split).ingress?.[1].ports?.[0].port?.value).toBe(9100);
  });

  it('bounds the HPA by the replicas with the given behaviour', () => {
    const hpa = hpaSpec(settings({ metrics: [ScalingMetric.cpu(60)] }));
    expect([hpa.minReplicas, hpa.maxReplicas, hpa.behavior]).toEqual([2, 10, behavior]);
    expect(hpa.metrics?.[0].resource?.target.averageUtilization).toBe(60);
  });

  it('puts the business-hours floor first among the KEDA triggers', () => {
    const spec = scaledObjectSpec(settings({ businessHours: { timeZone: 'Europe/Paris', start: '08:00', end: '19:00', minReplicas: 4 } }));
    expect(spec.triggers[0]).toMatchObject({ type: 'cron', metadata: { timezone: 'Europe/Paris', desiredReplicas: '4' } });
    expect(spec.triggers.slice(1).map((t) => t.type)).toEqual(['cpu']);
  });

  it('recommends only (VPA Off) by default', () => {
    expect(vpaSpec(settings()).updatePolicy?.updateMode).toBe('Off');
  });

  it('has a PDB only when more than one pod may run', () => {
    expect(pdbSpec(settings({ replicas: { min: 1, max: 1 } }))).toBeUndefined();
    expect(pdbSpec(settings())?.maxUnavailable?.value).toBe(1);
  });
});
