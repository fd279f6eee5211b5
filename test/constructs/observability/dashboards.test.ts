import { Dashboard, Panel, platformDashboard, serviceDashboard } from '../../../constructs/observability/dashboards';
import { sloModel } from '../../../constructs/observability/slo';
import { sloRuleGroups } from '../../../constructs/observability/slo-rules';
import { RETRY_RATIO, TIMEOUT_RATIO, dependencySignals } from '../../../constructs/traffic/dependency-rules';
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

describe('dependency panels of the service dashboard', () => {
  const platform = buildPlatform(prod);
  const objects = objectsOfApp(platform.app) as Json[];
  const dashboardOf = (service: string): Dashboard => {
    const map = objects.find((o) => o.metadata.labels?.grafana_dashboard === '1' && o.metadata.name === `perfstack-${service}`);
    return JSON.parse(map.data[`perfstack-${service}.json`]);
  };
  const rules: Json[] = objects
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => o.spec.groups)
    .filter((g: Json) => g.name === 'perfstack-dependencies')
    .flatMap((g: Json) => g.rules);
  const ruleFor = (alert: string, callee: string): string => {
    const found = rules.filter((r) => r.alert === alert && r.labels.callee === callee);
    expect(found).toHaveLength(1);
    return found[0].expr;
  };
  const calls = platform.callGraph.services.flatMap((s) =>
    s.dependencies.filter((d) => d.kind === 'service').map((d) => [s.name, d.name] as const),
  );
  const panelsOf = (caller: string, callee: string): Panel[] =>
    dashboardOf(caller).panels.filter((p) => p.title.startsWith(`${caller} -> ${callee}:`) || p.title.startsWith(`${callee}:`));

  it('are there for every declared service dependency, four per call, and for nothing else', () => {
    expect(calls.length).toBeGreaterThan(0);
    for (const [caller, callee] of calls)
      expect(panelsOf(caller, callee).map((p) => p.title)).toEqual([
        `${caller} -> ${callee}: circuit-breaker overflows`,
        `${caller} -> ${callee}: upstream timeouts`,
        `${callee}: retries (all callers)`,
        `${callee}: outlier ejections (all callers)`,
      ]);
    for (const s of platform.callGraph.services) {
      const own = calls.filter(([caller]) => caller === s.name).length;
      expect(dashboardOf(s.name).panels).toHaveLength(6 + 4 * own);
    }
  });

  it('plot the very expressions the dependency alerts test, narrowed to the caller where the series has one', () => {
    for (const [caller, callee] of calls) {
      const [overflow, timeouts, retries, ejections] = panelsOf(caller, callee).map((p) => p.targets[0].expr);
      const narrowed = `,source_workload="${caller}"`;
      expect(overflow).toContain(narrowed);
      expect(timeouts).toContain(narrowed);
      // The alerts group the same series by caller over every caller; without the narrowing it is their text.
      expect(ruleFor('DependencyCircuitBreakerOverflow', callee)).toContain(`${overflow.split(narrowed).join('')} > 0`);
      expect(ruleFor('DependencyUpstreamTimeouts', callee)).toContain(`${timeouts.split(narrowed).join('')} > ${TIMEOUT_RATIO}`);
      expect(ruleFor('DependencyRetryRateHigh', callee)).toBe(`${retries} > ${RETRY_RATIO}`);
      expect(ruleFor('DependencyOutlierEjections', callee)).toBe(`${ejections} > 0`);
    }
  });

  it('take the expressions from dependencySignals, the module the rules take them from', () => {
    const panels = serviceDashboard(model, ['nlp-service', 'audit-service']).panels.slice(6);
    const signals = ['nlp-service', 'audit-service'].map((callee) => dependencySignals('web', callee, api.name));
    expect(panels.map((p) => p.targets.map((t) => t.expr))).toEqual(
      signals.flatMap((s) => [[s.overflowRate], [s.timeoutRatio], [s.retryRatio], [s.ejectionsActive]]),
    );
    expect(panels.map((p) => p.fieldConfig.defaults.unit)).toEqual([
      'reqps',
      'percentunit',
      'percentunit',
      'short',
      'reqps',
      'percentunit',
      'percentunit',
      'short',
    ]);
  });

  it('lay two dependencies out without overlap, after the service panels', () => {
    const d = serviceDashboard(model, ['nlp-service', 'audit-service']);
    const cells = d.panels.map((p) => `${p.gridPos.x},${p.gridPos.y}`);
    expect(new Set(cells).size).toBe(cells.length);
    expect(d.panels.map((p) => p.id)).toEqual(d.panels.map((_, i) => i + 1));
  });

  it('are left out where no mesh reports the series', () => {
    const meshless = objectsOfApp(buildPlatform({ ...prod, mesh: 'none' }).app) as Json[];
    const dashboards = meshless.filter((o) => o.metadata.labels?.grafana_dashboard === '1');
    expect(dashboards.flatMap((m) => JSON.parse(Object.values(m.data)[0] as string).panels.map((p: Json) => p.title))).not.toContainEqual(
      expect.stringMatching(/ -> |all callers/),
    );
  });
});
