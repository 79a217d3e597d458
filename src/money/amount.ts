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
 * n / d rounded half-up (half away from zero) for safe integers n and d > 0. The quotient comes
 * from a float division, which can be one off; the remainder a − q·d is exact while a + d ≤ 2^53
 * and puts it right. Larger values take `%`, exact for integers but a slower library call.
 */
export function roundHalfUpDiv(n: number, d: number): number {
  const negative = n < 0;
  const a = negative ? -n : n;
  let q: number;
  let r: number;
  if (a + d <= Number.MAX_SAFE_INTEGER) {
    q = Math.floor(a / d);
    r = a - q * d;
    if (r < 0) {
      q--;
      r += d;
    } else if (r >= d) {
      q++;
      r -= d;
    }
  } else {
    r = a % d;
    q = (a - r) / d;
  }
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
  const scale = rates[0]!.scale;
  for (let i = 1; i < count; i++) {
    if (rates[i]!.scale !== scale) throw new RangeError('lines of one charge must share a price scale');
  }
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

/** An exact ratio of integers, applied to integer quantities with half-up rounding. */
export interface Fraction {
  readonly units: number;
  readonly unitsBig: bigint;
  readonly divisor: number;
  readonly divisorBig: bigint;
}

export function fractionOf(numerator: bigint, denominator: bigint): Fraction {
  if (denominator <= 0n) throw new RangeError('a fraction needs a positive denominator');
  return { units: safeOrNaN(numerator), unitsBig: numerator, divisor: safeOrNaN(denominator), divisorBig: denominator };
}

/** A decimal as a fraction: 1.05 → 105/100. */
export function decimalFraction(d: Decimal): Fraction {
  return fractionOf(d.units, 10n ** BigInt(d.scale));
}

/** n × fraction, rounded half-up. */
export function applyFraction(n: number, f: Fraction): number {
  const product = n * f.units;
  if (Math.abs(product) <= Number.MAX_SAFE_INTEGER && f.divisor === f.divisor) return roundHalfUpDiv(product, f.divisor);
  return Number(roundHalfUpDivBig(BigInt(n) * f.unitsBig, f.divisorBig));
}
