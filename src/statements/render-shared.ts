// Cell texts the HTML and the text statement share, so both say the same thing the same way.
import type { RegisterReads, Statement } from '../../schemas/statement.js';
import { decimalTimes100, formatMilli, formatMilliFixed, type Labels } from './locale.js';

type LineItem = Statement['lineItems'][number];

/**
 * A line's quantity with its unit. Lines priced on money (tax, power-factor adjustment, minimum
 * top-up) carry the base amount in thousandths of the currency: shown as an amount.
 */
export function chargeQuantity(t: Labels, item: LineItem, currency: string, minorDigits: number): string {
  if (item.unit === currency) return formatMilliFixed(item.quantityMilli, minorDigits);
  return `${formatMilli(item.quantityMilli, 3)} ${t.units[item.unit] ?? item.unit}`;
}

/** A line's rate: a price per unit, or a percentage of a money base (a minimum top-up has none). */
export function chargeRate(t: Labels, item: LineItem, currency: string, currencyUnit: string): string {
  if (item.unit === currency) return item.component === 'minimum' ? '' : `${decimalTimes100(item.rate)}%`;
  return `${item.rate} ${currencyUnit}/${t.units[item.unit] ?? item.unit}`;
}

export function registerQuantity(t: Labels, r: RegisterReads): string {
  return `${formatMilli(r.quantityMilli, 3)} ${t.units[r.unit]}`;
}

/** Decimals a register's reads need: none for whole-unit dials, three when either read has a fraction. */
export function readDecimals(r: RegisterReads): number {
  return (r.opening && r.opening.valueMilli % 1000 !== 0) || r.closing.valueMilli % 1000 !== 0 ? 3 : 0;
}
