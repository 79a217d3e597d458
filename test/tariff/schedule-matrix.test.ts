// 12×24 schedules (the public rate databases' month × hour matrices) beside hour-range rules, a
// separate schedule for demand, and seasons that need not price periods they never schedule.
import { describe, expect, it } from 'vitest';
import { epochDay } from '../../src/calendar/index.js';
import {
  compileTariff, demandScheduleRows, parsePolicy, priceBill, touPeriodAt, touScheduleRows, validatePolicy,
} from '../../src/tariff/index.js';
import { monthInput, policyFromYaml, tou } from './helpers.js';

// Weekdays: 0–7 valley (1), 8–16 flat (2), 17–20 peak (3), 21–23 flat; weekends valley all day.
const weekdayRow = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 2, 2, 2];
const rows = (row: number[]) => Array.from({ length: 12 }, () => `        - [${row.join(', ')}]`).join('\n');
// Demand: peak 17–20 on weekdays, flat otherwise.
const demandRow = weekdayRow.map((id) => (id === 3 ? 3 : 2));

const matrixPolicy = `
id: MTX
name: Matrix schedule
currency: USD
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { tou: { rates: { peak: 0.30, flat: 0.20, valley: 0.10 } } }
    demand: { basis: tou, tou: { peak: { rate: 12 }, flat: { rate: 3 } } }
    tou_schedule:
      periods: { 1: valley, 2: flat, 3: peak }
      weekday:
${rows(weekdayRow)}
      weekend:
${rows(Array(24).fill(1))}
    demand_schedule:
      periods: { 2: flat, 3: peak }
      weekday:
${rows(demandRow)}
      weekend:
${rows(Array(24).fill(2))}
`;

describe('12×24 schedules', () => {
  const policy = policyFromYaml(matrixPolicy);
  const tariff = compileTariff(policy);

  it('classifies energy and demand hours by their own matrices', () => {
    // Wednesday 2 July 2025 and Saturday 5 July 2025
    const day = epochDay('2025-07-02');
    expect([3, 8, 17, 20, 21].map((h) => touPeriodAt(tariff, day, h))).toEqual(['valley', 'flat', 'peak', 'peak', 'flat']);
    expect([3, 8, 17, 21].map((h) => touPeriodAt(tariff, day, h, 'demand'))).toEqual(['flat', 'flat', 'peak', 'flat']);
    expect([3, 18].map((h) => touPeriodAt(tariff, epochDay('2025-07-05'), h))).toEqual(['valley', 'valley']);
    expect(touPeriodAt(tariff, epochDay('2025-07-05'), 18, 'demand')).toBe('flat');
  });

  it('gives the same rows as the equivalent hour-range rules', () => {
    const rules = policyFromYaml(`
id: MTX
name: Matrix schedule
currency: USD
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { tou: { rates: { peak: 0.30, flat: 0.20, valley: 0.10 } } }
    tou_schedule:
      - { months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], days: weekday, periods: { valley: "0-8", flat: "8-17, 21-24", peak: "17-21" } }
      - { months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], days: weekend, periods: { valley: "0-24" } }
`);
    expect(touScheduleRows(policy)).toEqual(touScheduleRows(rules));
    expect(demandScheduleRows(rules)).toEqual([]);
    const demandRows = demandScheduleRows(policy);
    expect(demandRows).toHaveLength(576);
    expect(demandRows.filter((r) => r.period === 'peak')).toHaveLength(12 * 4);
  });

  it('prices energy and demand periods as usual', () => {
    // 100/200/300 kWh peak/flat/valley: 30 + 40 + 30 = 100.00; demand 10 kW peak × 12 + 20 kW flat × 3 = 180.00
    const bill = priceBill(tariff, monthInput('2025-07', 600, {
      touKwhMilli: tou(0, 100, 200, 300), touDemandMilli: { sharp: 0, peak: 10_000, flat: 20_000, valley: 0 },
    }));
    expect(bill.totalMinor).toBe(28_000);
  });

  it('reports ids the matrix uses but does not name, and named periods without a price', () => {
    const raw = policyFromYaml(matrixPolicy) as unknown as { versions: Record<string, unknown>[] };
    const version = raw.versions[0]!;
    const schedule = version.tou_schedule as { periods: Record<string, string>; weekday: number[][] };
    schedule.weekday[2]![5] = 7;
    schedule.periods['4'] = 'sharp';
    expect(validatePolicy(raw).problems.map(({ code, path, message }) => ({ code, path, message }))).toEqual([
      { code: 'unknown_period', path: 'versions[0].tou_schedule.periods["4"]', message: 'sharp has no price in energy.tou.rates' },
      { code: 'schedule_gap', path: 'versions[0].tou_schedule.weekday', message: 'period id 7 (month 3) is not named in periods' },
    ]);
    schedule.weekday[2] = [1, 2];
    expect(validatePolicy(raw).problems.map((p) => [p.code, p.path, p.message])).toContainEqual(
      ['schema', 'versions[0].tou_schedule.weekday[2]', 'must have 24 hours (0–23)']);
  });
});

const seasonalText = (sharp: string) => (`
id: SEA
name: Sharp in summer only
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    seasons:
      - { id: summer, months: [7, 8] }
      - { id: other, months: [1, 2, 3, 4, 5, 6, 9, 10, 11, 12] }
    energy: { tou: { rates: { sharp: ${sharp}, peak: 1.0, flat: 0.6, valley: 0.3 } } }
    tou_schedule:
      - { months: [7, 8], days: all, periods: { valley: "0-8", flat: "8-11, 13-24", sharp: "11-13" } }
      - { months: [1, 2, 3, 4, 5, 6, 9, 10, 11, 12], days: all, periods: { valley: "0-8", flat: "8-11, 13-24", peak: "11-13" } }
`);
const seasonal = (sharp: string) => policyFromYaml(seasonalText(sharp));

describe('seasons and the TOU schedule', () => {
  it('lets a per-season price leave out seasons that never schedule the period', () => {
    expect(validatePolicy(seasonal('{ summer: 1.2 }')).problems).toEqual([]);
    // Peak is scheduled in the other months only, but its single price applies everywhere anyway.
    expect(parsePolicy(seasonalText('{ other: 1.2 }'), 'yaml', 'seasonal.yaml').problems.map((p) => [p.code, p.path, p.message])).toEqual([
      ['missing_season', 'versions[0].energy.tou.rates.sharp', 'no value for season summer'],
    ]);
  });

  it('says which rule applies when interval days reach into another season\'s months', () => {
    // Billing month September (season other) with service from 20 August: the August intervals
    // classify as sharp by their own date, but the season is the billing month's.
    const tariff = compileTariff(seasonal('{ summer: 1.2 }'));
    const input = { ...monthInput('2025-09', 300, { touKwhMilli: tou(12.5, 0, 200, 87.5) }), startDay: epochDay('2025-08-20') };
    expect(() => priceBill(tariff, input)).toThrow(
      'the account has 12.5 kWh of sharp energy, but tariff version v1 has no sharp price in season other (picked by the billing month '
      + '2025-09 for the whole bill); the TOU schedule classifies each interval by its own date, so days in another season\'s months '
      + 'can bring periods this season does not price');
  });
});
