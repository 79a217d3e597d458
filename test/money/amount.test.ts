import { describe, expect, it } from 'vitest';
import {
  amountMinor, applyFraction, decimalFraction, fractionOf, parseDecimal, roundHalfUpDiv, scaledRate, settleAmounts,
} from '../../src/money/index.js';
import { prng, randomInt } from '../tariff/helpers.js';

const rate = (text: string, digits = 2, scale?: number) => scaledRate(parseDecimal(text)!, digits, scale);

describe('quantity × price in minor units', () => {
  it('rounds half-up to the minor unit', () => {
    // 260 kWh × 0.58886875 = 153.105875 → 153.11
    expect(amountMinor(260_000, rate('0.58886875'))).toBe(15311);
    // 1 kWh × 0.005 = 0.005 → 0.01 (half rounds up)
    expect(amountMinor(1000, rate('0.005'))).toBe(1);
    // 1 kWh × 0.0049 → 0.00
    expect(amountMinor(1000, rate('0.0049'))).toBe(0);
    // JPY has no minor digits: 10 kWh × 31.55 = 315.5 → 316
    expect(amountMinor(10_000, rate('31.55', 0))).toBe(316);
    // Three-digit dinars: 1 kWh × 0.0125 = 0.0125 → 0.013
    expect(amountMinor(1000, rate('0.0125', 3))).toBe(13);
  });

  it('divides exactly on both the float and the remainder path (seeded)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const random = prng(seed);
      // Half the cases near 2^53, where a float quotient is off and the % path takes over.
      const n = seed % 2 === 0 ? Number.MAX_SAFE_INTEGER - randomInt(random, 0, 2 ** 30) : randomInt(random, 0, 2 ** 50);
      const d = 10 ** randomInt(random, 0, 12);
      const expected = Number((BigInt(n) * 2n + BigInt(d)) / (2n * BigInt(d)));
      expect(roundHalfUpDiv(n, d), `seed ${seed}`).toBe(expected);
      expect(roundHalfUpDiv(-n, d), `seed ${seed}`).toBe(expected === 0 ? 0 : -expected);
    }
  });

  it('rounds negative amounts away from zero and never returns −0', () => {
    expect(roundHalfUpDiv(-15, 10)).toBe(-2);
    expect(roundHalfUpDiv(-14, 10)).toBe(-1);
    expect(Object.is(roundHalfUpDiv(-4, 10), 0)).toBe(true);
    // −0.75% of 1000.00 = −7.50
    expect(amountMinor(1_000_000, rate('-0.0075'))).toBe(-750);
  });

  it('agrees with BigInt arithmetic past 2^53', () => {
    // 9e9 kWh at 1.38125 is beyond 2^53 in thousandths × units: the BigInt path must take over.
    const r = rate('1.38125');
    const q = 9_000_000_000_000;
    const exact = (BigInt(q) * 138125n * 100n + 5n * 10n ** 7n) / 10n ** 8n;
    expect(amountMinor(q, r)).toBe(Number(exact));
  });

  it('fast and BigInt paths agree on random products (seeded)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = prng(seed);
      const text = `${randomInt(random, 0, 99)}.${String(randomInt(random, 0, 99_999_999)).padStart(8, '0')}`;
      const q = randomInt(random, 0, 2 ** 40);
      const r = rate(text);
      const big = Number((BigInt(q) * r.unitsBig * 2n + r.divisorBig) / (2n * r.divisorBig));
      expect(amountMinor(q, r), `seed ${seed}`).toBe(big);
    }
  });
});

describe('settling a charge', () => {
  it('rounds a charge once and shares the rounding among its lines', () => {
    // 700 kWh in July (Guangdong): 153.105875 + 217.215375 + 88.886875 = 459.208125 → 459.21.
    // Running totals 153.11, 370.32, 459.21 give lines 153.11 + 217.21 + 88.89.
    const rates = ['0.58886875', '0.63886875', '0.88886875'].map((t) => rate(t));
    const out: number[] = [];
    settleAmounts([260_000, 340_000, 100_000], rates, 3, false, out);
    expect(out).toEqual([15311, 21721, 8889]);
    settleAmounts([260_000, 340_000, 100_000], rates, 3, true, out);
    // Rounded line by line: 153.11 + 217.22 + 88.89 = 459.22.
    expect(out).toEqual([15311, 21722, 8889]);
  });

  it('refuses lines of different scales', () => {
    expect(() => settleAmounts([1, 1], [rate('0.5'), rate('0.25')], 2, false, [])).toThrow(/scale/);
  });

  it('falls back to BigInt when a running total passes 2^53', () => {
    const r = rate('0.99500875', 2, 8);
    const q = 8_000_000_000;
    const out: number[] = [];
    settleAmounts([q, q], [r, r], 2, false, out);
    // 8e6 kWh × 0.99500875 = 7960070 exactly, twice.
    expect(out).toEqual([796_007_000, 796_007_000]);
  });
});

describe('fractions', () => {
  it('applies exact ratios with half-up rounding', () => {
    // 105% of a 1000 kVA contract = 1050 kVA
    expect(applyFraction(1_000_000, decimalFraction(parseDecimal('1.05')!))).toBe(1_050_000);
    // VAT inside 113.00 at 13% = 113 × 0.13 / 1.13 = 13.00
    expect(applyFraction(11300, fractionOf(13n, 113n))).toBe(1300);
    expect(applyFraction(-15, fractionOf(1n, 10n))).toBe(-2);
  });
});
