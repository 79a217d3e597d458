// ISO 4217 currencies a policy may price in, with their minor-unit exponents, and the text forms
// of amounts held in minor units (fen, cents, yen).
import { MAX_MINOR_DIGITS } from './amount.js';

/** Minor-unit digits per ISO 4217 (2024 list). Three-digit dinars are included; 4-digit units are not. */
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  AED: 2, ARS: 2, AUD: 2, BDT: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, COP: 2, CZK: 2,
  DKK: 2, EGP: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 2, IDR: 2, ILS: 2, INR: 2, IQD: 3, ISK: 0, JOD: 3,
  JPY: 0, KES: 2, KRW: 0, KWD: 3, LKR: 2, MAD: 2, MOP: 2, MXN: 2, MYR: 2, NGN: 2, NOK: 2, NZD: 2,
  OMR: 3, PEN: 2, PHP: 2, PKR: 2, PLN: 2, QAR: 2, RON: 2, SAR: 2, SEK: 2, SGD: 2, THB: 2, TND: 3,
  TRY: 2, TWD: 2, UAH: 2, UGX: 0, USD: 2, VND: 0, XAF: 0, XOF: 0, ZAR: 2,
};

export const CURRENCY_CODES: readonly string[] = Object.keys(MINOR_DIGITS).sort();

export function isCurrency(code: string): boolean {
  return Object.hasOwn(MINOR_DIGITS, code);
}

/** Minor-unit digits of an accepted currency; undefined for codes this table does not accept. */
export function minorDigits(code: string): number | undefined {
  const digits = Object.hasOwn(MINOR_DIGITS, code) ? MINOR_DIGITS[code] : undefined;
  return digits !== undefined && digits <= MAX_MINOR_DIGITS ? digits : undefined;
}

function digitsOf(currency: string | number): number {
  if (typeof currency === 'number') return currency;
  const digits = minorDigits(currency);
  if (digits === undefined) throw new RangeError(`unknown currency ${currency}`);
  return digits;
}

/** Text of an amount in minor units: 45921 CNY → "459.21", −5 → "-0.05", 1234 JPY → "1234". */
export function formatMinor(amountMinor: number, currency: string | number): string {
  const digits = digitsOf(currency);
  const negative = amountMinor < 0;
  const text = String(negative ? -amountMinor : amountMinor);
  if (digits === 0) return `${negative ? '-' : ''}${text}`;
  const padded = text.padStart(digits + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** Minor units of amount text with at most the currency's digits ("459.2" → 45920); else undefined. */
export function parseMinor(text: string, currency: string | number): number | undefined {
  const digits = digitsOf(currency);
  const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  if (fraction.length > digits) return undefined;
  const value = Number(`${m[2]}${fraction.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(value)) return undefined;
  return m[1] === '-' ? 0 - value : value;
}

/**
 * Money used as a line-item quantity (a tax base, a minimum-charge shortfall) is written in
 * thousandths of the major unit like every other quantity: minor × 10^(3 − digits). A price of
 * "1" on such a quantity then yields the amount itself.
 */
export function minorToMilli(amountMinor: number, currency: string | number): number {
  return amountMinor * 10 ** (3 - digitsOf(currency));
}
