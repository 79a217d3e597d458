// The factors that make the trimmed RMS of an account's month-to-month changes a MAD
// (src/billing/spread.ts), checked by a simulation of their own: for every number of changes m,
// sequences of m + 1 independent normal months (σ = 1), the RMS of the smallest keptChanges(m)
// |changes| times the factor must average 0.6745 — what a MAD of normal values is.
import { expect, it } from 'vitest';
import { CHANGE_SPREAD_FACTORS, keptChanges } from '../../src/billing/index.js';
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
