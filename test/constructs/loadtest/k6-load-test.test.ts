import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { ConfigError } from '../../../constructs/core/errors';
import { K6LoadTest, K6LoadTestProps } from '../../../constructs/loadtest/k6-load-test';
import { buildPlatform } from '../../../stacks/platform';
import { prod } from '../../../stacks/prod';
import { staging } from '../../../stacks/staging';
import { API_GATEWAY_MIX, PLATFORM_SLO } from '../../../stacks/services';
import { sloModel } from '../../../constructs/observability/slo';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf, objectsOfApp } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const base: K6LoadTestProps = {
  namespace: 'web',
  scenario: 'baseline',
  slo: sloModel({ service: 'api-gateway', namespace: 'web', slo: PLATFORM_SLO }),
  p99Latency: Duration.millis(500),
  target: { url: 'http://api-gateway.web.svc', podSelector: { 'app.kubernetes.io/name': 'api-gateway' }, port: 8080 },
  endpoints: API_GATEWAY_MIX,
  image: 'registry.example.com/grafana/k6:0.54.0',
  prometheusRemoteWriteUrl: 'http://prometheus-operated.monitoring.svc:9090/api/v1/write',
};

function synth(overrides: Partial<K6LoadTestProps> = {}) {
  const chart = freshChart();
  const t = new K6LoadTest(chart, 'lt', { ...base, ...overrides });
  const objects = objectsOf(chart);
  return { t, objects, get: (kind: string): Json => findObject(objects, kind) };
}

describe('K6LoadTest', () => {
  const { objects, get } = synth();
  const job = get('Job');
  const container = job.spec.template.spec.containers[0];

  it('runs the bundled script once with results to Prometheus and the summary on a volume', () => {
    expect(container.args).toEqual([
      'run',
      '--out',
      'experimental-prometheus-rw',
      '--summary-export',
      '/results/summary.json',
      '/scripts/script.js',
    ]);
    expect(container.env).toContainEqual({
      name: 'K6_PROMETHEUS_RW_SERVER_URL',
      value: 'http://prometheus-operated.monitoring.svc:9090/api/v1/write',
    });
    expect(job.spec.template.spec.volumes[1]).toEqual({ name: 'results', persistentVolumeClaim: { claimName: 'lt-results' } });
    expect(get('ConfigMap').data['script.js']).toMatch(/as default/);
  });

  it('carries the plan with thresholds from the Slo', () => {
    const plan = JSON.parse(get('ConfigMap').data['plan.json']);
    expect(plan.options.thresholds.http_req_duration).toEqual(['p(95)<200', 'p(99)<500']);
    expect(plan.baseUrl).toBe('http://api-gateway.web.svc');
  });

  it('runs hardened with resources', () => {
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(container.resources.requests).toEqual({ cpu: '1', memory: '1024Mi' });
  });

  it('may reach only the target and Prometheus', () => {
    const np = get('NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Egress']);
    expect(np.spec.egress[0]).toEqual({
      to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api-gateway' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
  });

  it('is schema-valid as a Job, a CronJob and a k6-operator TestRun', () => {
    const v = schemaValidator();
    const all = [...objects, ...synth({ schedule: '0 2 * * *' }).objects, ...synth({ parallelism: 4 }).objects];
    expect(all.flatMap((o) => v.validate(o))).toEqual([]);
  });

  it('splits the load over runner pods with a TestRun when parallelism is above 1', () => {
    const { objects: o, get: g } = synth({ parallelism: 4 });
    expect(o.map((x) => x.kind)).not.toContain('Job');
    expect(g('TestRun').spec).toMatchObject({ parallelism: 4, script: { configMap: { name: 'lt-script', file: 'script.js' } } });
  });

  it('rejects what cannot run', () => {
    expect(() => synth({ endpoints: [] })).toThrow("test/lt: 'endpoints' ([]) must list at least one endpoint");
    expect(() => synth({ parallelism: 3, schedule: '0 2 * * *' })).toThrow(
      'test/lt: \'schedule\' ("0 2 * * *") cannot be combined with parallelism above 1',
    );
  });

  it("checks its runner's own resources, naming them as written: a 0Mi memory, a zero or fractional CPU", () => {
    expect(() => synth({ resources: { cpu: Cpu.millis(500), memory: Size.mebibytes(0) } })).toThrow(
      new ConfigError('test/lt', [{ input: 'resources.memory', value: Size.mebibytes(0), fix: 'must be above zero' }]),
    );
    expect(() => synth({ resources: { cpu: Cpu.millis(0), memory: Size.kibibytes(1536) } })).toThrow(
      "test/lt: 'resources.memory' (1536Ki) must be a whole number of mebibytes, e.g. Size.mebibytes(512)\ntest/lt: 'resources.cpu' (0m) must be above zero, e.g. Cpu.millis(250)",
    );
  });
});

describe('load tests in the environments', () => {
  it('runs the baseline nightly against api-gateway in staging', () => {
    const cron = objectsOfApp(buildPlatform(staging).app).find((o) => o.kind === 'CronJob') as Json;
    expect(cron.spec).toMatchObject({ schedule: '0 2 * * *', suspend: false, concurrencyPolicy: 'Forbid' });
  });

  it('defines the tests in prod without scheduling them', () => {
    const cron = objectsOfApp(buildPlatform(prod).app).find((o) => o.kind === 'CronJob') as Json;
    expect(cron.spec.suspend).toBe(true);
    expect(objectsOfApp(buildPlatform(prod).app).filter((o) => o.kind === 'Job' && o.metadata.name.includes('baseline'))).toEqual([]);
  });
});

describe('K6LoadTest input checks', () => {
  const errorOf = (overrides: Partial<K6LoadTestProps>): string => {
    try {
      synth(overrides);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('refuses a load plan of 0 virtual users', () => {
    const lines = errorOf({ scenario: 'peak', peakVus: 0 }).split('\n');
    expect(lines).toContain("test/lt: 'peakVus' (0) must be a whole number of virtual users >= 1; a test of 0 users sends no request");
    expect(lines).toContain(
      'test/lt: \'options\' ("scenarios.peak.stages: never more than 0 virtual users; the test would send no request") is not accepted by k6',
    );
  });

  it('refuses a schedule with an hour past 23', () => {
    expect(errorOf({ schedule: '0 25 * * *' })).toBe(
      `test/lt: 'schedule' ("0 25 * * *") is not a valid cron schedule: hour 25 is outside 0-23`,
    );
  });
});
