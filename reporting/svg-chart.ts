/**
 * Small inline SVG charts for the report: time series (lines or steps, with an objective line) and bars. Plain SVG
 * with no fonts, scripts or links, so the page opens offline. Each chart carries `data-points` (how many values it
 * drew), which the browser test reads to prove that every chart has data.
 */

export interface Line {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
  readonly color: string;
  /** Draw as steps (replica counts change at an instant). @default false */
  readonly step?: boolean;
}

export interface TimeChartOptions {
  readonly title: string;
  readonly unit: string;
  readonly lines: readonly Line[];
  /** A horizontal objective, e.g. the latency threshold. @default - none */
  readonly objective?: { readonly label: string; readonly value: number };
  /** Lower end of the y axis. @default 0 */
  readonly yMin?: number;
}

const W = 880;
const H = 260;
const PAD = { left: 64, right: 16, top: 30, bottom: 38 };

export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round-ish label: 1234 -> 1234, 0.1234 -> 0.123, 12.345 -> 12.3. */
export const fmt = (n: number) => (Math.abs(n) >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(3))));

function frame(title: string, points: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" data-points="${points}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${PAD.left}" y="18" font-size="13" font-weight="bold">${escapeHtml(title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

export function timeChart(o: TimeChartOptions): string {
  const all = o.lines.flatMap((l) => l.points);
  const ts = all.map((p) => p[0]);
  const t0 = Math.min(...ts);
  const t1 = Math.max(...ts, t0 + 1);
  const yMin = o.yMin ?? 0;
  const top = Math.max(...all.map((p) => p[1]), o.objective?.value ?? -Infinity, yMin + 1e-9) * 1.08;
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - ((v - yMin) / (top - yMin)) * (H - PAD.top - PAD.bottom);
  const path = (l: Line) => {
    const pts: string[] = [];
    l.points.forEach(([t, v], i) => {
      if (l.step && i > 0) pts.push(`${x(t).toFixed(1)},${y(l.points[i - 1][1]).toFixed(1)}`);
      pts.push(`${x(t).toFixed(1)},${y(v).toFixed(1)}`);
    });
    return `<polyline points="${pts.join(' ')}" fill="none" stroke="${l.color}" stroke-width="1.5"><title>${escapeHtml(l.label)}</title></polyline>`;
  };
  const days: number[] = [];
  for (let d = Math.ceil(t0 / 86_400_000) * 86_400_000; d <= t1; d += 86_400_000) days.push(d);
  const stride = Math.max(1, Math.ceil(days.length / 10));
  const body = [
    ...Array.from({ length: 5 }, (_, i) => yMin + ((top - yMin) / 4) * i).map(
      (v) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>` +
        `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`,
    ),
    ...days
      .filter((_, i) => i % stride === 0)
      .map(
        (d) =>
          `<text x="${x(d).toFixed(1)}" y="${H - PAD.bottom + 15}" text-anchor="middle">${new Date(d).toISOString().slice(5, 10)}</text>`,
      ),
    `<text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">${escapeHtml(o.unit)}</text>`,
    ...o.lines.map(path),
    ...(o.objective
      ? [
          `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(o.objective.value).toFixed(1)}" y2="${y(o.objective.value).toFixed(1)}" stroke="#d62728" stroke-dasharray="5 3"/>`,
          `<text x="${W - PAD.right - 4}" y="${(y(o.objective.value) - 4).toFixed(1)}" text-anchor="end" fill="#d62728">${escapeHtml(o.objective.label)}</text>`,
        ]
      : []),
    ...o.lines.map(
      (l, i) =>
        `<rect x="${PAD.left + i * 200}" y="${H - 14}" width="10" height="10" fill="${l.color}"/><text x="${PAD.left + i * 200 + 14}" y="${H - 5}">${escapeHtml(l.label)}</text>`,
    ),
  ];
  return frame(o.title, all.length, body);
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
}

/** Horizontal bars with their values, e.g. monthly cost by option. */
export function barChart(title: string, unit: string, bars: readonly Bar[]): string {
  const top = Math.max(...bars.map((b) => b.value), 1e-9);
  const rowH = 28;
  const left = 230;
  const h = PAD.top + bars.length * rowH + 10;
  const body = bars.map((b, i) => {
    const y = PAD.top + i * rowH;
    const w = (b.value / top) * (W - left - 120);
    return (
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escapeHtml(b.label)}</text>` +
      `<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${b.color}"><title>${escapeHtml(b.label)}: ${fmt(b.value)} ${escapeHtml(unit)}</title></rect>` +
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + 17}">${fmt(b.value)} ${escapeHtml(unit)}</text>`
    );
  });
  return frame(title, bars.length, body)
    .replace(`height="${H}" viewBox="0 0 ${W} ${H}"`, `height="${h}" viewBox="0 0 ${W} ${h}"`)
    .replace(`<rect width="${W}" height="${H}"`, `<rect width="${W}" height="${h}"`);
}
