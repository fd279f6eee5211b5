import { App, Chart } from 'cdk8s';
import { RUNBOOK_BASE, RUNBOOK_BASE_CONTEXT, RuleGroup, RuleGroups, runbook } from '../../../constructs/observability/rule-groups';
import { schemaValidator } from '../../support/k8s-schema';
import { freshChart, objectsOf } from '../../support/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const GROUPS: readonly RuleGroup[] = [
  {
    name: 'api',
    interval: '30s',
    rules: [
      { record: 'api:requests:rate5m', expr: 'sum(rate(http_requests_total[5m]))', labels: { team: 'web' } },
      {
        alert: 'ApiDown',
        expr: 'up{job="api"} == 0',
        for: '5m',
        labels: { severity: 'page' },
        annotations: { summary: 'API down', runbook_url: runbook('api-down') },
      },
      { alert: 'Elsewhere', expr: 'vector(1)', annotations: { runbook_url: 'https://wiki.example.com/elsewhere' } },
    ],
  },
  { name: 'plain', rules: [{ record: 'x', expr: 'vector(0)' }] },
];

const props = { name: 'api-rules', namespace: 'monitoring', groups: GROUPS, labels: { release: 'prometheus' } };

function synth(chart: Chart): Json {
  new RuleGroups(chart, 'rules', props);
  const objects = objectsOf(chart);
  expect(objects).toHaveLength(1);
  return objects[0];
}

describe('runbook', () => {
  it('puts every runbook under the one base', () => {
    expect(runbook('api-down')).toBe(`${RUNBOOK_BASE}/api-down`);
  });
});

describe('RuleGroups', () => {
  it('writes one schema-valid PrometheusRule with the name, namespace and selector labels given', () => {
    const rule = synth(freshChart());
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.metadata).toMatchObject({ name: 'api-rules', namespace: 'monitoring', labels: { release: 'prometheus' } });
    expect(schemaValidator().validate(rule)).toEqual([]);
  });

  it("keeps each group and rule in Prometheus' own shape, leaving out what was not given", () => {
    const rule = synth(freshChart());
    // The input is in Prometheus' shape already: it goes through as is, fields not given left out (the 'plain'
    // group has no interval: Prometheus' global evaluation interval applies), runbook links at the default base.
    expect(rule.spec.groups).toEqual(JSON.parse(JSON.stringify(GROUPS)));
    expect(rule.spec.groups[1]).toEqual({ name: 'plain', rules: [{ record: 'x', expr: 'vector(0)' }] });
  });

  it('has no labels on the PrometheusRule by default', () => {
    const chart = freshChart();
    new RuleGroups(chart, 'rules', { name: 'r', namespace: 'm', groups: GROUPS });
    expect(objectsOf(chart)[0].metadata.labels ?? {}).toEqual({});
  });

  it('moves runbook links under the site set in the app context, and leaves links elsewhere as they are', () => {
    const app = new App();
    app.node.setContext(RUNBOOK_BASE_CONTEXT, 'https://runbooks.airgap.internal');
    const chart = new Chart(app, 'airgap');
    const construct = new RuleGroups(chart, 'rules', props);
    const annotations = (objectsOf(chart)[0] as Json).spec.groups[0].rules.map(
      (r: { annotations?: Record<string, string> }) => r.annotations?.runbook_url,
    );
    expect(annotations).toEqual([undefined, 'https://runbooks.airgap.internal/api-down', 'https://wiki.example.com/elsewhere']);
    // The resolved groups are public, for other writers (dashboards, docs) to read the same links.
    expect(construct.groups[0].rules[1].annotations?.runbook_url).toBe('https://runbooks.airgap.internal/api-down');
    // The input is not changed in place.
    expect(GROUPS[0].rules[1].annotations?.runbook_url).toBe(`${RUNBOOK_BASE}/api-down`);
  });

  it('copies labels and annotations, so changing the input afterwards changes nothing synthesized', () => {
    const labels: Record<string, string> = { severity: 'page' };
    const chart = freshChart();
    new RuleGroups(chart, 'rules', {
      name: 'r',
      namespace: 'm',
      groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'vector(1)', labels }] }],
    });
    labels.severity = 'ticket';
    expect((objectsOf(chart)[0] as Json).spec.groups[0].rules[0].labels).toEqual({ severity: 'page' });
  });
});
