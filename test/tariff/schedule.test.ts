import { describe, expect, it } from 'vitest';
import { epochDay, monthOfDay, weekday } from '../../src/calendar/index.js';
import { holidayRows, touPeriodAt, touScheduleRows } from '../../src/tariff/index.js';
import { sample, samplePolicy } from './helpers.js';

describe('TOU schedule (COM-TOU)', () => {
  const comTou = sample('COM-TOU');
  const at = (date: string, hour: number) => touPeriodAt(comTou, epochDay(date), hour);

  it('classifies weekday hours by month', () => {
    // Wednesday 2 July 2025: critical peak 11–12 and 15–17 in summer
    expect([3, 8, 10, 11, 14, 15, 16, 17, 19, 23].map((h) => at('2025-07-02', h)))
      .toEqual(['valley', 'flat', 'peak', 'sharp', 'peak', 'sharp', 'sharp', 'peak', 'flat', 'flat']);
    // Wednesday 8 January 2025: no critical peak outside summer
    expect([11, 15].map((h) => at('2025-01-08', h))).toEqual(['peak', 'peak']);
  });

  it('treats weekends and listed holidays as weekend days', () => {
    // Saturday 5 July 2025, and Wednesday 1 October 2025 (National Day)
    expect([3, 11].map((h) => at('2025-07-05', h))).toEqual(['valley', 'flat']);
    expect([3, 11].map((h) => at('2025-10-01', h))).toEqual(['valley', 'flat']);
    expect(at('2025-10-08', 11)).toBe('peak');
  });

  it('materialises rows that agree with touPeriodAt', () => {
    const policy = samplePolicy('COM-TOU');
    const rows = touScheduleRows(policy);
    expect(rows).toHaveLength(12 * 2 * 24);
    expect(rows[0]).toEqual({
      tariff_id: 'COM-TOU', version: '2019-01', effective_from: '2019-01-01', effective_to: null,
      month: 1, day_type: 'weekday', hour: 0, period: 'valley',
    });
    const holidays = new Set(holidayRows(policy).map((r) => r.date));
    expect(holidays.size).toBe(33);
    expect(holidayRows(policy)[0]).toEqual({ tariff_id: 'COM-TOU', version: '2019-01', date: '2024-01-01' });
    // Every day of 2025 × every hour: the row for (month, day type, hour) names touPeriodAt's period.
    const byKey = new Map(rows.map((r) => [`${r.month}|${r.day_type}|${r.hour}`, r.period]));
    for (let day = epochDay('2025-01-01'); day < epochDay('2026-01-01'); day++) {
      const weekend = holidays.has(new Date(day * 86_400_000).toISOString().slice(0, 10)) || weekday(day) === 0 || weekday(day) === 6;
      for (let hour = 0; hour < 24; hour++) {
        expect(touPeriodAt(comTou, day, hour)).toBe(byKey.get(`${monthOfDay(day)}|${weekend ? 'weekend' : 'weekday'}|${hour}`));
      }
    }
  });

  it('fails clearly without a schedule or a version in force', () => {
    expect(() => touPeriodAt(sample('GD-RES'), epochDay('2025-07-02'), 11)).toThrow(expect.objectContaining({ code: 'no_tou_schedule' }));
    expect(() => at('2018-12-31', 11)).toThrow(expect.objectContaining({ code: 'no_version_in_force' }));
    expect(touScheduleRows(samplePolicy('GD-RES'))).toEqual([]);
  });
});
