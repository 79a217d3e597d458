import { describe, expect, it } from 'vitest';
import { epochDay } from '../../src/calendar/index.js';
import { priceBill, splitByDays } from '../../src/tariff/index.js';
import { monthInput, sample, tariffFromYaml } from './helpers.js';

const period = (from: string, to: string) => ({ startDay: epochDay(from), endDay: epochDay(to) });

describe('a price change inside the billing period (RES-MKT)', () => {
  const mkt = sample('RES-MKT');

  it('prices each version\'s share of the days with scaled monthly bounds', () => {
    // 2025-06-16 → 2025-07-16: 15 days of version 2020-01, 15 of 2025-07; 450 kWh → 225 + 225.
    // Bounds scale to 15/30: 100 / 200 kWh.
    // 2020-01: 100 × 0.52 + 100 × 0.57 + 25 × 0.82 = 52 + 57 + 20.50 = 129.50
    // 2025-07: 100 × 0.5616 + 100 × 0.6156 + 25 × 0.8856 = 56.16 + 61.56 + 22.14 = 139.86
    const bill = priceBill(mkt, monthInput('2025-07', 450, period('2025-06-16', '2025-07-16')));
    expect(bill.versions).toEqual(['2020-01', '2025-07']);
    expect(bill.lineItems.map((l) => [l.tariffVersion, l.label, l.quantityMilli, l.amountMinor])).toEqual([
      ['2020-01', 'Tier 1 (0–200 kWh)', 100_000, 5200],
      ['2020-01', 'Tier 2 (201–400 kWh)', 100_000, 5700],
      ['2020-01', 'Tier 3 (>400 kWh)', 25_000, 2050],
      ['2025-07', 'Tier 1 (0–200 kWh)', 100_000, 5616],
      ['2025-07', 'Tier 2 (201–400 kWh)', 100_000, 6156],
      ['2025-07', 'Tier 3 (>400 kWh)', 25_000, 2214],
    ]);
    expect(bill.totalMinor).toBe(26936);
  });

  it('splits uneven shares exactly, remainders to the larger fraction', () => {
    // 2025-06-21 → 2025-07-21: 10 + 20 of 30 days. 301000 Wh × 10/30 = 100333.3 and × 20/30 =
    // 200666.7: floors 100333 + 200666 leave 1 Wh, which goes to the larger remainder → 200667.
    // Bounds: 200 kWh × 10/30 = 66.667 (half-up), 400 × 10/30 = 133.333; × 20/30: 133.333, 266.667.
    // 2020-01: 66667 Wh × 0.52 + 33666 Wh × 0.57 = 34.66684 + 19.18962 = 53.85646 → 53.86
    // 2025-07: 133333 Wh × 0.5616 + 67334 Wh × 0.6156 = 74.8798128 + 41.4508104 = 116.3306232 → 116.33
    const bill = priceBill(mkt, monthInput('2025-07', 301, period('2025-06-21', '2025-07-21')));
    expect(bill.lineItems.map((l) => [l.tariffVersion, l.quantityMilli, l.amountMinor])).toEqual([
      ['2020-01', 66_667, 3467],
      ['2020-01', 33_666, 1919],
      ['2025-07', 133_333, 7488],
      ['2025-07', 67_334, 4145],
    ]);
    expect(bill.totalMinor).toBe(5386 + 11633);
  });

  it('prorates monthly fixed charges by days', () => {
    const tariff = tariffFromYaml(`
id: FIX2
name: Fixed change
currency: CNY
versions:
  - version: a
    effective_from: 2019-01-01
    effective_to: 2025-06-30
    fixed: [{ per: month, amount: 30 }]
    energy: { rate: 0.5 }
  - version: b
    effective_from: 2025-07-01
    fixed: [{ per: month, amount: 36 }]
    energy: { rate: 0.5 }
`);
    // 10 of 30 days at 30.00/month: 0.333 month → 9.99; 20 days at 36.00: 0.667 month → 24.012 → 24.01
    const bill = priceBill(tariff, monthInput('2025-07', 0, period('2025-06-21', '2025-07-21')));
    expect(bill.lineItems.map((l) => [l.tariffVersion, l.quantityMilli, l.amountMinor])).toEqual([['a', 333, 999], ['b', 667, 2401]]);
  });

  it('reports days without a version in force', () => {
    // RES-MKT starts 2020-01-01.
    expect(() => priceBill(mkt, monthInput('2020-01', 100, period('2019-12-15', '2020-01-15'))))
      .toThrow(expect.objectContaining({ code: 'no_version_in_force', message: expect.stringContaining('2019-12-15') }));
  });

  it('rejects empty periods and negative consumption', () => {
    expect(() => priceBill(mkt, monthInput('2025-07', 100, period('2025-07-01', '2025-07-01'))))
      .toThrow(expect.objectContaining({ code: 'empty_period' }));
    expect(() => priceBill(mkt, monthInput('2025-07', -25)))
      .toThrow(expect.objectContaining({ code: 'negative_quantity', message: expect.stringContaining('-25 kWh') }));
  });
});

describe('splitByDays', () => {
  it('gives remainders to the largest fractions, earlier segments on ties', () => {
    expect(splitByDays(301_000, [10, 20])).toEqual([100_333, 200_667]);
    expect(splitByDays(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitByDays(1000, [31])).toEqual([1000]);
    expect(splitByDays(-7, [1, 1])).toEqual([-4, -3]);
    expect(splitByDays(2 ** 52, [3, 7])).toEqual([1_351_079_888_211_149, 3_152_519_739_159_347]);
  });
});
