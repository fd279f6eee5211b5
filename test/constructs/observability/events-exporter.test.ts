import {
  EVENTS_EXPORTER,
  EVENTS_VOLUME_GI,
  EventsExporterAccess,
  eventsCollectorConfig,
  eventsExporterValues,
  retentionDays,
} from '../../../constructs/observability/events-exporter';
import { buildPlatform } from '../../../stacks/platform';
import { prod } from '../../../stacks/prod';
import { schemaValidator } from '../../support/k8s-schema';
import { findObject, freshChart, objectsOf, objectsOfApp } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading synthesized manifests by path
const find = (objects: Parameters<typeof findObject>[0], kind: string): any => findObject(objects, kind);
const props = { namespace: 'monitoring', apiServer: { cidrs: ['10.0.0.1/32'], port: 443 } };

describe('EventsExporterAccess', () => {
  it('lets the exporter get, list and watch Events and nothing else', () => {
    const chart = freshChart();
    new EventsExporterAccess(chart, 'e', props);
    const objects = objectsOf(chart);
    expect(objects.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'NetworkPolicy', 'ServiceAccount']);
    expect(find(objects, 'ClusterRole').rules).toEqual([
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(find(objects, 'ClusterRoleBinding')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'events-exporter' },
      subjects: [{ kind: 'ServiceAccount', name: 'events-exporter', namespace: 'monitoring' }],
    });
    for (const o of objects) expect(schemaValidator().validate(o)).toEqual([]);
  });

  it("reaches only the API server and DNS, and is reached only on its metrics port from its own namespace's pods", () => {
    const chart = freshChart();
    new EventsExporterAccess(chart, 'e', props);
    const policy = find(objectsOf(chart), 'NetworkPolicy').spec;
    // The chart's pods: its name and the release.
    expect(policy.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'opentelemetry-collector',
      'app.kubernetes.io/instance': 'events-exporter',
    });
    expect(policy.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ port: 443, protocol: 'TCP' }] },
      {
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      },
    ]);
    expect(policy.ingress).toEqual([{ from: [{ podSelector: {} }], ports: [{ port: 8888, protocol: 'TCP' }] }]);
  });

  it('refuses an empty API server range with a one-line error naming the construct', () => {
    expect(() => new EventsExporterAccess(freshChart(), 'e', { ...props, apiServer: { cidrs: [], port: 443 } })).toThrow(
      /e: 'apiServer.cidrs' \(\[\]\) must list the Kubernetes API server address range/,
    );
  });

  it('is part of every platform that keeps its own Events, and of none whose site pipeline does', () => {
    const kinds = (env: typeof prod) =>
      objectsOfApp(buildPlatform(env).app)
        .filter((o) => o.metadata.name === EVENTS_EXPORTER.name)
        .map((o) => o.kind)
        .sort();
    expect(kinds(prod)).toEqual(['ClusterRole', 'ClusterRoleBinding', 'NetworkPolicy', 'ServiceAccount']);
    expect(kinds({ ...prod, monitoring: { ...prod.monitoring, events: 'site-pipeline' } })).toEqual([]);
  });
});

describe('the events collector', () => {
  it('watches events.k8s.io Events and writes them to rotated JSON-line files kept as long as the metrics', () => {
    const config = eventsCollectorConfig(30) as {
      receivers: Record<string, unknown>;
      exporters: { file: { path: string; rotation: { max_days: number; max_megabytes: number; max_backups: number } } };
      service: { pipelines: Record<string, unknown> };
    };
    expect(config.receivers.k8sobjects).toEqual({
      objects: [{ name: 'events', group: 'events.k8s.io', mode: 'watch', exclude_watch_type: ['DELETED'] }],
    });
    // The chart's listeners are removed: the collector receives nothing from the network.
    for (const r of ['otlp', 'jaeger', 'zipkin', 'prometheus']) expect(config.receivers[r]).toBeNull();
    expect(config.exporters.file.path).toBe('/var/lib/perfstack-events/events.jsonl');
    expect(config.exporters.file.rotation.max_days).toBe(30);
    expect(config.service.pipelines).toEqual({
      logs: { receivers: ['k8sobjects'], processors: ['memory_limiter', 'batch'], exporters: ['file'] },
      metrics: null,
      traces: null,
    });
    // Every rotated file fits on the volume.
    const { max_megabytes, max_backups } = config.exporters.file.rotation;
    expect((max_backups + 1) * max_megabytes).toBeLessThanOrEqual(EVENTS_VOLUME_GI * 1024);
  });

  it('keeps the Events for the whole days of the Prometheus retention, at least one', () => {
    expect(retentionDays('15d')).toBe(15);
    expect(retentionDays('2w')).toBe(14);
    expect(retentionDays('1y')).toBe(365);
    expect(retentionDays('36h')).toBe(2);
    expect(retentionDays('90m')).toBe(1);
    expect(() => retentionDays('15 days')).toThrow(/'15 days' is not a Prometheus duration/);
  });

  it('runs one restricted replica with its volume, the platform service account and the mirror when air-gapped', () => {
    const values = eventsExporterValues({ retention: '30d', priorityClassName: 'system-cluster-critical', mirror: 'registry.site:5000' });
    expect(values).toMatchObject({
      mode: 'statefulset',
      replicaCount: 1,
      image: { repository: 'registry.site:5000/otel/opentelemetry-collector-contrib' },
      command: { name: 'otelcol-contrib' },
      serviceAccount: { create: false, name: 'events-exporter' },
      clusterRole: { create: false },
      podSecurityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      extraVolumeMounts: [{ name: 'events', mountPath: '/var/lib/perfstack-events' }],
      ports: { otlp: { enabled: false }, zipkin: { enabled: false }, metrics: { enabled: true, containerPort: 8888 } },
    });
    expect((values.statefulset as { volumeClaimTemplates: { metadata: { name: string } }[] }).volumeClaimTemplates[0].metadata.name).toBe(
      'events',
    );
  });
});
