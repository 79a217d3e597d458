import { describe, expect, it } from 'vitest';
import { powerFactorHundredths, priceBill } from '../../src/tariff/index.js';
import { monthInput, prng, randomInt, sample, tou } from './helpers.js';

/** PF hundredths by integer arithmetic only: the largest h with 100·PF ≥ h − ½. */
function referencePf(p: number, q: number): number {
  const P = BigInt(p);
  const norm = P * P + BigInt(q) * BigInt(q);
  let h = 100;
  while (h > 0 && 40000n * P * P < BigInt(2 * h - 1) ** 2n * norm) h--;
  return h;
}

const ind = sample('IND-2P');
const industrial = (extra: Parameters<typeof monthInput>[2]) => monthInput('2025-07', 400_000, {
  customerClass: 'industrial', touKwhMilli: tou(20_000, 100_000, 180_000, 100_000), demandMilli: 1_100_000, contractKva: 1000,
  ...extra,
});

describe('power factor', () => {
  it('is kWh / sqrt(kWh² + kvarh²) rounded half-up to 0.01', () => {
    // 400 / sqrt(400² + 250²) = 0.8480 → 0.85
    expect(powerFactorHundredths(400_000, 250_000)).toBe(85);
    expect(powerFactorHundredths(3, 4)).toBe(60);
    expect(powerFactorHundredths(1000, 0)).toBe(100);
    expect(powerFactorHundredths(0, 1000)).toBe(0);
    expect(powerFactorHundredths(0, 0)).toBe(-1);
  });

  it('agrees with exact integer arithmetic near rounding boundaries (seeded)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const random = prng(seed);
      const p = randomInt(random, 1, 2_000_000_000);
      // Aim at a PF of exactly x.xx5 so the float estimate sits on a boundary.
      const target = (randomInt(random, 50, 99) + 0.5) / 100;
      const q = Math.round(p * Math.sqrt(1 / (target * target) - 1)) + randomInt(random, -1, 1);
      expect(powerFactorHundredths(p, q), `seed ${seed}`).toBe(referencePf(p, q));
    }
  });
});

describe('IND-2P industrial two-part bill', () => {
  it('prices every component by hand', () => {
    // Energy: 20000 × 1.1059 = 22118.00; 100000 × 0.8847 = 88470.00; 180000 × 0.5204 = 93672.00;
    //         100000 × 0.1978 = 19780.00                                        → 224040.00
    // Demand: threshold 1000 kVA × 1.05 = 1050 kW; 1050 × 32 = 33600.00; 50 × 64 = 3200.00
    // PF: 400000 / sqrt(400000² + 250000²) = 0.848 → 0.85; standard 0.90 → +0.5% × 5 = +2.5%
    //     of 224040 + 33600 + 3200 = 260840.00 → 6521.00
    // Funds (outside the PF base): 400000 × (0.019 + 0.00196875 + 0.0062) = 7600 + 787.50 + 2480
    // VAT 13% added on 260840 + 6521 + 10867.50 = 278228.50 → 36169.705 → 36169.71
    // Total 314398.21
    const bill = priceBill(ind, industrial({ pfStandard: 0.9, kvarhMilli: 250_000_000 }));
    expect(bill.lineItems.map((l) => [l.component, l.label, l.quantityMilli, l.rate, l.amountMinor])).toEqual([
      ['tou', 'Critical peak', 20_000_000, '1.1059', 2_211_800],
      ['tou', 'Peak', 100_000_000, '0.8847', 8_847_000],
      ['tou', 'Flat', 180_000_000, '0.5204', 9_367_200],
      ['tou', 'Valley', 100_000_000, '0.1978', 1_978_000],
      ['demand', 'Maximum demand', 1_050_000, '32', 3_360_000],
      ['demand_penalty', 'Demand above 105% of contract', 50_000, '64', 320_000],
      ['pf_adjustment', 'Power factor adjustment (PF 0.85, standard 0.90)', 260_840_000, '0.025', 652_100],
      ['surcharge', 'Renewable energy surcharge', 400_000_000, '0.019', 760_000],
      ['surcharge', 'Major water projects fund', 400_000_000, '0.00196875', 78_750],
      ['surcharge', 'Reservoir resettlement fund', 400_000_000, '0.0062', 248_000],
      ['tax', 'VAT 13%', 278_228_500, '0.13', 3_616_971],
    ]);
    expect(bill.totalMinor).toBe(31_439_821);
    expect(bill.lineItems.find((l) => l.component === 'pf_adjustment')?.unit).toBe('CNY');
  });

  it('looks the PF up in the table of the account\'s standard', () => {
    const rateAt = (standard: number, kwh: number, kvarh: number) => priceBill(ind, industrial({
      pfStandard: standard, kwhMilli: kwh, kvarhMilli: kvarh,
    })).lineItems.find((l) => l.component === 'pf_adjustment')?.rate;
    // PF 1.00 under 0.90: −0.75%; 3-4-5 triangle PF 0.60 under 0.90: 15% + 2% × 5 = +25%
    expect(rateAt(0.9, 1000, 0)).toBe('-0.0075');
    expect(rateAt(0.9, 3000, 4000)).toBe('0.25');
    // PF 0.92 (kvarh = kWh × tan(acos 0.92) ≈ 0.426) under 0.90: −0.15% × 2 = −0.30%
    expect(powerFactorHundredths(1_000_000, 426_000)).toBe(92);
    expect(rateAt(0.9, 1_000_000, 426_000)).toBe('-0.003');
    // Same PF under 0.85: −0.5% − 0.15% × 2 = −0.80%; under 0.80: −1.3%
    expect(rateAt(0.85, 1_000_000, 426_000)).toBe('-0.008');
    expect(rateAt(0.8, 1_000_000, 426_000)).toBe('-0.013');
    // Exactly at the standard there is no adjustment line: 0.80 = 4-3-5
    expect(rateAt(0.8, 4000, 3000)).toBeUndefined();
  });

  it('skips accounts without a PF standard and needs kvarh for those with one', () => {
    expect(priceBill(ind, industrial({})).lineItems.some((l) => l.component === 'pf_adjustment')).toBe(false);
    expect(() => priceBill(ind, industrial({ pfStandard: 0.9 }))).toThrow(expect.objectContaining({ code: 'missing_reactive' }));
    expect(() => priceBill(ind, industrial({ pfStandard: 0.95, kvarhMilli: 1 })))
      .toThrow(expect.objectContaining({ code: 'pf_standard_unsupported' }));
  });
});
