import { Dashboard, platformDashboard, serviceDashboard } from '../../../constructs/observability/dashboards';
import { sloModel } from '../../../constructs/observability/slo';
import { sloRuleGroups } from '../../../constructs/observability/slo-rules';
import { buildPlatform } from '../../../stacks/platform';
import { prod } from '../../../stacks/prod';
import { objectsOfApp } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const api = prod.services[0];
const model = sloModel({ service: api.name, namespace: 'web', slo: api.slo });

/** Metric names a PromQL expression reads (identifiers followed by a selector or range). */
function seriesIn(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((m) => m[1]);
}

describe('dashboards', () => {
  const service = serviceDashboard(model);

  it('show latency percentiles, throughput, error ratio, replicas against the HPA, and the budget left', () => {
    expect(service.panels.map((p) => p.title)).toEqual([
      'Latency',
      'Throughput',
      'Error ratio (5m)',
      'Replicas',
      'Error budget left (30 days)',
      'Availability SLI (1h)',
    ]);
    expect(service.panels[0].targets.map((t) => t.legendFormat)).toEqual(['p50', 'p95', 'p99']);
    expect(service.panels[3].targets.map((t) => t.legendFormat)).toEqual(['current', 'desired', 'max']);
  });

  it('read SLO series that the SLO rules record', () => {
    const recorded = new Set(sloRuleGroups(model).flatMap((g) => g.rules.map((r) => r.record).filter(Boolean)));
    const used = service.panels.flatMap((p) => p.targets.flatMap((t) => seriesIn(t.expr))).filter((n) => n.startsWith('slo:'));
    expect(used.length).toBeGreaterThan(0);
    for (const n of used) expect(recorded).toContain(n);
  });

  it('lay panels out without overlap and with unique ids', () => {
    for (const d of [service, platformDashboard('web', 25)] as Dashboard[]) {
      const cells = d.panels.map((p) => `${p.gridPos.x},${p.gridPos.y}`);
      expect(new Set(cells).size).toBe(cells.length);
      expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    }
  });

  it('ship as ConfigMaps with the label the Grafana sidecar loads, one per service plus the platform', () => {
    const maps = objectsOfApp(buildPlatform(prod).app).filter((o: Json) => o.metadata.labels?.grafana_dashboard === '1') as Json[];
    expect(maps.map((m) => m.metadata.name).sort()).toEqual([
      'perfstack-api-gateway',
      'perfstack-audit-service',
      'perfstack-nlp-service',
      'perfstack-platform',
      'perfstack-web',
    ]);
    for (const m of maps) {
      const d = JSON.parse(m.data[`${m.metadata.name}.json`]);
      expect(d.uid).toBe(m.metadata.name);
      expect(d.panels.length).toBeGreaterThan(0);
    }
  });
});
