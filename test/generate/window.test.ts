import { describe, expect, it } from 'vitest';
import { isoDate, periodOfDay } from '../../src/calendar/index.js';
import { firstDayOfRead, makeWindow, periodOfRead, readDay } from '../../src/generate/window.js';

describe('read days', () => {
  const window = makeWindow('2023-01', 60);

  it('fall in their own month on days 1–28, 28–33 days apart, for every cycle day', () => {
    const gaps = new Set<number>();
    for (let account = 0; account < 400; account++) {
      const cycleDay = 1 + (account % 28);
      let previous = readDay(3, window, account, cycleDay, 0);
      for (let m = 1; m <= window.months; m++) {
        const day = readDay(3, window, account, cycleDay, m);
        expect(periodOfDay(day)).toBe(periodOfRead(window, m));
        expect(day - firstDayOfRead(window, m)).toBeLessThan(28);
        expect(Math.abs(day - firstDayOfRead(window, m) + 1 - cycleDay)).toBeLessThanOrEqual(1);
        gaps.add(day - previous);
        previous = day;
      }
    }
    expect([...gaps].sort()).toEqual([28, 29, 30, 31, 32, 33]);
  });

  it('open the window in the month before start', () => {
    expect(periodOfRead(window, 0)).toBe('2022-12');
    expect(periodOfRead(window, 1)).toBe('2023-01');
    expect(isoDate(firstDayOfRead(window, 0))).toBe('2022-12-01');
    expect(readDay(3, window, 7, 15, 4)).toBe(readDay(3, window, 7, 15, 4));
  });
});
