// Quantity × price → amount in minor units, exactly, on the hot path.
//
// A price compiled for a currency is an integer count of 10^-scale units plus the divisor that
// turns "thousandths of a unit × price units" into minor units: 10^(3 + scale − minorDigits).
// Products stay in JS numbers while they are safe integers (≤ 2^53 − 1, where every integer is
// exact); past that the same sum is redone in BigInt, so results never depend on which path ran.
import { type Decimal, formatDecimal, roundHalfUpDivBig, unitsAtScale } from './decimal.js';

export interface ScaledRate {
  /** Canonical decimal text of the price, as line items carry it. */
  readonly text: string;
  /** Price units at `scale`; NaN when not a safe integer (forces the BigInt path). */
  readonly units: number;
  readonly unitsBig: bigint;
  readonly scale: number;
  /** 10^(3 + scale − minorDigits); NaN when not a safe integer. */
  readonly divisor: number;
  readonly divisorBig: bigint;
}

/** Largest minor-unit exponent supported: quantities are thousandths, so 3 keeps divisors integral. */
export const MAX_MINOR_DIGITS = 3;

export function scaledRate(rate: Decimal, minorDigits: number, scale: number = rate.scale): ScaledRate {
  if (minorDigits > MAX_MINOR_DIGITS) throw new RangeError(`currencies with ${minorDigits} minor digits are not supported`);
  const unitsBig = unitsAtScale(rate, scale);
  const divisorBig = 10n ** BigInt(3 + scale - minorDigits);
  return {
    text: formatDecimal(rate),
    units: safeOrNaN(unitsBig),
    unitsBig,
    scale,
    divisor: safeOrNaN(divisorBig),
    divisorBig,
  };
}

function safeOrNaN(n: bigint): number {
  const x = Number(n);
  return Number.isSafeInteger(x) ? x : Number.NaN;
}

/**
 * n / d rounded half-up (half away from zero) for safe integers n and d > 0. `n % d` is exact for
 * integers and `n − n % d` is an exact multiple of d, so the division below is exact too.
 */
export function roundHalfUpDiv(n: number, d: number): number {
  const negative = n < 0;
  const a = negative ? -n : n;
  const r = a % d;
  let q = (a - r) / d;
  if (r * 2 >= d) q++;
  // 0 − q rather than −q: a −0 amount would compare unequal under Object.is.
  return negative ? 0 - q : q;
}

/** Amount in minor units of `quantityMilli` thousandths at `rate`, rounded half-up. */
export function amountMinor(quantityMilli: number, rate: ScaledRate): number {
  const product = quantityMilli * rate.units;
  if (Math.abs(product) <= Number.MAX_SAFE_INTEGER && rate.divisor === rate.divisor) {
    return roundHalfUpDiv(product, rate.divisor);
  }
  return Number(roundHalfUpDivBig(BigInt(quantityMilli) * rate.unitsBig, rate.divisorBig));
}

/**
 * Amounts of a charge made of several lines priced at rates of one common scale.
 *
 * `perLine`: each line is rounded on its own. Otherwise the charge is rounded once on its exact
 * total and each line gets the difference of rounded running totals: lines stay within one minor
 * unit of their own exact amount and add up to the correctly rounded total (this is how the
 * published tier examples come out: 700 kWh in July is 459.21, not the 459.22 of three roundings).
 */
export function settleAmounts(
  quantities: ArrayLike<number>, rates: ArrayLike<ScaledRate>, count: number, perLine: boolean, out: number[] | Float64Array,
): void {
  if (count === 0) return;
  const divisor = rates[0]!.divisor;
  if (divisor === divisor) {
    let running = 0;
    let previous = 0;
    let fast = true;
    for (let i = 0; i < count; i++) {
      const product = quantities[i]! * rates[i]!.units;
      if (!(Math.abs(product) <= Number.MAX_SAFE_INTEGER)) {
        fast = false;
        break;
      }
      if (perLine) {
        out[i] = roundHalfUpDiv(product, divisor);
        continue;
      }
      running += product;
      if (!(Math.abs(running) <= Number.MAX_SAFE_INTEGER)) {
        fast = false;
        break;
      }
      const rounded = roundHalfUpDiv(running, divisor);
      out[i] = rounded - previous;
      previous = rounded;
    }
    if (fast) return;
  }
  settleAmountsBig(quantities, rates, count, perLine, out);
}

function settleAmountsBig(
  quantities: ArrayLike<number>, rates: ArrayLike<ScaledRate>, count: number, perLine: boolean, out: number[] | Float64Array,
): void {
  const divisor = rates[0]!.divisorBig;
  let running = 0n;
  let previous = 0n;
  for (let i = 0; i < count; i++) {
    const product = BigInt(quantities[i]!) * rates[i]!.unitsBig;
    if (perLine) {
      out[i] = Number(roundHalfUpDivBig(product, divisor));
      continue;
    }
    running += product;
    const rounded = roundHalfUpDivBig(running, divisor);
    out[i] = Number(rounded - previous);
    previous = rounded;
  }
}
