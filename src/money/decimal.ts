// Exact decimal numbers for prices and quantities read from tariff files.
//
// A Decimal is an integer count of 10^-scale units held as a BigInt. Parsing goes from text, never
// through a binary float, so "0.58886875" is exactly 58886875 × 10^-8. These values are used when
// a tariff is compiled (off the hot path); pricing itself works on scaled JS integers (amount.ts).

export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_TEXT = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Exact value of decimal text (exponents allowed: a JS number's shortest text may use them). */
export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) return undefined;
  let units = BigInt(`${m[2]}${fraction}`);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return normalise({ units: m[1] === '-' ? -units : units, scale });
}

/**
 * Exact value of a policy field that may arrive as text or as a JS number. A number is taken by
 * its shortest round-trip text (what a person typed in JSON for any price with ≤ 15 digits).
 */
export function decimalOf(value: string | number): Decimal | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? parseDecimal(String(value)) : undefined;
  return parseDecimal(value);
}

/** Strips trailing fractional zeros so equal values have equal representations. */
export function normalise(d: Decimal): Decimal {
  let { units, scale } = d;
  if (units === 0n) return ZERO;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale--;
  }
  return { units, scale };
}

export const ZERO: Decimal = { units: 0n, scale: 0 };
export const ONE: Decimal = { units: 1n, scale: 0 };

/** Units of `d` at a larger or equal scale. */
export function unitsAtScale(d: Decimal, scale: number): bigint {
  if (scale < d.scale) throw new RangeError(`scale ${scale} would lose digits of a ${d.scale}-digit decimal`);
  return d.units * 10n ** BigInt(scale - d.scale);
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return normalise({ units: unitsAtScale(a, scale) + unitsAtScale(b, scale), scale });
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return normalise({ units: a.units * b.units, scale: a.scale + b.scale });
}

/** Shifts the decimal point: `shift(d, -2)` divides by 100 exactly. */
export function shift(d: Decimal, places: number): Decimal {
  if (places >= 0) return normalise({ units: d.units * 10n ** BigInt(places), scale: d.scale });
  return normalise({ units: d.units, scale: d.scale - places });
}

export function compare(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = unitsAtScale(a, scale);
  const y = unitsAtScale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Integer quotient n / d rounded half-up (half away from zero); d > 0. */
export function roundHalfUpDivBig(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const a = negative ? -n : n;
  let q = a / d;
  if ((a - q * d) * 2n >= d) q++;
  return negative ? -q : q;
}

/** `d` rounded half-up (away from zero) to `decimals` fractional digits. */
export function roundDecimal(d: Decimal, decimals: number): Decimal {
  if (d.scale <= decimals) return d;
  return normalise({ units: roundHalfUpDivBig(d.units, 10n ** BigInt(d.scale - decimals)), scale: decimals });
}

/** Canonical text: no exponent, no trailing zeros, "-" for negatives ("0.58886875", "-0.0075", "2"). */
export function formatDecimal(d: Decimal): string {
  const negative = d.units < 0n;
  const digits = (negative ? -d.units : d.units).toString();
  if (d.scale === 0) return `${negative ? '-' : ''}${digits}`;
  const padded = digits.padStart(d.scale + 1, '0');
  const whole = padded.slice(0, padded.length - d.scale);
  const fraction = padded.slice(padded.length - d.scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** The value as an integer count of thousandths, or undefined when it has finer digits. */
export function toMilli(d: Decimal): number | undefined {
  if (d.scale > 3) return undefined;
  const milli = unitsAtScale(d, 3);
  const n = Number(milli);
  return Number.isSafeInteger(n) ? n : undefined;
}
