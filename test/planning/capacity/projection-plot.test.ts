import * as fc from 'fast-check';
import { projectionSvg, PlotOptions } from '../../../planning/capacity/projection-plot';
import { DAY_MS, WEEK_MS } from '../../../planning/shared/history';
import { Band } from '../../../planning/capacity/monthly-projection';

const W = 900;
const H = 420;
const LEFT = 70;
const RIGHT = W - 20;
const TOP = 40;
const BOTTOM = H - 50;

const START = Date.UTC(2026, 0, 5);

/** A model growing by `monthly` a month from `base`, bands a share around it: what the plot draws from. */
function model(base: number, monthly: number, spread80 = 0.1, spread95 = 0.2): PlotOptions['model'] {
  const band = (t: number): Band => {
    const median = base * monthly ** ((t - START) / (30 * DAY_MS));
    return {
      median,
      lo80: median * (1 - spread80),
      hi80: median * (1 + spread80),
      lo95: median * (1 - spread95),
      hi95: median * (1 + spread95),
    };
  };
  return { at: band };
}

const weekly = (peaks: readonly number[]) => peaks.map((peak, i) => ({ t: START + i * WEEK_MS, peak }));

function plot(o: Partial<PlotOptions> = {}): string {
  return projectionSvg({
    title: 'api-gateway',
    history: weekly([100, 120, 110, 130, 125, 140, 150, 145]),
    model: model(100, 1.05),
    until: START + 26 * WEEK_MS,
    ...o,
  });
}

const numbers = (s: string) => s.split(/[ ,]/).map(Number);
const circles = (svg: string) =>
  [...svg.matchAll(/<circle cx="([\d.-]+)" cy="([\d.-]+)"/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
const polygon = (svg: string, title: string) => numbers(new RegExp(`<polygon points="([^"]+)"[^>]*><title>${title}</title>`).exec(svg)![1]);
const median = (svg: string) => numbers(/<polyline points="([^"]+)"/.exec(svg)![1]);

describe('projectionSvg', () => {
  it('is a self-contained SVG: no script, no external reference, white background', () => {
    const svg = plot();
    expect(svg.startsWith(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"`)).toBe(true);
    expect(svg.endsWith('</svg>\n')).toBe(true);
    expect(svg).not.toMatch(/<script|href=|@import|url\(/);
  });

  it('escapes the title and the mark labels', () => {
    const svg = plot({ title: 'a <b> & "c"', marks: [{ label: 'max <20> & up', value: 150 }] });
    expect(svg).toContain('>a &lt;b&gt; &amp; &quot;c&quot;</text>');
    expect(svg).toContain('>max &lt;20&gt; &amp; up</text>');
    expect(svg).not.toContain('<b>');
  });

  it('draws one dot per history peak, the first at the left edge, later ones further right, higher peaks higher', () => {
    const dots = circles(plot());
    expect(dots).toHaveLength(8);
    expect(dots[0].x).toBe(LEFT);
    for (let i = 1; i < dots.length; i++) expect(dots[i].x).toBeGreaterThan(dots[i - 1].x);
    // Peaks 100 and 150: the larger sits higher (smaller y).
    expect(dots[6].y).toBeLessThan(dots[0].y);
  });

  it('draws the projected median from the last history peak to the right edge at `until`', () => {
    const svg = plot();
    const line = median(svg);
    expect(line[0]).toBe(circles(svg)[7].x);
    expect(line[line.length - 2]).toBe(RIGHT);
  });

  it('draws the 95% band around the 80% band around the median', () => {
    const svg = plot();
    const outer = polygon(svg, '95% interval');
    const inner = polygon(svg, '80% interval');
    const line = median(svg);
    const n = line.length / 2;
    const nested: number[] = [];
    // The polygons go out along the upper edge and back along the lower one.
    for (let i = 0; i < n; i++) {
      const y = line[2 * i + 1];
      const hi80 = inner[2 * i + 1];
      const hi95 = outer[2 * i + 1];
      const lo80 = inner[2 * (2 * n - 1 - i) + 1];
      const lo95 = outer[2 * (2 * n - 1 - i) + 1];
      // Smaller y is higher up.
      if (!(hi95 <= hi80 && hi80 <= y && y <= lo80 && lo80 <= lo95)) nested.push(i);
    }
    expect(nested).toEqual([]);
  });

  it('raises the scale to show a mark above every peak and band, as a dashed red line', () => {
    const svg = plot({ marks: [{ label: 'max replicas', value: 10_000 }] });
    const mark = /<line x1="70" x2="880" y1="([\d.]+)" y2="[\d.]+" stroke="#d62728" stroke-dasharray="4 3"\/>/.exec(svg);
    expect(mark).not.toBeNull();
    // top = 1.05 * 10000: the mark sits just under the plot's top edge.
    expect(Number(mark![1])).toBeCloseTo(BOTTOM - (BOTTOM - TOP) / 1.05, 0);
  });

  it('labels the time axis with dates a month apart from the first peak, and the value axis from 0', () => {
    const svg = plot();
    const dates = [...svg.matchAll(/text-anchor="middle">(\d{4}-\d{2}-\d{2})</g)].map((m) => m[1]);
    expect(dates[0]).toBe('2026-01-05');
    expect(dates[1]).toBe('2026-02-04');
    expect(dates).toHaveLength(6);
    expect(svg).toContain(`y="${BOTTOM + 4}.0" text-anchor="end">0</text>`);
  });

  it('keeps every dot and every line point inside the plot area, whatever the data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        fc.integer({ min: 1, max: 104 }),
        (peaks, base, monthly, weeksAhead) => {
          const history = weekly(peaks);
          const svg = projectionSvg({
            title: 't',
            history,
            model: model(base, monthly),
            until: history[history.length - 1].t + weeksAhead * WEEK_MS,
          });
          const points = [...circles(svg).flatMap((c) => [c.x, c.y]), ...median(svg)];
          const outside: number[][] = [];
          for (let i = 0; i < points.length; i += 2) {
            const [x, y] = [points[i], points[i + 1]];
            if (!(x >= LEFT && x <= RIGHT && y >= TOP && y <= BOTTOM)) outside.push([x, y]);
          }
          expect(outside).toEqual([]);
        },
      ),
      { numRuns: 50 },
    );
  });
});
