// Tier bounds that move with the bill: prorated by the service period's days, and in kWh per kW
// of the period's maximum demand (issue 16). Every expected amount is worked out by hand.
import { describe, expect, it } from 'vitest';
import { epochDay } from '../../src/calendar/index.js';
import { priceBill, validatePolicy } from '../../src/tariff/index.js';
import { lineSum, monthInput, policyFromYaml, tariffFromYaml } from './helpers.js';

const row = (bill: ReturnType<typeof priceBill>) => bill.lineItems.map((l) => [l.label, l.quantityMilli, l.amountMinor]);

const prorated = (rule: string) => tariffFromYaml(`
id: PRO
name: Prorated bounds
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy:
      tiers:
        prorate: ${rule}
        blocks:
          - { up_to: 100, rate: 0.50 }
          - { up_to: 300, rate: 0.60 }
          - { rate: 0.80 }
`);

/** Read-to-read service from `from` (inclusive) to `to` (exclusive), billed in the month of `to`. */
const readToRead = (from: string, to: string, kwh: number) => ({
  ...monthInput(to.slice(0, 7), kwh), startDay: epochDay(from), endDay: epochDay(to),
});

describe('tier bounds prorated by the period\'s days', () => {
  // 2025-06-01 to 2025-07-16: 45 days, billing month July (31 days).
  const period45 = readToRead('2025-06-01', '2025-07-16', 500);

  it('days_30: 100/300 over 45 days become 150/450 exactly', () => {
    // 150 × 0.50 + 300 × 0.60 + 50 × 0.80 = 75 + 180 + 40 = 295.00
    const bill = priceBill(prorated('days_30'), period45);
    expect(row(bill)).toEqual([
      ['Tier 1 (0–150 kWh)', 150_000, 7500],
      ['Tier 2 (151–450 kWh)', 300_000, 18_000],
      ['Tier 3 (>450 kWh)', 50_000, 4000],
    ]);
    expect(bill.totalMinor).toBe(29_500);
  });

  it('none keeps the bounds as written (the bill of before)', () => {
    // 100 × 0.50 + 200 × 0.60 + 200 × 0.80 = 50 + 120 + 160 = 330.00
    const bill = priceBill(prorated('none'), period45);
    expect(bill.totalMinor).toBe(33_000);
    expect(bill.lineItems[0]!.label).toBe('Tier 1 (0–100 kWh)');
  });

  it('days_in_month: × 45 / 31 (July), each bound rounded half-up to 1 Wh', () => {
    // 100 × 45/31 = 145.1612… → 145.161 kWh; 300 × 45/31 = 435.4838… → 435.484 kWh
    // 145.161 × 0.5 = 72.5805; 290.323 × 0.6 = 174.1938; 64.516 × 0.8 = 51.6128; sum 298.3871 → 298.39
    const bill = priceBill(prorated('days_in_month'), period45);
    expect(row(bill)).toEqual([
      ['Tier 1 (0–145.161 kWh)', 145_161, 7258],
      ['Tier 2 (145.161–435.484 kWh)', 290_323, 17_419],
      ['Tier 3 (>435.484 kWh)', 64_516, 5162],
    ]);
    expect(bill.totalMinor).toBe(29_839);
  });

  it('a 30-day period under days_30 and a whole month under days_in_month keep the written bounds', () => {
    // June 2025, 30 days, 500 kWh: 330.00 either way
    expect(priceBill(prorated('days_30'), monthInput('2025-06', 500)).totalMinor).toBe(33_000);
    expect(priceBill(prorated('days_in_month'), monthInput('2025-07', 500)).totalMinor).toBe(33_000);
    // February 2024 (29 days) under days_30: 100 × 29/30 = 96.667, 300 × 29/30 = 290 kWh
    // 96.667 × 0.5 = 48.3335; 193.333 × 0.6 = 115.9998; 10 × 0.8 = 8; one charge: running totals 48.33, 164.33, 172.33
    const february = priceBill(prorated('days_30'), monthInput('2024-02', 300));
    expect(row(february)).toEqual([
      ['Tier 1 (0–96.667 kWh)', 96_667, 4833],
      ['Tier 2 (96.667–290 kWh)', 193_333, 11_600],
      ['Tier 3 (>290 kWh)', 10_000, 800],
    ]);
    expect(february.totalMinor).toBe(17_233);
  });

  it('reuses one set of labels per day count (the store keys line items by label)', () => {
    const tariff = prorated('days_30');
    const a = priceBill(tariff, period45);
    const b = priceBill(tariff, { ...period45, kwhMilli: 600_000 });
    expect(a.lineItems[0]!.label).toBe(b.lineItems[0]!.label);
    expect(Object.is(a.lineItems[1]!.label, b.lineItems[1]!.label)).toBe(true);
  });

  it('a version change splits the prorated bounds by each version\'s days', () => {
    const tariff = tariffFromYaml(`
id: PRO2
name: Prorated bounds, price change
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    effective_to: 2025-06-30
    energy: { tiers: { prorate: days_30, blocks: [{ up_to: 100, rate: 0.50 }, { rate: 0.80 }] } }
  - version: v2
    effective_from: 2025-07-01
    energy: { tiers: { prorate: days_30, blocks: [{ up_to: 100, rate: 0.60 }, { rate: 0.90 }] } }
`);
    // 45 days: 30 in v1 (June), 15 in v2. 450 kWh splits 300 / 150.
    // v1 bound 100 × 30/30 = 100: 100 × 0.5 + 200 × 0.8 = 210.00; v2 bound 100 × 15/30 = 50: 50 × 0.6 + 100 × 0.9 = 120.00
    const bill = priceBill(tariff, readToRead('2025-06-01', '2025-07-16', 450));
    expect(row(bill)).toEqual([
      ['Tier 1 (0–100 kWh)', 100_000, 5000],
      ['Tier 2 (>100 kWh)', 200_000, 16_000],
      ['Tier 1 (0–50 kWh)', 50_000, 3000],
      ['Tier 2 (>50 kWh)', 100_000, 9000],
    ]);
    expect(bill.totalMinor).toBe(33_000);
  });
});

const hoursUse = (blocks: string) => tariffFromYaml(`
id: HU
name: Hours use
currency: USD
versions:
  - version: v1
    effective_from: 2019-01-01
    energy:
      tiers:
        blocks:
${blocks}
`);

describe('tier bounds in kWh per kW of maximum demand', () => {
  it('scales each bound by the period\'s peak', () => {
    const tariff = hoursUse(`
          - { up_to_per_kw: 200, rate: 0.10 }
          - { up_to_per_kw: 400, rate: 0.08 }
          - { rate: 0.05 }`);
    // 50 kW: bounds 10,000 / 20,000 kWh. 25,000 kWh: 10,000 × 0.10 + 10,000 × 0.08 + 5,000 × 0.05 = 1,000 + 800 + 250
    const bill = priceBill(tariff, monthInput('2025-07', 25_000, { demandMilli: 50_000 }));
    expect(row(bill)).toEqual([
      ['Tier 1 (0–200 kWh/kW)', 10_000_000, 100_000],
      ['Tier 2 (201–400 kWh/kW)', 10_000_000, 80_000],
      ['Tier 3 (>400 kWh/kW)', 5_000_000, 25_000],
    ]);
    expect(bill.totalMinor).toBe(205_000);
    // 12.345 kW: 200 × 12.345 = 2,469 kWh — bounds are exact to the Wh
    const small = priceBill(tariff, monthInput('2025-07', 3000, { demandMilli: 12_345 }));
    expect(small.lineItems.map((l) => l.quantityMilli)).toEqual([2_469_000, 531_000]);
    expect(small.totalMinor).toBe(24_690 + 4248); // 246.90 + 531 × 0.08 = 42.48
  });

  it('nests kWh blocks inside the kWh-per-kW step that follows them', () => {
    const tariff = hoursUse(`
          - { up_to: 3000, rate: 0.13 }
          - { up_to: 10000, rate: 0.12 }
          - { up_to_per_kw: 200, rate: 0.10 }
          - { up_to_per_kw: 400, rate: 0.02 }
          - { rate: 0.01 }`);
    // 100 kW, 50,000 kWh: bounds 3,000 / 10,000 / 20,000 / 40,000
    // 3,000 × 0.13 + 7,000 × 0.12 + 10,000 × 0.10 + 20,000 × 0.02 + 10,000 × 0.01 = 390 + 840 + 1,000 + 400 + 100
    const large = priceBill(tariff, monthInput('2025-07', 50_000, { demandMilli: 100_000 }));
    expect(row(large)).toEqual([
      ['Tier 1 (0–3000 kWh)', 3_000_000, 39_000],
      ['Tier 2 (3001–10000 kWh)', 7_000_000, 84_000],
      ['Tier 3 (up to 200 kWh/kW)', 10_000_000, 100_000],
      ['Tier 4 (201–400 kWh/kW)', 20_000_000, 40_000],
      ['Tier 5 (>400 kWh/kW)', 10_000_000, 10_000],
    ]);
    expect(large.totalMinor).toBe(273_000);
    // 10 kW, 5,000 kWh: 200 kWh/kW = 2,000 kWh caps the kWh blocks: 2,000 × 0.13 + 2,000 × 0.02 + 1,000 × 0.01
    const small = priceBill(tariff, monthInput('2025-07', 5000, { demandMilli: 10_000 }));
    expect(row(small).map(([label, q, a]) => [String(label).slice(0, 6), q, a])).toEqual([
      ['Tier 1', 2_000_000, 26_000],
      ['Tier 4', 2_000_000, 4000],
      ['Tier 5', 1_000_000, 1000],
    ]);
    expect(lineSum(small)).toBe(31_000);
  });

  it('needs the maximum demand, or takes the largest TOU period demand', () => {
    const tariff = hoursUse(`
          - { up_to_per_kw: 200, rate: 0.10 }
          - { rate: 0.05 }`);
    expect(() => priceBill(tariff, monthInput('2025-07', 100))).toThrow(expect.objectContaining({ code: 'missing_demand' }));
    // peak 20 kW of the periods → 4,000 kWh bound: 4,000 × 0.10 + 1,000 × 0.05 = 450.00
    const touDemandMilli = { sharp: 0, peak: 20_000, flat: 15_000, valley: 5000 };
    expect(priceBill(tariff, monthInput('2025-07', 5000, { touDemandMilli })).totalMinor).toBe(45_000);
  });

  it('is checked: one bound kind per block, energy tiers only, increasing per unit', () => {
    const problems = (blocks: unknown[], extra: Record<string, unknown> = {}) => validatePolicy({
      id: 'V', name: 'V', currency: 'USD',
      versions: [{ version: 'v', effective_from: '2020-01-01', energy: { tiers: { blocks, ...extra } }, ...extra.version as object }],
    }).problems.map(({ code, path, message }) => ({ code, path, message }));
    expect(problems([{ up_to: 100, up_to_per_kw: 200, rate: 1 }, { rate: 1 }])).toEqual([
      { code: 'open_block', path: 'versions[0].energy.tiers.blocks[0].up_to_per_kw', message: 'give either up_to or up_to_per_kw, not both' },
    ]);
    expect(problems([{ up_to_per_kw: 400, rate: 1 }, { up_to: 100, rate: 1 }, { up_to_per_kw: 200, rate: 1 }, { rate: 1 }])).toEqual([
      { code: 'bounds_not_increasing', path: 'versions[0].energy.tiers.blocks[2].up_to_per_kw', message: 'must be greater than 400' },
    ]);
    expect(problems([{ up_to_per_kw: 200, rate: 1 }, { rate: 1 }], { household: { min_members: 5, add: 100 } })).toEqual([
      { code: 'energy_pricing', path: 'versions[0].energy.tiers.household', message: 'cannot raise bounds given in kWh per kW (up_to_per_kw)' },
    ]);
    const demandBlocks = validatePolicy(policyFromYaml(`
id: D
name: D
currency: USD
versions:
  - { version: v, effective_from: 2020-01-01, energy: { rate: 0.1 }, demand: { basis: max_demand, blocks: [{ up_to: 100, rate: 5 }, { rate: 4 }] } }
`)).problems;
    expect(demandBlocks).toEqual([]);
    const perKwDemand = validatePolicy({
      id: 'D', name: 'D', currency: 'USD',
      versions: [{ version: 'v', effective_from: '2020-01-01', energy: { rate: 0.1 }, demand: { basis: 'max_demand', blocks: [{ up_to_per_kw: 100, rate: 5 }, { rate: 4 }] } }],
    }).problems.map((p) => [p.code, p.path]);
    expect(perKwDemand).toEqual([['demand_pricing', 'versions[0].demand.blocks[0].up_to_per_kw']]);
  });
});
