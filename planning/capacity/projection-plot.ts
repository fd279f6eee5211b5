/**
 * An SVG of a peak-load projection: the history's peaks as dots, the projected median as a line, the 80% and 95%
 * bands as shaded areas, on a time axis with month ticks. Self-contained (no fonts or scripts), so it opens
 * anywhere, offline included.
 */
import { DAY_MS } from '../shared/history';
import { Band, Peak } from './monthly-projection';

export interface PlotOptions {
  readonly title: string;
  readonly history: readonly Peak[];
  /** The projected band at a time. */
  readonly model: { readonly at: (t: number) => Band };
  /** End of the projection, epoch ms. */
  readonly until: number;
  /** Horizontal lines, e.g. the load at which a service reaches its max replicas. */
  readonly marks?: readonly { readonly label: string; readonly value: number }[];
}

const W = 900;
const H = 420;
const PAD = { left: 70, right: 20, top: 40, bottom: 50 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function projectionSvg(o: PlotOptions): string {
  const from = o.history[0].t;
  const last = o.history[o.history.length - 1].t;
  const steps = 80;
  const proj = Array.from({ length: steps + 1 }, (_, i) => {
    const t = last + ((o.until - last) * i) / steps;
    return { t, ...o.model.at(t) };
  });
  const top = Math.max(...o.history.map((p) => p.peak), ...proj.map((p) => p.hi95), ...(o.marks ?? []).map((m) => m.value)) * 1.05;
  const x = (t: number) => PAD.left + ((t - from) / (o.until - from)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (Math.min(v, top) / top) * (H - PAD.top - PAD.bottom);
  const pts = (xs: readonly { t: number; v: number }[]) => xs.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const band = (lo: 'lo80' | 'lo95', hi: 'hi80' | 'hi95') =>
    pts([...proj.map((p) => ({ t: p.t, v: p[hi] })), ...[...proj].reverse().map((p) => ({ t: p.t, v: p[lo] }))]);
  const yTicks = Array.from({ length: 6 }, (_, i) => (top / 5) * i);
  const months: number[] = [];
  for (let t = from; t <= o.until; t += 30.44 * DAY_MS) months.push(t);
  const date = (t: number) => new Date(t).toISOString().slice(0, 10);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${PAD.left}" y="22" font-size="14">${esc(o.title)}</text>`,
    ...yTicks.map(
      (v) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>` +
        `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v)}</text>`,
    ),
    ...months.map((t) => `<text x="${x(t).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${date(t)}</text>`),
    `<text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">peak requests per minute</text>`,
    `<polygon points="${band('lo95', 'hi95')}" fill="#1f77b4" fill-opacity="0.15"><title>95% interval</title></polygon>`,
    `<polygon points="${band('lo80', 'hi80')}" fill="#1f77b4" fill-opacity="0.3"><title>80% interval</title></polygon>`,
    `<polyline points="${pts(proj.map((p) => ({ t: p.t, v: p.median })))}" fill="none" stroke="#1f77b4" stroke-width="2"><title>projected median</title></polyline>`,
    ...o.history.map(
      (p) =>
        `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.peak).toFixed(1)}" r="2.5" fill="#333"><title>${date(p.t)}: ${Math.round(p.peak)}</title></circle>`,
    ),
    ...(o.marks ?? []).map(
      (m) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(m.value).toFixed(1)}" y2="${y(m.value).toFixed(1)}" stroke="#d62728" stroke-dasharray="4 3"/>` +
        `<text x="${W - PAD.right - 4}" y="${(y(m.value) - 4).toFixed(1)}" text-anchor="end" fill="#d62728">${esc(m.label)}</text>`,
    ),
    `<text x="${W - PAD.right}" y="${H - 12}" text-anchor="end">dots: history peaks; line: projected median; shading: 80% and 95% intervals</text>`,
    '</svg>',
    '',
  ].join('\n');
}
