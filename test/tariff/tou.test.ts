import { describe, expect, it } from 'vitest';
import { priceBill } from '../../src/tariff/index.js';
import { amounts, monthInput, sample, tou } from './helpers.js';

describe('TOU prices first, then a tier surcharge (RES-TOU)', () => {
  const resTou = sample('RES-TOU');

  it('prices the docs/domain.md example at 247.19 CNY', () => {
    // July, 100/200/100 kWh peak/flat/valley: 99.500875 + 117.77375 + 22.914475 = 240.1891 → 240.19.
    // Summer surcharge: 400 − 260 = 140 kWh × 0.05 = 7.00. Total 247.19.
    const bill = priceBill(resTou, monthInput('2025-07', 400, { touKwhMilli: tou(0, 100, 200, 100) }));
    expect(bill.totalMinor).toBe(24719);
    expect(bill.lineItems.map((l) => [l.component, l.label, l.quantityMilli, l.rate, l.amountMinor])).toEqual([
      ['tou', 'Peak', 100_000, '0.99500875', 9950],
      ['tou', 'Flat', 200_000, '0.58886875', 11777],
      ['tou', 'Valley', 100_000, '0.22914475', 2292],
      ['tier_surcharge', 'Tier surcharge 2 (261–600 kWh)', 140_000, '0.05', 700],
    ]);
  });

  it('uses the other months\' bounds in January', () => {
    // Same TOU split: 240.19. Surcharge above 200: 200 kWh × 0.05 = 10.00 → 250.19.
    const bill = priceBill(resTou, monthInput('2025-01', 400, { touKwhMilli: tou(0, 100, 200, 100) }));
    expect(bill.totalMinor).toBe(25019);
  });

  it('charges the top surcharge block above 600 kWh in summer', () => {
    // 700 kWh: 100 × 0.99500875 + 400 × 0.58886875 + 200 × 0.22914475
    //        = 99.500875 + 235.5475 + 45.82895 = 380.877325 → 380.88
    // Surcharge: 340 × 0.05 = 17.00 and 100 × 0.30 = 30.00. Total 427.88.
    const bill = priceBill(resTou, monthInput('2025-08', 700, { touKwhMilli: tou(0, 100, 400, 200) }));
    expect(amounts(bill)['Tier surcharge 3 (>600 kWh)']).toBe(3000);
    expect(bill.totalMinor).toBe(42788);
  });

  it('needs TOU determinants and a price for every period with energy', () => {
    expect(() => priceBill(resTou, monthInput('2025-07', 400))).toThrow(expect.objectContaining({ code: 'missing_tou' }));
    expect(() => priceBill(resTou, monthInput('2025-07', 400, { touKwhMilli: tou(10, 90, 200, 100) })))
      .toThrow(expect.objectContaining({ code: 'tou_period_not_priced', message: expect.stringMatching(/no sharp price/) }));
  });
});

describe('TOU rates as ratios of the flat rate (COM-TOU)', () => {
  const comTou = sample('COM-TOU');

  it('derives peak 1.7×, valley 0.38× and critical = peak × 1.25 exactly', () => {
    // flat 0.65 → peak 1.105, valley 0.247, critical 1.38125.
    // 10 × 1.38125 + 100 × 1.105 + 200 × 0.65 + 140 × 0.247 = 13.8125 + 110.5 + 130 + 34.58
    // = 288.8925 → 288.89; plus the 30.00 basic charge = 318.89.
    const bill = priceBill(comTou, monthInput('2025-07', 450, { customerClass: 'commercial', touKwhMilli: tou(10, 100, 200, 140) }));
    expect(bill.lineItems.map((l) => [l.label, l.rate, l.amountMinor])).toEqual([
      ['Basic charge', '30', 3000],
      ['Critical peak', '1.38125', 1381],
      ['Peak', '1.105', 11050],
      ['Flat', '0.65', 13000],
      ['Valley', '0.247', 3458],
    ]);
    expect(bill.totalMinor).toBe(31889);
  });
});
