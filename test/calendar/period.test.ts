// The billing period parsed once: every form the stages use, worked out by hand.
import { describe, expect, it } from 'vitest';
import { epochDay, parseBillingPeriod, requireBillingPeriod, shiftPeriod } from '../../src/calendar/index.js';
import { EXIT, FatalError } from '../../src/diagnostics/index.js';

describe('billing period', () => {
  it('carries its key, month index, day bounds, year start and the 12 periods before it', () => {
    const february = parseBillingPeriod('2026-02')!;
    expect(february).toEqual({
      text: '2026-02', key: 202602, index: 2026 * 12 + 1,
      firstDay: epochDay('2026-02-01'), nextFirstDay: epochDay('2026-03-01'),
      readWindow: { first: '2026-02-01', next: '2026-03-01' },
      yearStartKey: 202601,
      historyKeys: [202601, 202512, 202511, 202510, 202509, 202508, 202507, 202506, 202505, 202504, 202503, 202502],
    });
    // 2026-02-01 is 20,485 days after 1970-01-01 (56 years with 14 leap days: 56 × 365 + 14 = 20,454, + 31 for January).
    expect(february.firstDay).toBe(20_485);
    expect(february.nextFirstDay - february.firstDay).toBe(28);
  });

  it('crosses year ends both ways', () => {
    const december = parseBillingPeriod('2025-12')!;
    expect([december.readWindow.next, december.yearStartKey]).toEqual(['2026-01-01', 202501]);
    expect(shiftPeriod(december, 1).key).toBe(202601);
    expect(shiftPeriod(december, -12).text).toBe('2024-12');
    expect(parseBillingPeriod('2024-01')!.historyKeys[0]).toBe(202312);
  });

  it('is parsed at the edge: anything but YYYY-MM is a usage error naming the option', () => {
    for (const text of ['2026-13', '2026-2', '202602', '2026-02-01', '']) expect(parseBillingPeriod(text), text).toBeNull();
    // Years the calendar cannot carry (a history before year 1, a next month in year 10000) are refused too.
    for (const text of ['0000-01', '0099-06', '1899-12', '9999-01', '9999-12']) expect(parseBillingPeriod(text), text).toBeNull();
    expect(parseBillingPeriod('1900-01')!.historyKeys[11]).toBe(189901);
    expect(parseBillingPeriod('9998-12')!.readWindow).toEqual({ first: '9998-12-01', next: '9999-01-01' });
    expect(() => requireBillingPeriod('2026-13')).toThrow(new FatalError("--period must be YYYY-MM, not '2026-13'"));
    const refused = (() => {
      try {
        requireBillingPeriod(undefined, '--from');
      } catch (error) {
        return error as FatalError;
      }
      return null;
    })();
    expect([refused?.message, refused?.exitCode]).toEqual(["--from must be YYYY-MM, not ''", EXIT.usage]);
  });
});
