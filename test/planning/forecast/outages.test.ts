import { excludeOutages } from '../../../planning/forecast/outages';
import { History, MINUTE_MS, parseHistory } from '../../../planning/shared/history';

const START = Date.UTC(2026, 0, 5);

/** Three days per minute: 100 req/min by day, 10 by night. */
function days(): History {
  const perMinute = Float64Array.from({ length: 3 * 1440 }, (_, i) => ((i % 1440) / 60 >= 8 && (i % 1440) / 60 < 20 ? 100 : 10));
  return { start: START, stepMs: MINUTE_MS, perMinute };
}

describe('excludeOutages', () => {
  it('turns a run of near-zero load into a gap, bridging a stray request, and names the interval', () => {
    const h = days();
    for (let i = 1440 + 600; i < 1440 + 700; i++) h.perMinute[i] = i === 1440 + 650 ? 40 : 0;
    const { history, excluded } = excludeOutages(h);
    expect(excluded).toEqual([{ from: START + (1440 + 600) * MINUTE_MS, to: START + (1440 + 700) * MINUTE_MS, reason: 'near-zero load' }]);
    expect(history.perMinute.slice(1440 + 600, 1440 + 700).every(Number.isNaN)).toBe(true);
    expect(history.perMinute[1440 + 599]).toBe(100);
    // The input is left as it was.
    expect(h.perMinute[1440 + 600]).toBe(0);
  });

  it('keeps quiet minutes shorter than half an hour, and quiet nights that are the norm', () => {
    const h = days();
    for (let i = 600; i < 620; i++) h.perMinute[i] = 0;
    expect(excludeOutages(h).excluded).toEqual([]);
  });

  it('excludes what an outage column marks, whatever the load then', () => {
    const h = parseHistory(
      'minute_start,requests,outage\n2026-01-05T00:00Z,50,0\n2026-01-05T00:01Z,3,1\n2026-01-05T00:02Z,60,1\n2026-01-05T00:03Z,55,0\n',
      'o.csv',
    );
    expect([...h.outage!]).toEqual([0, 1, 1, 0]);
    const { history, excluded } = excludeOutages(h);
    expect(excluded).toEqual([{ from: START + MINUTE_MS, to: START + 3 * MINUTE_MS, reason: 'marked outage' }]);
    expect([...history.perMinute]).toEqual([50, NaN, NaN, 55]);
  });
});
