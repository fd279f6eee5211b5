import { ChaosExperiments, FIND_REDIS_MASTER, chaosExperiments } from '../../../constructs/resilience/chaos-experiments';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const targets = {
  redis: { name: 'redis', replicasPerShard: 2, authSecret: { name: 'redis-auth', key: 'password' } },
  postgres: { name: 'postgres' },
};
const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

function synth() {
  const chart = freshChart();
  new ChaosExperiments(chart, 'Chaos', {
    namespace: 'web',
    targets,
    zones,
    triggerImage: 'registry.example.com/cloudnative-pg/postgresql:16.4',
    redisImage: 'registry.example.com/library/redis:7.2.5',
    apiServer: { cidrs: ['10.0.0.0/16'], port: 443 },
  });
  const objects = objectsOf(chart);
  return { objects, get: (kind: string, name?: string): Json => findObject(objects, kind, name) };
}

describe('ChaosExperiments', () => {
  const validator = schemaValidator();
  const { objects, get } = synth();

  it('defines the Redis master kill, PostgreSQL primary kill, pooler kill and zone partition', () => {
    expect(chaosExperiments('web', targets, zones).map((e) => e.name)).toEqual([
      'redis-master-kill',
      'postgres-primary-kill',
      'pooler-kill',
      'zone-partition',
    ]);
  });

  it('writes Chaos Mesh objects that validate against the PodChaos and NetworkChaos CRDs', () => {
    const data = get('ConfigMap', 'chaos-experiments').data;
    const chaos = Object.keys(data)
      .filter((k) => k.endsWith('.json'))
      .flatMap((k) => JSON.parse(data[k].replace('${TARGET_POD}', 'redis-4')));
    expect(chaos.map((o: Json) => o.kind).sort()).toEqual(['NetworkChaos', 'NetworkChaos', 'PodChaos', 'PodChaos', 'PodChaos']);
    for (const o of chaos) expect([o.metadata.name, validator.validate(o)]).toEqual([o.metadata.name, []]);
  });

  it('partitions the first zone from each other zone, both ways, for 5 minutes', () => {
    const data = get('ConfigMap', 'chaos-experiments').data;
    const partition = JSON.parse(data['zone-partition.json']);
    expect(partition.map((o: Json) => [o.spec.selector.nodeSelectors, o.spec.target.selector.nodeSelectors])).toEqual([
      [{ 'topology.kubernetes.io/zone': 'eu-west-1a' }, { 'topology.kubernetes.io/zone': 'eu-west-1b' }],
      [{ 'topology.kubernetes.io/zone': 'eu-west-1a' }, { 'topology.kubernetes.io/zone': 'eu-west-1c' }],
    ]);
    expect(partition[0].spec).toMatchObject({ action: 'partition', direction: 'both', duration: '300s' });
  });

  it('kills the Redis master the lookup found, as a Redis client the cluster admits', () => {
    const job = get('CronJob', 'chaos-redis-master-kill').spec.jobTemplate.spec.template;
    expect(job.metadata.labels['redis.perfstack.io/client']).toBe('redis');
    expect(job.spec.initContainers[0].command).toEqual(['sh', '-c', FIND_REDIS_MASTER]);
    expect(job.spec.containers[0].command.slice(-1)).toEqual(['/work/target']);
  });

  it('may only get, create and delete chaos objects in its namespace, and reach only the API server', () => {
    expect(get('Role').rules).toEqual([
      { apiGroups: ['chaos-mesh.org'], resources: ['podchaos', 'networkchaos'], verbs: ['get', 'create', 'delete'] },
    ]);
    expect(objects.filter((o) => o.kind === 'ClusterRole')).toEqual([]);
    expect(get('NetworkPolicy').spec.policyTypes).toEqual(['Egress']);
  });

  it('runs one experiment a week each, in working hours, never two at once', () => {
    const cronJobs = objects.filter((o) => o.kind === 'CronJob') as Json[];
    expect(cronJobs.map((c) => c.spec.schedule)).toEqual(['0 10 * * 2', '0 10 * * 3', '0 10 * * 4', '0 10 * * 5']);
    for (const c of cronJobs) expect(c.spec.concurrencyPolicy).toBe('Forbid');
  });

  it('records a verdict per experiment and alerts on fail and inconclusive', () => {
    const rules = get('PrometheusRule').spec.groups[0].rules as Json[];
    expect(rules.filter((r) => r.record === 'perfstack:chaos_verdict').map((r) => r.labels.experiment)).toHaveLength(4);
    expect(rules.filter((r) => r.alert).map((r) => r.alert)).toEqual(['ChaosExperimentFailed', 'ChaosExperimentInconclusive']);
  });

  it('is schema-valid', () => {
    for (const o of objects) expect([o.kind, validator.validate(o)]).toEqual([o.kind, []]);
  });
});
