import { describe, expect, it } from 'vitest';
import { priceBill } from '../../src/tariff/index.js';
import { amounts, monthInput, sample, tariffFromYaml } from './helpers.js';

describe('graduated tiers (GD-RES, docs/domain.md)', () => {
  const gd = sample('GD-RES');

  it('prices 700 kWh in July at 459.21 CNY', () => {
    // Summer bounds 260 / 600: 260 × 0.58886875 = 153.105875, 340 × 0.63886875 = 217.215375,
    // 100 × 0.88886875 = 88.886875; exact total 459.208125 → 459.21. The lines share the one
    // rounding: running totals 153.11 / 370.32 / 459.21 → 153.11 + 217.21 + 88.89.
    const bill = priceBill(gd, monthInput('2025-07', 700));
    expect(bill.totalMinor).toBe(45921);
    expect(bill.lineItems.map((l) => [l.label, l.quantityMilli, l.rate, l.amountMinor])).toEqual([
      ['Tier 1 (0–260 kWh)', 260_000, '0.58886875', 15311],
      ['Tier 2 (261–600 kWh)', 340_000, '0.63886875', 21721],
      ['Tier 3 (>600 kWh)', 100_000, '0.88886875', 8889],
    ]);
    expect(bill.lineItems.every((l) => l.component === 'energy' && l.unit === 'kWh' && l.tariffId === 'GD-RES')).toBe(true);
    // VAT inside: 459.21 × 0.13 / 1.13 = 52.8295… → 52.83
    expect(bill.taxIncludedMinor).toBe(5283);
  });

  it('prices 700 kWh in January at 512.21 CNY', () => {
    // Other months' bounds 200 / 400: 117.77375 + 127.77375 + 266.660625 = 512.208125 → 512.21.
    const bill = priceBill(gd, monthInput('2025-01', 700));
    expect(bill.totalMinor).toBe(51221);
    expect(amounts(bill)).toEqual({ 'Tier 1 (0–200 kWh)': 11777, 'Tier 2 (201–400 kWh)': 12778, 'Tier 3 (>400 kWh)': 26666 });
  });

  it('stays in tier 1 up to and including the bound', () => {
    // 260 × 0.58886875 = 153.105875 → 153.11
    expect(priceBill(gd, monthInput('2025-07', 260)).lineItems).toHaveLength(1);
    expect(priceBill(gd, monthInput('2025-07', 260)).totalMinor).toBe(15311);
    expect(priceBill(gd, monthInput('2025-07', 0)).lineItems).toEqual([]);
  });

  it('raises every bound by 100 kWh for households of 5 or more', () => {
    // July bounds 360 / 700: 360 × 0.58886875 = 211.99275, 340 × 0.63886875 = 217.215375;
    // total 429.208125 → 429.21.
    const big = priceBill(gd, monthInput('2025-07', 700, { householdSize: 5 }));
    expect(big.totalMinor).toBe(42921);
    expect(Object.keys(amounts(big))).toEqual(['Tier 1 (0–360 kWh)', 'Tier 2 (361–700 kWh)']);
    expect(priceBill(gd, monthInput('2025-07', 700, { householdSize: 4 })).totalMinor).toBe(45921);
  });
});

describe('volume tiers', () => {
  const tariff = tariffFromYaml(`
id: VOL
name: Volume tiers
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy:
      tiers:
        mode: volume
        blocks:
          - { up_to: 200, rate: 0.5 }
          - { up_to: 400, rate: 0.6 }
          - { rate: 0.8 }
`);

  it('prices all kWh at the rate of the block the total reaches', () => {
    // 300 kWh reaches block 2: 300 × 0.6 = 180.00
    const bill = priceBill(tariff, monthInput('2025-03', 300));
    expect(bill.lineItems.map((l) => [l.label, l.quantityMilli, l.amountMinor])).toEqual([['Tier 2 (201–400 kWh)', 300_000, 18000]]);
    // 200 kWh is still block 1: 100.00; 450 kWh: 450 × 0.8 = 360.00
    expect(priceBill(tariff, monthInput('2025-03', 200)).totalMinor).toBe(10000);
    expect(priceBill(tariff, monthInput('2025-03', 450)).totalMinor).toBe(36000);
  });
});

describe('daily tier bounds', () => {
  const tariff = tariffFromYaml(`
id: DAY
name: Daily bounds
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy:
      tiers:
        basis: day
        blocks:
          - { up_to: 8, rate: 0.5 }
          - { rate: 0.7 }
`);

  it('scales the bound by the days in the period', () => {
    // June, 30 days: bound 240 kWh. 240 × 0.5 = 120.00, 60 × 0.7 = 42.00 → 162.00
    const june = priceBill(tariff, monthInput('2025-06', 300));
    expect(june.lineItems.map((l) => [l.label, l.quantityMilli])).toEqual([['Tier 1 (0–8 kWh/day)', 240_000], ['Tier 2 (>8 kWh/day)', 60_000]]);
    expect(june.totalMinor).toBe(16200);
    // July, 31 days: bound 248 kWh. 124.00 + 52 × 0.7 = 36.40 → 160.40
    expect(priceBill(tariff, monthInput('2025-07', 300)).totalMinor).toBe(16040);
  });
});

describe('annual tier bounds', () => {
  const tariff = tariffFromYaml(`
id: YEAR
name: Annual bounds
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy:
      tiers:
        basis: year
        blocks:
          - { up_to: 2160, rate: 0.5 }
          - { up_to: 4200, rate: 0.55 }
          - { rate: 0.8 }
`);

  it('fills the blocks with the kWh billed earlier in the year first', () => {
    // 2000 kWh billed before; this bill's 300 kWh occupy 2000–2300: 160 × 0.5 = 80.00 and
    // 140 × 0.55 = 77.00 → 157.00
    const bill = priceBill(tariff, monthInput('2025-09', 300, { ytdKwhMilli: 2_000_000 }));
    expect(bill.lineItems.map((l) => [l.label, l.quantityMilli, l.amountMinor])).toEqual([
      ['Tier 1 (0–2160 kWh/year)', 160_000, 8000],
      ['Tier 2 (2161–4200 kWh/year)', 140_000, 7700],
    ]);
    // Past 4200 kWh everything is in block 3: 300 × 0.8 = 240.00
    expect(priceBill(tariff, monthInput('2025-11', 300, { ytdKwhMilli: 5_000_000 })).totalMinor).toBe(24000);
  });
});
