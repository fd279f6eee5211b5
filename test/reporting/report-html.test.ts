import { costPanel, renderReport, servicePanels, ServiceData } from '../../reporting/report-html';
import { barChart, timeChart } from '../../reporting/svg-chart';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const grid = (f: (i: number) => number, n = 100): [number, number][] => Array.from({ length: n }, (_, i) => [T0 + i * 900_000, f(i)]);

const service: ServiceData = {
  service: 'api-gateway',
  objectives: { availability: 0.999, latencyQuantile: 0.95, latencyThresholdS: 0.2 },
  requests: grid((i) => 100 + 50 * Math.sin(i / 10)),
  latency: grid((i) => 0.12 + 0.01 * (i % 7)),
  errorRatio: grid(() => 0.0002),
  replicas: grid((i) => 2 + (i % 5)),
  decisions: [{ t: T0, service: 'api-gateway', from: 2, to: 4, cause: 'metric', metric: 'rps', value: 20, target: 10, proposed: 4 }],
};

describe('the performance report page', () => {
  const html = renderReport({
    title: 'prod performance report',
    from: T0,
    to: T0 + 7 * 86_400_000,
    services: [service],
    cost: costPanel('prod', { min: { withSpot: 1000, allOnDemand: 1500 }, max: { withSpot: 4000, allOnDemand: 6000 } }),
    outlook: {
      title: 'Capacity outlook',
      sentence: 'Not enough history for a projection yet: 3 daily peak(s); a projection needs at least 10.',
    },
  });

  it('is one self-contained page: no script, stylesheet, image, font or frame from anywhere', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|href=|url\(|@import/i);
  });

  it('has five charts per service, each with its finding, and the cost in dollars a month', () => {
    expect(servicePanels(service).map((p) => p.title)).toEqual([
      'Error budget',
      'p95 latency',
      'Traffic',
      'Scaling activity',
      'Incidents and remediations',
    ]);
    expect(html.match(/<figure><svg/g)).toHaveLength(6);
    expect(html).toContain('api-gateway met its 99.9% availability objective');
    expect(html).toContain(
      'prod costs about $1,000 a month at its minimum replicas and up to $4,000 at its maximum, 33% less than all on-demand.',
    );
    expect(html).toContain('<summary>Last 1 of 1 scaling decisions');
  });

  it('escapes what it prints', () => {
    const odd = renderReport({
      title: '<b>x</b>',
      from: T0,
      to: T0 + 1,
      services: [],
      cost: { title: 'c', sentence: 'a & b' },
      outlook: { title: 'o', sentence: '"q"' },
    });
    expect(odd).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(odd).toContain('a &amp; b');
  });
});

describe('svg charts', () => {
  it('counts the points a time chart draws, and draws steps for replica counts', () => {
    const svg = timeChart({
      title: 'r',
      unit: 'replicas',
      lines: [
        {
          label: 'replicas',
          points: [
            [0, 2],
            [1000, 4],
            [2000, 3],
          ],
          color: '#000',
          step: true,
        },
      ],
    });
    expect(svg).toContain('data-points="3"');
    // Each change is a vertical step: five vertices for three values.
    expect(svg.match(/<polyline points="([^"]+)"/)![1].split(' ')).toHaveLength(5);
  });

  it('draws the objective as a dashed line with its label', () => {
    const svg = timeChart({
      title: 'p95',
      unit: 'ms',
      lines: [
        {
          label: 'p95',
          points: [
            [0, 100],
            [1, 150],
          ],
          color: '#000',
        },
      ],
      objective: { label: 'objective 200 ms', value: 200 },
    });
    expect(svg).toMatch(/stroke-dasharray="5 3"/);
    expect(svg).toContain('objective 200 ms');
  });

  it('sizes bars by value and labels them', () => {
    const svg = barChart('cost', 'USD', [
      { label: 'a', value: 100, color: '#000' },
      { label: 'b', value: 50, color: '#000' },
    ]);
    const widths = [...svg.matchAll(/<rect x="230" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths[0]).toBeCloseTo(widths[1] * 2, 5);
    expect(svg).toContain('data-points="2"');
  });
});
