// The rounding rule as a policy choice (issue 16): per_charge (default), per_line and per_bill,
// with hand-worked amounts, and line items that always add up to the total.
import { describe, expect, it } from 'vitest';
import type { PricingInput } from '../../schemas/bill.js';
import { compileTariff, priceBill } from '../../src/tariff/index.js';
import { lineSum, monthInput, policyFromYaml, prng, randomInt, samplePolicy, tariffFromYaml } from './helpers.js';

const policy = (rounding: string) => tariffFromYaml(`
id: RND
name: Rounding
currency: USD
rounding: ${rounding}
versions:
  - version: v1
    effective_from: 2019-01-01
    fixed:
      - { label: Service, per: month, amount: 10.004 }
      - { label: Meter, per: month, amount: 2.005 }
    energy: { rate: 0.1 }
    surcharges:
      - { label: Fund A, rate: 0.0101 }
      - { label: Fund B, rate: 0.0033 }
`);

/**
 * Σ quantity × rate of the line items, exactly (BigInt, 10^-12 minor units), rounded half away
 * from zero to the fen: what per_bill must total.
 */
function exactTotalRounded(lines: readonly { quantityMilli: number; rate: string }[]): number {
  const SCALE = 12;
  let sum = 0n;
  for (const line of lines) {
    const [whole, fraction = ''] = line.rate.replace('-', '').split('.');
    const units = BigInt(`${whole}${fraction.padEnd(SCALE, '0')}`) * (line.rate.startsWith('-') ? -1n : 1n);
    sum += BigInt(line.quantityMilli) * units; // 10^-3 × 10^-12 CNY = 10^-13 fen
  }
  const divisor = 10n ** 13n;
  const negative = sum < 0n;
  const magnitude = negative ? -sum : sum;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return Number(negative ? -rounded : rounded);
}

const amounts = (bill: ReturnType<typeof priceBill>) => bill.lineItems.map((l) => [l.label, l.amountMinor]);

describe('rounding rules', () => {
  // 12.345 kWh. Exact amounts: Service 10.004, Meter 2.005, Energy 1.2345, Fund A 0.1246845,
  // Fund B 0.0407385; exact bill 13.4089230.
  const input = monthInput('2025-06', 12.345);

  it('per_charge: each fixed item and each surcharge is a charge of its own', () => {
    // 10.004 → 10.00; 2.005 → 2.01 (a line of its own: 1 month × 2.005 = 2.01); 1.2345 → 1.23;
    // 0.1246845 → 0.12; 0.0407385 → 0.04. Total 13.40.
    const bill = priceBill(policy('per_charge'), input);
    expect(amounts(bill)).toEqual([['Service', 1000], ['Meter', 201], ['Energy', 123], ['Fund A', 12], ['Fund B', 4]]);
    expect(bill.totalMinor).toBe(1340);
  });

  it('per_line rounds every line alone (the same here: no charge has two lines)', () => {
    expect(priceBill(policy('per_line'), input).totalMinor).toBe(1340);
  });

  it('per_bill rounds the exact bill once and gives each line the change of the rounded running total', () => {
    // Running exact totals 10.004, 12.009, 13.2435, 13.3681845, 13.408923 round to
    // 10.00, 12.01, 13.24, 13.37, 13.41: lines 10.00, 2.01, 1.23, 0.13, 0.04. Total 13.41 = round(13.408923).
    const bill = priceBill(policy('per_bill'), input);
    expect(amounts(bill)).toEqual([['Service', 1000], ['Meter', 201], ['Energy', 123], ['Fund A', 13], ['Fund B', 4]]);
    expect(bill.totalMinor).toBe(1341);
  });

  it('per_bill carries the rounding across the charges of a tier table and a tax', () => {
    const tariff = tariffFromYaml(`
id: RNDT
name: Rounding with tiers and tax
currency: CNY
rounding: per_bill
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { tiers: { blocks: [{ up_to: 260, rate: 0.58886875 }, { up_to: 600, rate: 0.63886875 }, { rate: 0.88886875 }] } }
    tax: { label: VAT 13%, rate: 0.13, mode: added }
`);
    // 700 kWh: 153.105875 + 217.215375 + 88.886875 = 459.208125 → 459.21 (lines 153.11, 217.21, 88.89);
    // tax on the lines' 459.21: 59.6973 → running 518.905425 → 518.91, tax line 59.70.
    const bill = priceBill(tariff, monthInput('2025-07', 700));
    expect(amounts(bill)).toEqual([
      ['Tier 1 (0–260 kWh)', 15_311], ['Tier 2 (261–600 kWh)', 21_721], ['Tier 3 (>600 kWh)', 8889], ['VAT 13%', 5970],
    ]);
    expect(bill.totalMinor).toBe(51_891);
  });

  it('keeps line items adding up to the total under every rule (random bills of the IND-2P sample)', () => {
    const random = prng(16);
    for (const rounding of ['per_charge', 'per_line', 'per_bill'] as const) {
      const tariff = compileTariff({ ...samplePolicy('IND-2P'), rounding });
      for (let i = 0; i < 300; i++) {
        const kwh = randomInt(random, 1, 2_000_000_000);
        const sharp = randomInt(random, 0, Math.floor(kwh / 4));
        const peak = randomInt(random, 0, Math.floor(kwh / 3));
        const flat = randomInt(random, 0, kwh - sharp - peak);
        const input: PricingInput = {
          ...monthInput('2025-07', 0), customerClass: 'industrial', kwhMilli: kwh,
          touKwhMilli: { sharp, peak, flat, valley: kwh - sharp - peak - flat },
          demandMilli: randomInt(random, 0, 5_000_000), contractKva: randomInt(random, 100, 5000),
          pfStandard: [0.9, 0.85, 0.8][i % 3]!, kvarhMilli: randomInt(random, 0, kwh),
        };
        const bill = priceBill(tariff, input);
        expect(lineSum(bill), `${rounding} seed 16 bill ${i}`).toBe(bill.totalMinor);
        if (rounding === 'per_bill') expect(bill.totalMinor, `seed 16 bill ${i}`).toBe(exactTotalRounded(bill.lineItems));
      }
    }
  });

  it('per_charge: a charge of one line shows quantity × rate = amount (fixed items, surcharges)', () => {
    const tariff = compileTariff(policyFromYaml(`
id: ONE
name: One-line charges
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    fixed:
      - { label: A, per: month, amount: 0.125 }
      - { label: B, per: month, amount: 0.125 }
      - { label: C, per: day, amount: 0.0155 }
    energy: { rate: 0.5 }
    surcharges:
      - { label: F1, rate: 0.0125 }
      - { label: F2, rate: 0.0125 }
`));
    // Each 0.125 → 0.13 (grouped, the second would have been 0.12); 30 days × 0.0155 = 0.465 → 0.47;
    // 1 kWh × 0.0125 = 0.0125 → 0.01 each.
    const bill = priceBill(tariff, monthInput('2025-06', 1));
    expect(amounts(bill)).toEqual([['A', 13], ['B', 13], ['C', 47], ['Energy', 50], ['F1', 1], ['F2', 1]]);
  });
});
