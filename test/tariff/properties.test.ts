// Property tests from fixed seeds: each failure names the seed that reproduces it.
import { describe, expect, it } from 'vitest';
import type { PricingInput } from '../../schemas/bill.js';
import { epochDay, periodOfDay } from '../../src/calendar/index.js';
import { parseDecimal } from '../../src/money/index.js';
import { priceBill, splitByDays } from '../../src/tariff/index.js';
import { lineSum, prng, randomInt, sample, tariffFromYaml } from './helpers.js';

const SEEDS = 400;

function randomSplit(random: () => number, total: number, parts: number): number[] {
  const cuts = Array.from({ length: parts - 1 }, () => randomInt(random, 0, total)).sort((a, b) => a - b);
  return [...cuts, total].map((cut, i) => cut - (i === 0 ? 0 : cuts[i - 1]!));
}

function randomInput(random: () => number, opts: { from: string; to: string; sharp: boolean }): PricingInput {
  const first = epochDay(opts.from);
  const startDay = randomInt(random, first, epochDay(opts.to));
  const endDay = startDay + randomInt(random, 1, 62);
  const kwhMilli = randomInt(random, 0, 3_000_000);
  const [sharp, peak, flat, valley] = randomSplit(random, kwhMilli, 4) as [number, number, number, number];
  const demandMetered = random() < 0.8;
  return {
    period: periodOfDay(endDay - 1),
    startDay,
    endDay,
    customerClass: 'residential',
    householdSize: randomInt(random, 1, 7),
    contractKva: randomInt(random, 50, 2000),
    pfStandard: [0.9, 0.85, 0.8][randomInt(random, 0, 2)]!,
    kwhMilli,
    touKwhMilli: opts.sharp ? { sharp, peak, flat, valley } : { sharp: 0, peak: peak + sharp, flat, valley },
    demandMilli: demandMetered ? randomInt(random, 0, 2_500_000) : null,
    touDemandMilli: null,
    kvarhMilli: randomInt(random, 0, 3_000_000),
    ytdKwhMilli: randomInt(random, 0, 5_000_000),
    ytdAmountMinor: randomInt(random, 0, 500_000),
  };
}

/** |amount − quantity × rate| ≤ one minor unit (2-digit currencies): lines share a charge's rounding. */
function withinOneMinorUnit(line: { quantityMilli: number; rate: string; amountMinor: number }): boolean {
  const rate = parseDecimal(line.rate)!;
  const divisor = 10n ** BigInt(1 + rate.scale);
  const diff = BigInt(line.amountMinor) * divisor - BigInt(line.quantityMilli) * rate.units;
  return (diff < 0n ? -diff : diff) <= divisor;
}

describe('every bill of every sample', () => {
  const samples: [string, boolean][] = [
    ['GD-RES', false], ['RES-TOU', false], ['COM-TOU', true], ['IND-2P', true], ['RES-MKT', false], ['AGR-FLAT', false],
    ['EXAMPLE-ANNOTATED', true],
  ];
  for (const [id, sharp] of samples) {
    it(`${id}: line items add up to the total and stay within a fen of quantity × rate`, () => {
      const tariff = sample(id);
      for (let seed = 1; seed <= SEEDS; seed++) {
        const input = randomInput(prng(seed), { from: '2020-01-01', to: '2026-10-01', sharp });
        const bill = priceBill(tariff, input);
        expect(lineSum(bill), `${id} seed ${seed}`).toBe(bill.totalMinor);
        for (const line of bill.lineItems) expect(withinOneMinorUnit(line), `${id} seed ${seed}: ${line.label}`).toBe(true);
      }
    });
  }
});

describe('splitting a period at version changes', () => {
  const tariff = tariffFromYaml(`
id: SPLIT
name: Three versions
currency: CNY
versions:
  - version: a
    effective_from: 2019-01-01
    effective_to: 2025-03-10
    fixed: [{ per: month, amount: 30 }]
    energy: { tou: { rates: { peak: 1.1, flat: 0.6, valley: 0.3 } } }
    surcharges: [{ label: Fund, rate: 0.019 }]
  - version: b
    effective_from: 2025-03-11
    effective_to: 2025-03-25
    fixed: [{ per: month, amount: 31 }]
    energy: { tou: { rates: { peak: 1.2, flat: 0.62, valley: 0.31 } } }
    surcharges: [{ label: Fund, rate: 0.02 }]
  - version: c
    effective_from: 2025-03-26
    fixed: [{ per: month, amount: 32 }]
    energy: { tou: { rates: { peak: 1.3, flat: 0.65, valley: 0.32 } } }
    surcharges: [{ label: Fund, rate: 0.021 }]
`);

  it('conserves every quantity exactly', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const input = randomInput(prng(seed), { from: '2025-02-01', to: '2025-03-24', sharp: false });
      const bill = priceBill(tariff, input);
      const sum = (filter: (label: string, unit: string) => boolean) =>
        bill.lineItems.filter((l) => filter(l.label, l.unit)).reduce((s, l) => s + l.quantityMilli, 0);
      const tou = input.touKwhMilli!;
      expect(sum((label) => label === 'Peak'), `seed ${seed}`).toBe(tou.peak);
      expect(sum((label) => label === 'Flat'), `seed ${seed}`).toBe(tou.flat);
      expect(sum((label) => label === 'Valley'), `seed ${seed}`).toBe(tou.valley);
      expect(sum((label) => label === 'Fund'), `seed ${seed}`).toBe(input.kwhMilli);
      expect(sum((_, unit) => unit === 'month'), `seed ${seed}`).toBe(1000);
      expect(lineSum(bill), `seed ${seed}`).toBe(bill.totalMinor);
    }
  });

  it('splitByDays always returns parts that add up and stay within one unit of the exact share', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const random = prng(seed);
      const total = randomInt(random, 0, 2 ** 45);
      const days = Array.from({ length: randomInt(random, 1, 5) }, () => randomInt(random, 1, 31));
      const parts = splitByDays(total, days);
      const sumDays = days.reduce((a, b) => a + b, 0);
      expect(parts.reduce((a, b) => a + b, 0), `seed ${seed}`).toBe(total);
      parts.forEach((part, i) => expect(Math.abs(part - (total * days[i]!) / sumDays), `seed ${seed}`).toBeLessThan(1.0001));
    }
  });
});

describe('TOU with all rates equal', () => {
  const equal = tariffFromYaml(`
id: EQ
name: Equal TOU rates
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy:
      tou:
        rates: { flat: 0.58886875, peak: { of: flat }, valley: { of: flat, times: 1 }, sharp: { of: peak, times: 1.0 } }
`);
  const flat = tariffFromYaml(`
id: FLAT
name: Flat
currency: CNY
versions:
  - version: v1
    effective_from: 2019-01-01
    energy: { rate: 0.58886875 }
`);

  it('bills the same whatever the TOU split', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const input = randomInput(prng(seed), { from: '2024-01-01', to: '2025-12-01', sharp: true });
      const reference = priceBill(flat, input).totalMinor;
      expect(priceBill(equal, input).totalMinor, `seed ${seed}`).toBe(reference);
      const random = prng(seed * 7919);
      const [sharp, peak, flatKwh, valley] = randomSplit(random, input.kwhMilli, 4) as [number, number, number, number];
      const resplit = { ...input, touKwhMilli: { sharp, peak, flat: flatKwh, valley } };
      expect(priceBill(equal, resplit).totalMinor, `seed ${seed}`).toBe(reference);
    }
  });
});
