/**
 * The performance report opened in a real headless Chromium (Debian's `chromium`), driven by playwright-core: the
 * page loads offline with no console error, every chart has data, and a screenshot goes to reports/ for a person
 * to look at.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium } from 'playwright-core';
import { reportPath } from '../../../cli/output';
import { describeWithPrograms } from './programs';

/** Flags for a browser that reaches nothing: no network services, no updates, no first-run work. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT = reportPath('performance-report.png');

/** Adds the browser suite; `html()` names the report file, written by an earlier test of the same file. */
export function describeReportInBrowser(html: () => string): void {
  describeWithPrograms('the performance report in headless Chromium', ['chromium'], (bin) => {
    it('loads with no console error, every chart has data, and a screenshot is written under reports/', async () => {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-chromium-'));
      // A fresh profile (playwright passes it as --user-data-dir).
      const browser = await chromium.launchPersistentContext(profile, {
        executablePath: bin.chromium,
        args: CHROMIUM_FLAGS,
        viewport: { width: 960, height: 800 },
      });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        page.on('request', (r) => {
          if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
        });
        await page.goto(`file://${html()}`, { waitUntil: 'load' });
        const charts = await page.$$eval('figure svg', (svgs) =>
          svgs.map((s) => ({
            label: s.getAttribute('aria-label') ?? s.querySelector('text')?.textContent ?? '',
            points: Number(s.getAttribute('data-points') ?? s.querySelectorAll('circle').length),
            drawn: s.querySelectorAll('polyline, rect, polygon, circle').length,
          })),
        );
        const captions = await page.$$eval('figcaption', (cs) => cs.map((c) => c.textContent ?? ''));
        fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        expect(problems).toEqual([]);
        // Four services with five charts each, the nodes, the cost and the capacity outlook.
        expect(charts.length).toBe(23);
        for (const c of charts) expect({ chart: c.label, hasData: c.points > 1 && c.drawn > 1 }).toEqual({ chart: c.label, hasData: true });
        for (const c of captions) expect(c).toMatch(/^[A-Za-z0-9].{30,}\.$/s);
        expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(50_000);
      } finally {
        await browser.close();
        fs.rmSync(profile, { recursive: true, force: true });
      }
    }, 120000);
  });
}
