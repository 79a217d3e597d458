// The factors that make the trimmed RMS of an account's month-to-month changes a MAD
// (src/billing/spread.ts), checked by a simulation of their own: for every number of changes m,
// sequences of m + 1 independent normal months (σ = 1), the RMS of the smallest keptChanges(m)
// |changes| times the factor must average 0.6745 — what a MAD of normal values is.
import { expect, it } from 'vitest';
import { CHANGE_SPREAD_FACTORS, keptChanges, NULL_LEVEL_Z, NULL_SHIFT_Z } from '../../src/billing/index.js';
import { median } from '../helpers.js';
import { prng } from '../tariff/helpers.js';

const MAD_OF_NORMAL = 0.6744897501960817;
const SEQUENCES = 20_000;

function normal(random: () => number): number {
  // Box–Muller: 1 − u keeps the logarithm's argument above 0.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function trimmedRms(changes: number[]): number {
  const kept = changes.map(Math.abs).sort((a, b) => a - b).slice(0, keptChanges(changes.length));
  return Math.sqrt(kept.reduce((s, c) => s + c * c, 0) / kept.length);
}

it('scales the trimmed RMS of 1 to 23 changes between normal months to the MAD of a normal', () => {
  expect(CHANGE_SPREAD_FACTORS).toHaveLength(23);
  const random = prng(7);
  CHANGE_SPREAD_FACTORS.forEach((factor, i) => {
    const m = i + 1;
    let sum = 0;
    for (let n = 0; n < SEQUENCES; n++) {
      const months = Array.from({ length: m + 1 }, () => normal(random));
      sum += trimmedRms(months.slice(1).map((x, k) => x - months[k]!));
    }
    // The mean's standard error is at most 0.75 / √20,000 ≈ 0.5% (m = 1): 2.5% is five of them.
    expect(Math.abs((factor * sum) / SEQUENCES / MAD_OF_NORMAL - 1), `m = ${m}`).toBeLessThan(0.025);
  });
});

/**
 * The class's median z for accounts of 25 months with lag-one autocorrelation φ: the 25th month
 * against the median of the 12 before it or against the 13th month (a year before, / √2),
 * whichever is nearer, over the spread of the 24 months' 23 changes; and the same with the
 * average of the first and the last three months' median: spread-scales' two statistics.
 */
function medianZ(phi: number, accounts: number, random: () => number): [number, number] {
  const z: number[] = [];
  const q: number[] = [];
  for (let a = 0; a < accounts; a++) {
    const x = [normal(random)];
    for (let t = 1; t < 25; t++) x.push(phi * x[t - 1]! + Math.sqrt(1 - phi * phi) * normal(random));
    const spread = trimmedRms(x.slice(1, 24).map((v, k) => v - x[k]!)) * CHANGE_SPREAD_FACTORS[22]!;
    const base = median(x.slice(12, 24));
    const d = x[24]! - base;
    const recent = median(x.slice(21, 24)) - base;
    const yoy = Math.abs(x[24]! - x[12]!) / Math.SQRT2;
    z.push(Math.min(Math.abs(d), yoy) / spread);
    q.push(Math.min(Math.abs((d + 3 * recent) / 4), yoy) / spread);
  }
  return [median(z), median(q)];
}

it('knows the median z of independent months, and finds it larger where months carry over', () => {
  const random = prng(11);
  // 60,000 accounts: the medians' standard errors are about 0.6%.
  const [z, q] = medianZ(0, 60_000, random);
  expect(Math.abs(z / NULL_LEVEL_Z - 1)).toBeLessThan(0.02);
  expect(Math.abs(q / NULL_SHIFT_Z - 1)).toBeLessThan(0.02);
  // With φ 0.8 the changes understate the month's stray from a year's median about twice over.
  const [z8, q8] = medianZ(0.8, 20_000, random);
  expect(z8 / NULL_LEVEL_Z).toBeGreaterThan(1.8);
  expect(q8 / NULL_SHIFT_Z).toBeGreaterThan(2.5);
});
