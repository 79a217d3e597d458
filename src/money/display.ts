// Amounts, grouped digits and percentages as people read them, the same on a statement, in an
// explanation of a bill's change and on a screen. By hand rather than through Intl: these run on
// hot paths, and the texts must not change when the ICU data of a Node release does.
import { formatMinor } from './currency.js';

const SYMBOLS: Record<string, string> = { CNY: '¥', JPY: '¥', USD: '$', EUR: '€', GBP: '£', HKD: 'HK$', INR: '₹', KRW: '₩' };

/** "1234567" → "1,234,567" (both locales group by thousands with commas). */
export function groupDigits(digits: string): string {
  if (digits.length <= 3) return digits;
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return out;
}

/** Amount without symbol, grouped: 123456 CNY → "1,234.56". */
export function formatAmount(amountMinor: number, currency: string): string {
  const text = formatMinor(amountMinor, currency);
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  const dot = unsigned.indexOf('.');
  const whole = dot < 0 ? unsigned : unsigned.slice(0, dot);
  return `${negative ? '-' : ''}${groupDigits(whole)}${dot < 0 ? '' : unsigned.slice(dot)}`;
}

/** Amount with the currency's symbol: "¥459.21", "-¥0.05"; unknown symbols print the code. */
export function formatMoney(amountMinor: number, currency: string): string {
  const amount = formatAmount(amountMinor, currency);
  const symbol = SYMBOLS[currency];
  if (!symbol) return `${currency} ${amount}`;
  return amount.startsWith('-') ? `-${symbol}${amount.slice(1)}` : `${symbol}${amount}`;
}

/** A signed percentage with one decimal: 12.34 → "+12.3%", −4 → "−4.0%". */
export function formatPercent(percent: number): string {
  const text = Math.abs(percent).toFixed(1);
  if (text === '0.0') return '0.0%';
  return `${percent > 0 ? '+' : '−'}${text}%`;
}
