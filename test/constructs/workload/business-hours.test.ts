import fc from 'fast-check';
import { Problems } from '../../../constructs/core/errors';
import { isTimeZone } from '../../../constructs/core/grammars';
import { businessHoursCron, checkBusinessHours } from '../../../constructs/workload/business-hours';

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

describe('business hours', () => {
  it('turns HH:MM into cron minute and hour fields for any time of day', () => {
    fc.assert(
      fc.property(hhmm, hhmm, (start, end) => {
        const cron = businessHoursCron({ timeZone: 'UTC', start, end, minReplicas: 1, days: '1-5' });
        const [sm, sh] = cron.start.split(' ').map(Number);
        const [em, eh] = cron.end.split(' ').map(Number);
        expect(`${String(sh).padStart(2, '0')}:${String(sm).padStart(2, '0')}`).toBe(start);
        expect(`${String(eh).padStart(2, '0')}:${String(em).padStart(2, '0')}`).toBe(end);
        expect(cron.start.endsWith(' * * 1-5')).toBe(true);
      }),
    );
  });

  it('knows IANA time zones', () => {
    expect(isTimeZone('Europe/Dublin')).toBe(true);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('Europe/Atlantis')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('accepts a floor within the bounds and weekday lists', () => {
    const p = new Problems('t');
    checkBusinessHours(p, 'bh', { timeZone: 'Asia/Tokyo', start: '09:00', end: '17:30', days: '1-5,6', minReplicas: 4 }, 2, 10);
    expect(p.count).toBe(0);
  });

  it('rejects bad days and times', () => {
    const p = new Problems('t');
    checkBusinessHours(p, 'bh', { timeZone: 'UTC', start: '8:00', end: '25:00', days: 'Mon-Fri', minReplicas: 1 }, 2, 10);
    expect(() => p.throwIfAny()).toThrow(
      /'bh.start' \("8:00"\)[\s\S]*'bh.end' \("25:00"\)[\s\S]*'bh.days' \("Mon-Fri"\)[\s\S]*'bh.minReplicas' \(1\)/,
    );
  });
});
