// Counter-based randomness: every draw is a pure hash of (seed, stream, i, j). No generator state
// means any account's month can be produced in any order, or again, with the same value — the
// month-by-month streaming loop, the account file and the interval loop all agree on an account's
// attributes without passing them around, and the output does not depend on iteration order.

/** Streams keep draws for different purposes independent; values are arbitrary but fixed. */
export const Stream = {
  customerClass: 1, tariff: 2, region: 3, cycleDay: 4, digits: 5, multiplier: 6, household: 7,
  baseLoad: 8, acSensitivity: 9, growth: 10, powerFactor: 11, loadFactor: 12, contract: 13,
  startDate: 14, event: 15, eventPeriod: 16, eventDay: 17, eventLength: 18, vacancyDepth: 19,
  anomaly: 20, anomalyOnset: 21, anomalyLength: 22, anomalyFactor: 23, anomalyMode: 24,
  jitter: 25, noise: 26, touShares: 27, touNoise: 28, demandNoise: 29, kvarhNoise: 30,
  estimate: 31, customerRead: 32, initialRegister: 33, newMeterRegister: 34, name: 35, address: 36,
  heatWave: 37, intervalShape: 38, intervalNoise: 39, pfStandard: 40,
  volatility: 41, volatileAccount: 42, catchUpExcess: 43, intervalOnly: 44, heating: 45,
} as const;

/** lowbias32 (C. Wellons): a cheap 32-bit mixer with good avalanche. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

export function hash32(seed: number, stream: number, i: number, j = 0): number {
  let h = mix32((seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0);
  h = mix32((h + Math.imul(i + 1, 0x85ebca77)) >>> 0);
  return mix32((h ^ Math.imul(j + 1, 0xc2b2ae3d)) >>> 0);
}

/** Uniform in [0, 1). */
export function uniform(seed: number, stream: number, i: number, j = 0): number {
  return hash32(seed, stream, i, j) / 4294967296;
}

/** Integer in [min, max], both included. */
export function uniformInt(seed: number, stream: number, i: number, j: number, min: number, max: number): number {
  return min + Math.floor(uniform(seed, stream, i, j) * (max - min + 1));
}

/** Standard normal (Box–Muller over two hashes of the same counter). */
export function normal(seed: number, stream: number, i: number, j = 0): number {
  const h = hash32(seed, stream, i, j);
  const u1 = (h + 0.5) / 4294967296;
  const u2 = mix32((h ^ 0x5bd1e995) >>> 0) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Index picked from `weights` (need not sum to 1) by a uniform draw `u`. */
export function pickWeighted(u: number, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let at = u * total;
  for (let i = 0; i < weights.length; i++) {
    at -= weights[i]!;
    if (at < 0) return i;
  }
  return weights.length - 1;
}
