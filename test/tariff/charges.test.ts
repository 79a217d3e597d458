import { describe, expect, it } from 'vitest';
import { compileTariff, priceBill } from '../../src/tariff/index.js';
import { monthInput, policyFromYaml, sample, tariffFromYaml } from './helpers.js';

const row = (bill: ReturnType<typeof priceBill>) => bill.lineItems.map((l) => [l.component, l.label, l.unit, l.quantityMilli, l.rate, l.amountMinor]);

describe('fixed charges', () => {
  it('charges per month once and per day × days', () => {
    const tariff = tariffFromYaml(`
id: FIX
name: Fixed
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    fixed:
      - { label: Basic charge, per: month, amount: 12 }
      - { label: Meter rental, per: day, amount: 0.10 }
    energy: { rate: 0.5 }
`);
    // June (30 days): 12.00 + 30 × 0.10 = 3.00; 10 kWh × 0.5 = 5.00
    expect(row(priceBill(tariff, monthInput('2025-06', 10)))).toEqual([
      ['fixed', 'Basic charge', 'month', 1000, '12', 1200],
      ['fixed', 'Meter rental', 'day', 30_000, '0.1', 300],
      ['energy', 'Energy', 'kWh', 10_000, '0.5', 500],
    ]);
  });
});

describe('minimum charges (AGR-FLAT and an annual minimum)', () => {
  it('tops a small bill up to the monthly minimum', () => {
    // 12.345 kWh × 0.4805 = 5.9317725 → 5.93; minimum 15.00 → top-up 9.07 (quantity 9.07 CNY × 1)
    const agr = sample('AGR-FLAT');
    expect(row(priceBill(agr, monthInput('2025-07', 12.345)))).toEqual([
      ['energy', 'Agricultural energy', 'kWh', 12_345, '0.4805', 593],
      ['minimum', 'Minimum charge top-up', 'CNY', 9070, '1', 907],
    ]);
    // 100 kWh × 0.4805 = 48.05 ≥ 15.00: no top-up
    expect(priceBill(agr, monthInput('2025-07', 100)).totalMinor).toBe(4805);
  });

  it('takes a minimum with more decimals than the currency, rounded half-up like a fixed amount', () => {
    const tariff = tariffFromYaml(`
id: MIN3
name: Minimum with three decimals
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { rate: 0.5 }
    minimum: { monthly: 15.005 }
`);
    // 10 kWh × 0.5 = 5.00; minimum 15.005 → 15.01: top-up 10.01
    expect(row(priceBill(tariff, monthInput('2025-07', 10)))[1]).toEqual(['minimum', 'Minimum charge top-up', 'CNY', 10_010, '1', 1001]);
  });

  it('tops the December bill up to the annual minimum', () => {
    const tariff = tariffFromYaml(`
id: ANN
name: Annual minimum
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { rate: 0.5 }
    minimum: { annual: 600 }
`);
    // 100 kWh = 50.00; 400.00 billed earlier this year: 600 − 450 = 150.00 top-up in December only
    const december = priceBill(tariff, monthInput('2025-12', 100, { ytdAmountMinor: 40_000 }));
    expect(row(december)[1]).toEqual(['minimum', 'Annual minimum charge top-up', 'CNY', 150_000, '1', 15_000]);
    expect(december.totalMinor).toBe(20_000);
    expect(priceBill(tariff, monthInput('2025-11', 100, { ytdAmountMinor: 40_000 })).totalMinor).toBe(5000);
    expect(priceBill(tariff, monthInput('2025-12', 100, { ytdAmountMinor: 60_000 })).totalMinor).toBe(5000);
  });
});

describe('taxes', () => {
  it('adds a tax line on the bill when prices exclude tax', () => {
    const tariff = tariffFromYaml(`
id: TAX
name: Tax added
currency: USD
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { rate: 0.1234 }
    tax: { label: Sales tax 8.25%, rate: 0.0825, mode: added }
`);
    // 123 kWh × 0.1234 = 15.1782 → 15.18; tax 15.18 × 0.0825 = 1.25235 → 1.25
    const bill = priceBill(tariff, monthInput('2025-02', 123));
    expect(row(bill)[1]).toEqual(['tax', 'Sales tax 8.25%', 'USD', 15_180, '0.0825', 125]);
    expect(bill.totalMinor).toBe(1643);
    expect(bill.taxIncludedMinor).toBe(0);
  });

  it('reports the tax inside tax-inclusive prices without adding it', () => {
    // GD-RES, 100 kWh in March: 58.886875 → 58.89; VAT inside = 58.89 × 0.13 / 1.13 = 6.7749 → 6.77
    const bill = priceBill(sample('GD-RES'), monthInput('2025-03', 100));
    expect(bill.totalMinor).toBe(5889);
    expect(bill.taxIncludedMinor).toBe(677);
    expect(bill.lineItems.some((l) => l.component === 'tax')).toBe(false);
  });
});

describe('per-kWh funds', () => {
  it('charges every fund on the total kWh, as one rounded charge', () => {
    const tariff = tariffFromYaml(`
id: FUND
name: Funds
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { rate: 0.5 }
    surcharges:
      - { label: Fund A, rate: 0.0015 }
      - { label: Fund B, rate: 0.0025 }
`);
    // 3 kWh: 0.0045 + 0.0075 = 0.012 → 0.01; running 0.0045 → 0.00, 0.012 → 0.01
    expect(row(priceBill(tariff, monthInput('2025-02', 3))).slice(1)).toEqual([
      ['surcharge', 'Fund A', 'kWh', 3000, '0.0015', 0],
      ['surcharge', 'Fund B', 'kWh', 3000, '0.0025', 1],
    ]);
  });
});

describe('rounding per line', () => {
  it('rounds each line on its own when the policy says per_line', () => {
    // 153.105875 → 153.11, 217.215375 → 217.22, 88.886875 → 88.89: 459.22 (one fen above the
    // per-charge 459.21, which is why per_charge is the default)
    const policy = { ...policyFromYamlOfSample(), rounding: 'per_line' as const };
    expect(priceBill(compileTariff(policy), monthInput('2025-07', 700)).totalMinor).toBe(45922);
  });
});

function policyFromYamlOfSample() {
  return policyFromYaml(`
id: GD-LINE
name: GD tiers rounded per line
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    seasons:
      - { id: summer, months: [5, 6, 7, 8, 9, 10] }
      - { id: other, months: [1, 2, 3, 4, 11, 12] }
    energy:
      tiers:
        blocks:
          - { up_to: { summer: 260, other: 200 }, rate: 0.58886875 }
          - { up_to: { summer: 600, other: 400 }, rate: 0.63886875 }
          - { rate: 0.88886875 }
`);
}
