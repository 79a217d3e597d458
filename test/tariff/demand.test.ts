import { describe, expect, it } from 'vitest';
import { priceBill } from '../../src/tariff/index.js';
import { monthInput, tariffFromYaml } from './helpers.js';

const twoPart = tariffFromYaml(`
id: DEM
name: Demand test
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { rate: 0.5 }
    demand:
      basis: max_demand_or_contract
      rate: 32
      contract_rate: 22
      penalty: { above: 1.05, multiple: 2 }
`);

const lines = (bill: ReturnType<typeof priceBill>) =>
  bill.lineItems.filter((l) => l.component !== 'energy').map((l) => [l.component, l.label, l.unit, l.quantityMilli, l.rate, l.amountMinor]);

describe('demand charges', () => {
  it('charges the maximum demand × rate', () => {
    // 900 kW × 32 = 28800.00 (below 105% of the 1000 kVA contract: no penalty)
    const bill = priceBill(twoPart, monthInput('2025-05', 0, { demandMilli: 900_000, contractKva: 1000 }));
    expect(lines(bill)).toEqual([['demand', 'Maximum demand', 'kW', 900_000, '32', 2_880_000]]);
  });

  it('charges demand above 105% of the contract at 2×', () => {
    // Threshold 1000 × 1.05 = 1050 kW: 1050 × 32 = 33600.00; 50 kW × 64 = 3200.00
    const bill = priceBill(twoPart, monthInput('2025-05', 0, { demandMilli: 1_100_000, contractKva: 1000 }));
    expect(lines(bill)).toEqual([
      ['demand', 'Maximum demand', 'kW', 1_050_000, '32', 3_360_000],
      ['demand_penalty', 'Demand above 105% of contract', 'kW', 50_000, '64', 320_000],
    ]);
  });

  it('falls back to the contracted capacity when no demand is metered', () => {
    // 1000 kVA × 22 = 22000.00
    const bill = priceBill(twoPart, monthInput('2025-05', 0, { contractKva: 1000 }));
    expect(lines(bill)).toEqual([['capacity', 'Contracted capacity', 'kVA', 1_000_000, '22', 2_200_000]]);
    expect(() => priceBill(twoPart, monthInput('2025-05', 0))).toThrow(expect.objectContaining({ code: 'missing_contract' }));
  });

  it('needs a demand reading under basis max_demand', () => {
    const tariff = tariffFromYaml(`
id: DEM2
name: Demand only
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { rate: 0.5 }
    demand: { basis: max_demand, rate: 30 }
`);
    expect(() => priceBill(tariff, monthInput('2025-05', 10))).toThrow(expect.objectContaining({ code: 'missing_demand' }));
  });

  it('prices demand tiers as blocks', () => {
    const tariff = tariffFromYaml(`
id: DEM3
name: Demand tiers
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { rate: 0.5 }
    demand:
      basis: max_demand
      blocks:
        - { up_to: 100, rate: 20 }
        - { rate: 15 }
`);
    // 250 kW: 100 × 20 = 2000.00 and 150 × 15 = 2250.00
    const bill = priceBill(tariff, monthInput('2025-05', 0, { demandMilli: 250_000 }));
    expect(lines(bill)).toEqual([
      ['demand', 'Maximum demand 1 (0–100 kW)', 'kW', 100_000, '20', 200_000],
      ['demand', 'Maximum demand 2 (>100 kW)', 'kW', 150_000, '15', 225_000],
    ]);
  });

  it('charges each TOU period on its own maximum demand', () => {
    const tariff = tariffFromYaml(`
id: DEM4
name: TOU demand
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { rate: 0.5 }
    demand:
      basis: tou
      tou:
        peak: { rate: 20 }
        flat: { blocks: [{ up_to: 100, rate: 10 }, { rate: 5 }] }
`);
    // Peak 80 kW × 20 = 1600.00; flat 120 kW: 100 × 10 + 20 × 5 = 1100.00
    const bill = priceBill(tariff, monthInput('2025-05', 0, { touDemandMilli: { sharp: 0, peak: 80_000, flat: 120_000, valley: 0 } }));
    expect(lines(bill)).toEqual([
      ['demand', 'Peak demand', 'kW', 80_000, '20', 160_000],
      ['demand', 'Flat demand 1 (0–100 kW)', 'kW', 100_000, '10', 100_000],
      ['demand', 'Flat demand 2 (>100 kW)', 'kW', 20_000, '5', 10_000],
    ]);
    expect(() => priceBill(tariff, monthInput('2025-05', 0))).toThrow(expect.objectContaining({ code: 'missing_tou_demand' }));
    expect(() => priceBill(tariff, monthInput('2025-05', 0, { touDemandMilli: { sharp: 0, peak: 0, flat: 0, valley: 5 } })))
      .toThrow(expect.objectContaining({ code: 'tou_period_not_priced' }));
  });
});
