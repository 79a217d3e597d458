// Calendar arithmetic on epoch days and billing periods, shared by every stage.
// Epoch days (integers, UTC) keep date maths exact and cheap in typed arrays; periods are
// billing months "YYYY-MM", also handled as a month index (year × 12 + month − 1) for ranges.
import { Period } from '../../schemas/inputs.js';
import { FatalError } from '../diagnostics/index.js';

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Epoch day of an ISO date or datetime (the date part); NaN when it is not a real date. */
export function epochDay(iso: string): number {
  const m = ISO_DATE.exec(iso);
  if (!m) return Number.NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return Number.NaN;
  return ms / MS_PER_DAY;
}

export function isoDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Calendar month 1–12 of an epoch day. */
export function monthOfDay(day: number): number {
  return new Date(day * MS_PER_DAY).getUTCMonth() + 1;
}

export function yearOfDay(day: number): number {
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

/** A period YYYY-MM whose year the schema's Period allows. */
export function isPeriod(text: string): boolean {
  return Period.safeParse(text).success;
}

/** Month index (year × 12 + month − 1) of a period; throws on malformed text (callers validate first). */
export function periodIndex(period: string): number {
  const m = PERIOD.exec(period);
  if (!m) throw new RangeError(`not a period YYYY-MM: ${period}`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

export function periodFromIndex(index: number): string {
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function addPeriods(period: string, n: number): string {
  return periodFromIndex(periodIndex(period) + n);
}

/** Periods from `from` to `to`, both included. */
export function periodRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let i = periodIndex(from); i <= periodIndex(to); i++) out.push(periodFromIndex(i));
  return out;
}

/** First epoch day of the period's month and first day of the next month. */
export function periodBounds(period: string): { firstDay: number; nextFirstDay: number } {
  const index = periodIndex(period);
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  return {
    firstDay: Date.UTC(year, month, 1) / MS_PER_DAY,
    nextFirstDay: Date.UTC(year, month + 1, 1) / MS_PER_DAY,
  };
}

/** Billing period of an epoch day (the month it falls in). */
export function periodOfDay(day: number): string {
  const d = new Date(day * MS_PER_DAY);
  return periodFromIndex(d.getUTCFullYear() * 12 + d.getUTCMonth());
}

/** The period as an integer YYYYMM, the form the store keys bills by. */
export function periodKey(period: string): number {
  const index = periodIndex(period);
  const year = Math.floor(index / 12);
  return year * 100 + (index - year * 12 + 1);
}

export function periodFromKey(key: number): string {
  return periodFromIndex(Math.floor(key / 100) * 12 + (key % 100) - 1);
}

/**
 * A billing period parsed once, at the edge: the month as text, as the store's key, as a month
 * index and as the day bounds the read derivation takes, with the periods before it that history
 * features compare against. Stages take this, not the text, so none validates or converts again.
 */
export interface BillingPeriod {
  /** "YYYY-MM". */
  readonly text: string;
  /** YYYYMM, the form the store keys bills by. */
  readonly key: number;
  /** year × 12 + month − 1. */
  readonly index: number;
  /** Epoch day of the month's first day, and of the next month's. */
  readonly firstDay: number;
  readonly nextFirstDay: number;
  /** The same bounds as ISO dates, as the read-derivation SQL takes them ($first, $next). */
  readonly readWindow: { readonly first: string; readonly next: string };
  /** Key of the period's January: annual tiers and minimums count from there. */
  readonly yearStartKey: number;
  /** Keys of the 12 periods before this one, the previous one first. */
  readonly historyKeys: readonly number[];
}

/** The period of "YYYY-MM" text; null when the text is not one. */
export function parseBillingPeriod(text: string): BillingPeriod | null {
  return isPeriod(text) ? billingPeriodAt(periodIndex(text)) : null;
}

/** The period a command option names, or a usage error naming the option (exit 2). */
export function requireBillingPeriod(text: string | undefined, option = '--period'): BillingPeriod {
  const period = text === undefined ? null : parseBillingPeriod(text);
  if (!period) throw new FatalError(`${option} must be YYYY-MM, not '${text ?? ''}'`);
  return period;
}

/** The period `n` months from `period` (negative: earlier). */
export function shiftPeriod(period: BillingPeriod, n: number): BillingPeriod {
  return billingPeriodAt(period.index + n);
}

function billingPeriodAt(index: number): BillingPeriod {
  const text = periodFromIndex(index);
  const { firstDay, nextFirstDay } = periodBounds(text);
  const key = periodKey(text);
  return {
    text, key, index, firstDay, nextFirstDay,
    readWindow: { first: isoDate(firstDay), next: isoDate(nextFirstDay) },
    yearStartKey: Math.floor(key / 100) * 100 + 1,
    historyKeys: Array.from({ length: 12 }, (_, i) => periodKey(periodFromIndex(index - 1 - i))),
  };
}
